#!/bin/sh
# Installs what the taro-h5 candidate needs, pinned by the committed package-lock.json files:
# the shared browser driver (candidates/browser/install.sh) and @tarojs/taro-h5 with esbuild,
# then bundles the page. Idempotent: `npm ci` runs only when node_modules was not installed from
# the lock file as it is now, the bundle is made again only when something it is made of changed. Chromium and certutil come from Debian (apt-get install chromium
# libnss3-tools).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
sh "$here/../browser/install.sh"
stamp="$here/node_modules/.dlconform-lock.sha256"
want=$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
# Bundle again only when the page, its build command or the installed library is newer than the
# bundle, so that an install with nothing to do changes nothing in the tree.
bundle="$here/page/bundle.js"
if [ ! -f "$bundle" ] || [ -n "$(find "$here/page/src" "$here/package.json" "$stamp" -newer "$bundle" | head -n 1)" ]; then
  (cd "$here" && npm run -s bundle)
fi
echo "taro-h5: installed ($(node -p "require('$here/node_modules/@tarojs/taro-h5/package.json').version"))"
