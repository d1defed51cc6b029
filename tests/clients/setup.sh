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

sh tests/support/pinned-venv.sh .venv-boto3 tests/clients/boto3/requirements.txt setup-clients \
    'import boto3, botocore; print("boto3", boto3.__version__, "botocore", botocore.__version__)'
