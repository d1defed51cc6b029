#!/bin/sh
# Everything `npm test` needs beyond node_modules (its pretest step), built concurrently: the Go toolchain (the Pulumi
# CLI, language hosts and the test cluster; CPU-bound, minutes when cold) in the background while the registry
# downloads of the other set-ups run. The real Kubernetes provider builds later, beside the first suites
# (tests/suites.sh). Each step is idempotent and cheap when warm.
set -eu
cd "$(dirname "$0")/.."
mkdir -p out
log=out/toolchain-build.log
sh provider/tools/toolchain/build.sh cli cluster >"$log" 2>&1 &
toolchain=$!
trap 'kill "$toolchain" 2>/dev/null || true' INT TERM
status=0
sh tests/aws-cli/setup.sh && sh tests/clients/setup.sh && sh tests/busybox/setup.sh && sh tests/s3/setup.sh || status=$?
if [ "$status" -ne 0 ]; then
    kill "$toolchain" 2>/dev/null || true
    exit "$status"
fi
if ! wait "$toolchain"; then
    cat "$log" >&2
    echo "setup: the toolchain build failed (log above, also in $log)" >&2
    exit 1
fi
cat "$log" >&2
