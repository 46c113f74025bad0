#!/bin/sh
# Installs every piece in the tree that some test needs: each `sh .../install.sh` named in the
# one list of what the tests need (harness/needs.rs), in its order. Each install script is
# idempotent (a no-op when what it installed is still current), so this one is too.
#
# System tools are not installed here (that needs root): the ones the installs use are named
# with their apt-get command when missing; the build warns about the rest, one line each. .ci/run
# installs them all first.
set -eu
cd "$(dirname "$0")/.."

missing=""
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
command -v python3 >/dev/null 2>&1 && python3 -c 'import ensurepip, venv' >/dev/null 2>&1 ||
  missing="$missing python3-venv"
if [ -n "$missing" ]; then
  echo "setup-tests: the installs need:$missing (apt-get install -y$missing)" >&2
  exit 1
fi
scripts=$(sed -n 's/^ *install: "sh \([^"]*\)",$/\1/p' harness/needs.rs)
[ -n "$scripts" ] || { echo "setup-tests: no install scripts found in harness/needs.rs" >&2; exit 1; }
for script in $scripts; do
  echo "setup-tests: sh $script"
  sh "$script"
done
echo "setup-tests: every install in harness/needs.rs is done"
