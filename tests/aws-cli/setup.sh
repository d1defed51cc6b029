#!/bin/sh
# Installs the pinned AWS CLI v1 (tests/aws-cli/requirements.txt) into .venv-aws-cli at the repository root, for the
# cross-account proofs. Run by `npm test` (pretest) and `npm run setup:aws-cli`. Idempotent: does nothing when the
# venv already matches the requirements and the Python version; rebuilds it otherwise. Needs python3 with venv, and
# PyPI on the first run.
set -eu
cd "$(dirname "$0")/../.."
# The AWS CLI's own entry point must be there too: a venv from an older layout may lack it.
if [ ! -x .venv-aws-cli/bin/aws ]; then
    rm -rf .venv-aws-cli
fi
sh tests/support/pinned-venv.sh .venv-aws-cli tests/aws-cli/requirements.txt setup-aws-cli \
    'import awscli; print("aws-cli", awscli.__version__)'
