#!/bin/sh
# Installs the pinned AWS CLI v1 (tests/aws-cli/requirements.txt) into .venv-aws-cli at the repository root, for the
# cross-account proofs. Run by `npm test` (pretest) and `npm run setup:aws-cli`. Idempotent: does nothing when the
# venv already matches the requirements and the Python version; rebuilds it otherwise. Needs python3 with venv, and
# PyPI on the first run.
set -eu
cd "$(dirname "$0")/../.."
venv=.venv-aws-cli
requirements=tests/aws-cli/requirements.txt
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup-aws-cli: $python not found: install Python 3 (with venv) to run the AWS CLI proofs" >&2
    exit 1
fi
wanted=$( "$python" --version 2>&1; cat "$requirements" )
if [ -x "$venv/bin/aws" ] && [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$wanted" ]; then
    exit 0
fi
echo "setup-aws-cli: installing the AWS CLI from $requirements into $venv"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null
"$venv/bin/aws" --version
printf '%s\n' "$wanted" >"$venv/.installed"
