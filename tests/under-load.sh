#!/bin/sh
# Runs a command with CPU-bound busy loops beside it, to show that its verdict does not depend on the machine's load
# (a test that passes only on quiet cores blocks landings at random). The loops are as many as the cores by default,
# bounded in time, and stopped when the command ends, whichever way it ends.
#
#   sh tests/under-load.sh [--loops N] [--seconds S] <command> [args…]     (npm run test:unit:loaded)
set -eu
loops=$(nproc 2>/dev/null || echo 2)
seconds=3600
while [ $# -gt 0 ]; do
    case $1 in
        --loops) loops=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        *) break ;;
    esac
done
case "$loops:$seconds" in
    *[!0-9:]* | :* | *:) echo "under-load.sh: --loops and --seconds take whole numbers" >&2; exit 2 ;;
esac
[ $# -gt 0 ] || { echo "usage: under-load.sh [--loops N] [--seconds S] <command> [args…]" >&2; exit 2; }

pids=""
stop_loops() {
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    pids=""
}
trap stop_loops EXIT
trap 'stop_loops; exit 130' INT TERM
i=0
while [ "$i" -lt "$loops" ]; do
    timeout "$seconds" sh -c 'while :; do :; done' &
    pids="$pids $!"
    i=$((i + 1))
done
echo "under-load.sh: $loops busy loop(s) for at most $seconds s beside: $*" >&2
status=0
"$@" || status=$?
stop_loops
exit "$status"
