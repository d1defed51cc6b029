#!/bin/sh
# Prepares the Go SDK v2 and boto3 clients of the cross-account proofs (tests/cross-account-chain.test.ts): builds
# tests/clients/go into .clients-bin/caller-identity-go and installs the pinned boto3 (tests/clients/boto3/
# requirements.txt) into .venv-boto3, both git-ignored at the repository root. Run by `npm test` (pretest) and
# `npm run setup:clients`. Idempotent: the venv is rebuilt only when the requirements or the Python version change;
# `go build` recompiles only what changed. Needs go and python3 (with venv); the Go module proxy and PyPI on the
# first run (go.sum is committed, so the checksum database is never asked).
set -eu
cd "$(dirname "$0")/../.."

go=${GO:-go}
if ! command -v "$go" >/dev/null 2>&1; then
    echo "setup-clients: $go not found: install Go to run the Go SDK v2 proofs" >&2
    exit 1
fi
mkdir -p .clients-bin
# -mod=readonly: the build must use the committed go.mod/go.sum, never rewrite them.
(cd tests/clients/go && GOFLAGS=-mod=readonly "$go" build -trimpath -o ../../../.clients-bin/caller-identity-go .)

venv=.venv-boto3
requirements=tests/clients/boto3/requirements.txt
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "setup-clients: $python not found: install Python 3 (with venv) to run the boto3 proofs" >&2
    exit 1
fi
wanted=$( "$python" --version 2>&1; cat "$requirements" )
if [ -x "$venv/bin/python" ] && [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$wanted" ]; then
    exit 0
fi
echo "setup-clients: installing boto3 from $requirements into $venv"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null
"$venv/bin/python" -c 'import boto3, botocore; print("boto3", boto3.__version__, "botocore", botocore.__version__)'
printf '%s\n' "$wanted" >"$venv/.installed"
