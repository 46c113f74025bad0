#!/bin/sh
# Make a venv in this folder (.venv) and install the pinned SDK into it. Idempotent: when the
# venv was installed from this very requirements file it is left as it is.
# Needs python3 with its venv module (Debian: apt-get install -y python3-venv).
set -eu
cd "$(dirname "$0")"
stamp=.venv/.installed-from-requirements
if [ -f "$stamp" ] && cmp -s requirements.txt "$stamp"; then
  echo "lark-python: .venv matches requirements.txt"
  exit 0
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --disable-pip-version-check --no-input -q -r requirements.txt
cp requirements.txt "$stamp"
