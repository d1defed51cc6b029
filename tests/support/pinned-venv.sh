#!/bin/sh
# Installs an exact, complete requirements list (pip --no-deps) into a virtualenv, for the tests' real AWS clients.
#   sh tests/support/pinned-venv.sh <venv> <requirements.txt> <label> <python statement printing what was installed>
# Idempotent: does nothing when the venv already holds these requirements for this Python; rebuilds it otherwise.
# Needs python3 with venv (PYTHON overrides), and PyPI on the first run. Run from the repository root.
set -eu
venv=$1
requirements=$2
label=$3
report=$4
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "$label: $python not found: install Python 3 (with venv) to run these proofs" >&2
    exit 1
fi
wanted=$( "$python" --version 2>&1; cat "$requirements" )
if [ -x "$venv/bin/python" ] && [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$wanted" ]; then
    exit 0
fi
echo "$label: installing $requirements into $venv"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null
"$venv/bin/python" -c "$report"
printf '%s\n' "$wanted" >"$venv/.installed"
