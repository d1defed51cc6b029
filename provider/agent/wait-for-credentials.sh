#!/bin/sh
# pod-identity-wait: holds a pod's main containers until the EKS Pod Identity agent hands out its credentials
# (an init container rendered by pulumi-eks-pod-identity, workload.waitForCredentials).
#
# Usage: wait-for-credentials.sh HELPER TIMEOUT_SECONDS
#   HELPER is the credential_process helper (pod-identity-credentials, shipped beside this script): it reads
#   AWS_CONTAINER_CREDENTIALS_FULL_URI and the token file the way the SDKs do and exits 0 once the agent answers
#   with credentials. Its stdout (the credentials) goes to /dev/null: nothing secret is ever printed here.
#
# A pod on a fresh node can start before that node's agent listens, and its first AWS call then fails in ways that
# are hard to trace back. This script asks the agent until it answers or TIMEOUT_SECONDS have passed:
#   - agent unreachable, timing out, or failing (helper exit 6, 7, 9: no listener yet, 5xx, 429): retried once a
#     second until the deadline; one line when the wait starts, one when it ends;
#   - anything else (no Pod Identity variables, token file, endpoint refused, agent refusing with 4xx, unusable
#     answer, no HTTP client): final at once, since waiting cannot fix it.
# The last attempt starts before the deadline, so the whole wait is bounded by TIMEOUT_SECONDS plus one helper run
# (at most about 7.5 s). Exit 0 when credentials were handed out, else the helper's last exit code; every line is
# prefixed "pod-identity-wait:" and names the cause.

set -u
NAME=pod-identity-wait

if [ "$#" -ne 2 ]; then
    printf '%s: usage: wait-for-credentials.sh HELPER TIMEOUT_SECONDS\n' "$NAME" >&2
    exit 64
fi
helper=$1
timeout=$2
case $timeout in
    '' | *[!0-9]*)
        printf '%s: TIMEOUT_SECONDS must be a whole number of seconds, got "%s"\n' "$NAME" "$timeout" >&2
        exit 64
        ;;
esac

start=$(date +%s)
deadline=$((start + timeout))
attempts=0
announced=no
while :; do
    attempts=$((attempts + 1))
    # stderr of the helper is one line that never holds a secret; its stdout (the credentials) is discarded.
    cause=$("$helper" 2>&1 >/dev/null)
    code=$?
    now=$(date +%s)
    elapsed=$((now - start))
    cause=${cause#pod-identity-credentials: }
    if [ "$code" -eq 0 ]; then
        printf '%s: the Pod Identity agent handed out credentials after %ss (attempt %s); starting the containers\n' "$NAME" "$elapsed" "$attempts" >&2
        exit 0
    fi
    case $code in
        6 | 7 | 9) ;;
        *)
            printf '%s: no credentials, not retrying (helper exit %s): %s\n' "$NAME" "$code" "$cause" >&2
            exit "$code"
            ;;
    esac
    if [ "$now" -ge "$deadline" ]; then
        printf '%s: the Pod Identity agent handed out no credentials within %ss (attempt %s, helper exit %s): %s; is the eks-pod-identity-agent DaemonSet running on this node?\n' "$NAME" "$timeout" "$attempts" "$code" "$cause" >&2
        exit "$code"
    fi
    if [ "$announced" = no ]; then
        printf '%s: waiting up to %ss for the Pod Identity agent on this node: %s\n' "$NAME" "$timeout" "$cause" >&2
        announced=yes
    fi
    sleep 1
done
