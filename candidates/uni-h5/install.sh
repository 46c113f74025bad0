#!/bin/sh
# Installs the pinned dependencies (package-lock.json) and builds dist/page.js. Idempotent: npm ci
# runs again only when the lock file changed since the last install.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.dlconform-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
node build.mjs
