#!/bin/sh
# Installs what the uni-h5 candidate needs, pinned by the committed package-lock.json files:
# the shared browser driver (candidates/browser) and @dcloudio/uni-h5 with esbuild, then bundles
# the page (build.mjs). Idempotent: a folder whose lock file has not changed since its last
# `npm ci` is left as it is, and so is a bundle newer than everything it is made of. Chromium and certutil come from Debian (apt-get install chromium
# libnss3-tools).
set -eu
here=$(cd "$(dirname "$0")" && pwd)

# `npm ci` in $1 unless node_modules was installed from this very lock file.
ci() {
  stamp="$1/node_modules/.dlconform-lock.sha256"
  want=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
}

ci "$here/../browser"
ci "$here"
# Bundle again only when the page, the app, the build script or the installed library is newer
# than the bundle, so that an install with nothing to do changes nothing in the tree.
bundle="$here/page/bundle.js"
if [ ! -f "$bundle" ] || [ -n "$(find "$here/page/src" "$here/app" "$here/build.mjs" "$here/package.json" "$here/node_modules/.dlconform-lock.sha256" -newer "$bundle" | head -n 1)" ]; then
  (cd "$here" && npm run -s bundle)
fi
echo "uni-h5: installed ($(node -p "require('$here/node_modules/@dcloudio/uni-h5/package.json').version"))"
