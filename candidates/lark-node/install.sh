#!/bin/sh
# Install the pinned SDK from the committed lock file (npm ci). Idempotent: when node_modules
# was installed from this very lock file it is left as it is.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.installed-from-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
  echo "lark-node: node_modules matches package-lock.json"
  exit 0
fi
npm ci --no-audit --no-fund
cp package-lock.json "$stamp"
