#!/bin/sh
# `npm test`'s suites, in the cluster withCluster.js started. The real Kubernetes provider is the longest cold Go
# build (about 10 min on 2 cores) and only the end-to-end and release suites run it, so it builds while the unit and
# SDK suites run (those wait on timers, child processes and, when cold, Maven and pip downloads as much as on the
# CPU); the later suites wait for it. Warm, the build only confirms the binary is up to date.
set -eu
cd "$(dirname "$0")/.."
mkdir -p out
log=out/kubernetes-provider-build.log
# setsid: the build leads its own process group (its pid), so a failed suite stops go and its compilers too.
setsid sh provider/tools/toolchain/build.sh kubernetes-provider >"$log" 2>&1 &
provider=$!
trap 'kill -TERM "-$provider" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
npm run test:unit:loaded
npm run test:sdk
if ! wait "$provider"; then
    cat "$log" >&2
    echo "tests/suites.sh: building the Kubernetes provider failed (log above, also in $log)" >&2
    exit 1
fi
cat "$log" >&2
npm run test:e2e
npm run test:release
npm run test:bench
