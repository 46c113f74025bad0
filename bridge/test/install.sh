#!/bin/sh
# Installs what the bridge tests drive the core with (playwright-core, undici), pinned by
# package-lock.json. Idempotent: `npm ci` runs only when node_modules was not installed from
# this very lock file. Chromium and certutil come from Debian (apt-get install chromium
# libnss3-tools); no browser is downloaded.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
stamp="$here/node_modules/.dlconform-lock.sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$stamp"
