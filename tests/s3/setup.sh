#!/bin/sh
# Installs moto's S3-compatible server, pinned (tests/s3/requirements.txt), into .venv-moto at the repository root
# (git-ignored): the real S3 API on loopback for the portal's DIY backend in tests (tests/support/s3Server.ts). Run by
# `npm test` (pretest) and `npm run setup:s3`. Idempotent: the venv is rebuilt only when the requirements or the Python
# version change. Needs python3 (with venv) and PyPI on the first run (about 15 s of pip install).
set -eu
cd "$(dirname "$0")/../.."
sh tests/support/pinned-venv.sh .venv-moto tests/s3/requirements.txt setup-s3 \
    'import moto; print("moto", moto.__version__)'
