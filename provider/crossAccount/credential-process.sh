#!/bin/sh
# pod-identity-credentials: credential_process helper for EKS Pod Identity (rendered by pulumi-eks-pod-identity).
#
# Asks the EKS Pod Identity agent for the pod's credentials, the way the AWS SDKs' container credential provider does,
# and prints them in the credential_process format, so that an AWS config profile with `source_profile` can chain
# them into a role of another account with any SDK or tool that supports credential_process.
#
# Reads AWS_CONTAINER_CREDENTIALS_FULL_URI and the token file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read on every
# run: the token rotates). POSIX sh (dash, busybox ash, bash) and POSIX utilities, plus the first of these ways to
# speak HTTP: curl >= 7.55, GNU wget >= 1.17, busybox nc, bash (started by the script when sh is another shell).
#
# Endpoint rule (the one of the AWS SDK for JavaScript v3, @aws-sdk/credential-provider-http): https to any host;
# plain http only to 127.0.0.0/8 written as a dotted quad, localhost, [::1], the ECS host 169.254.170.2 and the
# EKS Pod Identity hosts 169.254.170.23 and [fd00:ec2::23]. Stricter than the SDKs on purpose: user info, percent
# signs or other unusual characters in the host part are refused, so the host checked is the host contacted.
#
# The token never appears in a command line (/proc/PID/cmdline is readable by every process of the pod):
# - curl reads the header from its standard input (-H @-), written there by the shell's built-in printf.
# - GNU wget reads headers only from its command line or from a start-up file, which must be a regular file: the
#   script writes one (mode 0600, in a fresh mode 0700 directory under $TMPDIR or /tmp) and removes it when wget exits.
# - Busybox wget takes headers only on its command line, so it is never used. Busybox nc (Alpine) and bash's /dev/tcp
#   carry a request the script writes itself with the built-in printf: into a pipe (mode 0600, in that directory) that
#   nc copies to the connection, or straight into bash's socket. Both speak HTTP/1.0 with Connection: close, so the
#   answer is never chunked and ends when the agent closes; the answer is cut at 80 KiB, and they do plain http only
#   (an https endpoint needs curl or GNU wget). Without any of these, credentialSource "ecsContainer" is the way out:
#   the SDK then reads the agent itself.
#
# Each attempt: connect timeout 1 s, whole request 2 s (for nc and bash a watchdog process enforces them, without
# timeout(1)). Up to 3 attempts, 0.5 s then 1 s apart, for connection failures, timeouts, HTTP 5xx and 429; other
# HTTP errors are final. Worst case about 7.5 s.
#
# Exit codes (each failure prints one line on stderr, prefixed "pod-identity-credentials:"):
#   0  credentials printed on stdout
#   2  AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE not set
#   3  token file missing, unreadable, empty, or containing a line break
#   4  endpoint refused (not https, and not a loopback or container-credential host) or malformed
#   5  no way to speak HTTP to the agent (no curl >= 7.55, GNU wget >= 1.17, busybox nc or bash; https needs one of the
#      first two), or no writable temporary directory for wget, nc or bash
#   6  agent unreachable after all attempts
#   7  agent timed out after all attempts
#   8  agent refused the request (HTTP 4xx other than 429)
#   9  agent failed (HTTP 5xx or 429 after all attempts, or an unexpected status)
#   10 agent response unusable (not JSON, larger than 64 KiB, or a credential field missing, empty or not a string)
# Neither the token, the agent's response nor any key is ever printed, except the credentials on stdout on success.

set -u
umask 077
LC_ALL=C
export LC_ALL

NAME=pod-identity-credentials
ATTEMPTS=3
CONNECT_TIMEOUT=1
MAX_TIME=2
nl='
'
cr=$(printf '\r')

fail() {
    printf '%s: %s\n' "$NAME" "$2" >&2
    exit "$1"
}

lower() {
    printf '%s' "$1" | tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' 'abcdefghijklmnopqrstuvwxyz'
}

# ---- configuration ----

uri=${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}
token_file=${AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE:-}
if [ -z "$uri" ]; then
    fail 2 "AWS_CONTAINER_CREDENTIALS_FULL_URI is not set: the pod gets it from EKS Pod Identity (is its service account associated with a role, and was the pod created after the association?)"
fi
if [ -z "$token_file" ]; then
    fail 2 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is not set: the pod gets it from EKS Pod Identity (is its service account associated with a role, and was the pod created after the association?)"
fi

# ---- endpoint ----

refuse() {
    fail 4 "endpoint refused: AWS_CONTAINER_CREDENTIALS_FULL_URI $1"
}

case $uri in
    *"$nl"* | *"$cr"*) refuse "contains a line break" ;;
esac
if printf '%s\n' "$uri" | grep -q '[^][A-Za-z0-9._~:/?#@!$&()*+,;=%-]'; then
    refuse "contains characters that are not allowed in a URL"
fi
case $uri in
    *://*) ;;
    *) refuse "is not an absolute URL" ;;
esac
scheme=$(lower "${uri%%://*}")
rest=${uri#*://}
authority=${rest%%[/?#]*}
case $authority in
    *@*) refuse "contains user information" ;;
    *%*) refuse "has a percent-encoded host" ;;
    '') refuse "has no host" ;;
esac
port=
case $authority in
    \[*\]) host=$authority ;;
    \[*\]:*) host=${authority%%]*}] port=${authority#*]:} ;;
    \[*) refuse "has a malformed IPv6 host" ;;
    *:*) host=${authority%%:*} port=${authority#*:} ;;
    *) host=$authority ;;
esac
host=$(lower "$host")
case $authority in
    *:) refuse "has an empty port" ;;
esac
case $port in
    *[!0-9]*) refuse "has a malformed port" ;;
esac
case $host in
    \[*\])
        case $host in
            \[*[!0-9a-f:.]*\] | \[\]) refuse "has a malformed IPv6 host" ;;
        esac
        ;;
    *[!a-z0-9.-]* | '') refuse "has a malformed host" ;;
esac

is_loopback_ipv4() {
    case $1 in
        127.*.*.*) ;;
        *) return 1 ;;
    esac
    octets=${1#127.}
    o1=${octets%%.*}
    octets=${octets#*.}
    o2=${octets%%.*}
    o3=${octets#*.}
    for octet in "$o1" "$o2" "$o3"; do
        case $octet in
            '' | *[!0-9]* | ????*) return 1 ;;
        esac
        [ "$octet" -le 255 ] || return 1
    done
    return 0
}

case $scheme in
    https) ;;
    http)
        case $host in
            169.254.170.2 | 169.254.170.23 | '[fd00:ec2::23]' | localhost | '[::1]' | '[0:0:0:0:0:0:0:1]' | '[0000:0000:0000:0000:0000:0000:0000:0001]') ;;
            *)
                if ! is_loopback_ipv4 "$host"; then
                    refuse "uses plain http to $host: http is allowed only to loopback (127.0.0.0/8, localhost, [::1]) and the container credential hosts 169.254.170.2, 169.254.170.23 and [fd00:ec2::23]; use https otherwise"
                fi
                ;;
        esac
        ;;
    *) refuse "has the scheme $scheme: use http or https" ;;
esac

# ---- token ----

if [ ! -e "$token_file" ]; then
    fail 3 "token file $token_file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) does not exist"
fi
if [ ! -f "$token_file" ] || [ ! -r "$token_file" ]; then
    fail 3 "token file $token_file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) is not a readable file for uid $(id -u)"
fi
# The x keeps trailing newlines, which command substitution would otherwise strip.
if ! token=$(cat "$token_file" 2>/dev/null && printf x); then
    fail 3 "token file $token_file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) cannot be read"
fi
token=${token%x}
case $token in
    '') fail 3 "token file $token_file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) is empty" ;;
    *"$nl"* | *"$cr"*) fail 3 "token file $token_file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) contains a line break, which cannot be sent in an HTTP header" ;;
esac

# ---- HTTP client ----

# Prints "MAJOR MINOR" of the first line's first version number after the given prefix, nothing otherwise.
version_of() {
    sed -n "1s/^$1\([0-9][0-9]*\)\.\([0-9][0-9]*\).*/\1 \2/p"
}
at_least() { # at_least "MAJOR MINOR" MAJOR MINOR
    [ -n "$1" ] || return 1
    [ "${1% *}" -gt "$2" ] || { [ "${1% *}" -eq "$2" ] && [ "${1#* }" -ge "$3" ]; }
}

NO_CLIENT="install curl (7.55 or later) or GNU wget (1.17 or later), or give the image busybox with nc, or bash; or set the component's credentialSource: \"ecsContainer\" so that the SDK reads the agent itself, without this helper"

workdir=
worker=
watchdog=
# A fresh mode 0700 directory for wget's start-up file, or for the exchange's pipes and answer; removed on exit.
make_workdir() {
    if ! workdir=$(mktemp -d "${TMPDIR:-/tmp}/pod-identity-credentials.XXXXXX" 2>/dev/null); then
        fail 5 "the $client client needs a writable temporary directory (\$TMPDIR or /tmp); install curl (7.55 or later) to do without"
    fi
    # Only the script's own shell cleans up. Once an EXIT trap is set, bash runs it on any terminating signal, USR1
    # included, and a subshell that a signal reaches just after its fork, before it has reset the traps it inherited,
    # runs it too: stopping a just-started watchdog does that. $$ names the script's shell in every subshell; the
    # process itself is read from /proc/self, which the kernel resolves for the reader. Comparing BASHPID with $$ is not
    # enough: in that window the comparison was measured to find them equal (bash 5.2, about one run in twenty under
    # load), and the subshell removed the directory the script went on using. Without /proc, BASHPID (or $$ in shells
    # without it) is the best there is.
    trap 'own=; { read -r own _ </proc/self/stat; } 2>/dev/null || own=${BASHPID:-$$}; [ "$own" != "$$" ] || { stop_background; rm -rf "$workdir"; }' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
# The watchdog is stopped with USR1, a signal the script does not trap, so that a watchdog signalled before it has
# reset the traps it inherited just dies.
# Waiting for it, stderr closed, keeps bash from reporting "User defined signal 1" when it was that quick.
stop_background() {
    if [ -n "$watchdog" ]; then
        kill -USR1 "$watchdog" 2>/dev/null
        wait "$watchdog" 2>/dev/null
    fi
    [ -z "$worker" ] || kill "$worker" 2>/dev/null
    watchdog= worker=
}

is_busybox_nc() {
    command -v nc >/dev/null 2>&1 && command -v mkfifo >/dev/null 2>&1 && nc --help 2>&1 | grep -q '^BusyBox '
}

client=
if command -v curl >/dev/null 2>&1 && at_least "$(curl --version 2>/dev/null | version_of 'curl ')" 7 55; then
    client=curl
elif command -v wget >/dev/null 2>&1 && at_least "$(wget --version 2>/dev/null | version_of 'GNU Wget ')" 1 17; then
    client=wget
    wrap=
    if command -v timeout >/dev/null 2>&1; then
        wrap="timeout $((MAX_TIME + 1))"
    fi
    make_workdir
elif [ "$scheme" = https ]; then
    fail 5 "no HTTP client for the https endpoint: busybox nc and bash speak plain http only; $NO_CLIENT"
elif is_busybox_nc; then
    client=nc
    make_workdir
elif [ -n "${BASH_VERSION:-}" ]; then
    client=bash
    make_workdir
elif command -v bash >/dev/null 2>&1 && [ -r "$0" ]; then
    # Only bash opens TCP connections (/dev/tcp); the script starts over under it, re-reading everything.
    exec bash "$0" "$@"
else
    fail 5 "no way to speak HTTP to the agent: $NO_CLIENT"
fi

# What the nc and bash clients need to write the request themselves.
if [ "$client" = nc ] || [ "$client" = bash ]; then
    connect_host=${host#\[}
    connect_host=${connect_host%]}
    target=${rest#"$authority"}
    target=${target%%#*}
    case $target in
        /*) ;;
        *) target=/$target ;;
    esac
    # Status line and headers may take 16 KiB beyond the 64 KiB the body may have; the rest is not read.
    ANSWER_LIMIT=$((65536 + 16384))
fi

# HTTP/1.0 with Connection: close, so that the answer is never chunked and ends when the agent closes the connection.
# The shell's built-in printf writes it: the token reaches no command line.
write_request() {
    printf 'GET %s HTTP/1.0\r\nHost: %s\r\nAuthorization: %s\r\nAccept: application/json\r\nUser-Agent: %s\r\nConnection: close\r\n\r\n' \
        "$target" "$authority" "$token" "$NAME"
}

# Ends the worker (TERM) unless it finishes within MAX_TIME seconds, or, when given a marker file, unless that file
# exists after CONNECT_TIMEOUT seconds (the worker creates it once connected). Needs no timeout(1).
start_watchdog() { # start_watchdog PID [MARKER]
    (
        trap - EXIT HUP INT TERM
        nap=
        trap 'kill "$nap" 2>/dev/null; exit 0' USR1
        sleep "$CONNECT_TIMEOUT" &
        nap=$!
        wait "$nap"
        if [ -n "${2:-}" ] && [ ! -e "$2" ]; then
            kill "$1" 2>/dev/null
            exit 0
        fi
        sleep $((MAX_TIME - CONNECT_TIMEOUT)) &
        nap=$!
        wait "$nap"
        kill "$1" 2>/dev/null
    ) </dev/null >/dev/null 2>&1 &
    watchdog=$!
}

# Busybox nc reads the request from a pipe that the script keeps open until the answer is in: were nc's input to end
# first, nc would half-close the connection, and a server may drop a request whose client has half-closed (Go's
# net/http cancels its context). The pipe is opened read-write, which never blocks and never raises SIGPIPE here
# (Linux). nc's output goes through head, which keeps at most ANSWER_LIMIT bytes. Sets rc: 0 when the answer is in
# (the agent closed the connection, or head has had enough), 143 when the watchdog ended nc or nc's own connect
# timeout (-w) did, another code when nc could not connect.
exchange_with_nc() {
    rm -f "$workdir/request" "$workdir/answer-pipe" "$workdir/answer" "$workdir/errors"
    mkfifo "$workdir/request" "$workdir/answer-pipe" || fail 5 "cannot create pipes in $workdir for nc"
    exec 3<>"$workdir/request"
    head -c "$ANSWER_LIMIT" <"$workdir/answer-pipe" >"$workdir/answer" &
    reader=$!
    nc -w "$CONNECT_TIMEOUT" "$connect_host" "${port:-80}" <"$workdir/request" >"$workdir/answer-pipe" 2>"$workdir/errors" &
    worker=$!
    start_watchdog "$worker"
    write_request >&3
    # 2>/dev/null: busybox sh reports a job ended by a signal ("Terminated") on stderr.
    wait "$worker" 2>/dev/null
    rc=$?
    worker=
    exec 3>&-
    stop_background
    wait "$reader"
    case $rc in
        141) rc=0 ;; # SIGPIPE: head has its ANSWER_LIMIT bytes, the answer is too large (checked later)
        0 | 143) ;;
        *) grep -q 'timed out' "$workdir/errors" && rc=143 ;;
    esac
}

# bash connects through /dev/tcp in a subshell that then becomes head, so the watchdog's one process id covers the
# connection, the request and the answer. Sets rc: 0 answered, 143 ended by the watchdog, other: no connection.
exchange_with_bash() {
    rm -f "$workdir/connected" "$workdir/answer"
    (
        trap - EXIT HUP INT TERM
        exec 3<>"/dev/tcp/$connect_host/${port:-80}" || exit 1
        : >"$workdir/connected"
        write_request >&3
        exec head -c "$ANSWER_LIMIT" <&3
    ) >"$workdir/answer" 2>/dev/null &
    worker=$!
    start_watchdog "$worker" "$workdir/connected"
    wait "$worker" 2>/dev/null
    rc=$?
    worker=
    stop_background
}

# Sets status and body from a raw answer: status line, headers, an empty line, the body.
split_answer() {
    status_line=${response%%"$nl"*}
    status=${status_line#HTTP/* }
    status=${status%%[!0-9]*}
    case $response in
        *"$cr$nl$cr$nl"*) headers=${response%%"$cr$nl$cr$nl"*} body=${response#*"$cr$nl$cr$nl"} ;;
        *"$nl$nl"*) headers=${response%%"$nl$nl"*} body=${response#*"$nl$nl"} ;;
        *) headers=$response body= ;;
    esac
}

# Sets outcome (ok, retry, fatal, timeout), status and body.
request() {
    status=
    body=
    case $client in
        curl)
            # -q: no .curlrc; no proxy: the token goes to the endpoint and nowhere else.
            response=$(printf 'Authorization: %s\nAccept: application/json\n' "$token" |
                curl -q -s --noproxy '*' --proto '=http,https' --max-redirs 0 --max-filesize 65536 \
                    --connect-timeout "$CONNECT_TIMEOUT" --max-time "$MAX_TIME" \
                    -H @- -w '\n%{http_code}' --url "$uri" 2>/dev/null)
            rc=$?
            status=${response##*"$nl"}
            body=${response%"$nl"*}
            case $rc in
                0) ;;
                28) outcome=timeout; return ;;
                6 | 7 | 52 | 55 | 56) outcome=retry; return ;;
                63) outcome=fatal code=10 detail="the agent's response is unusable: it is larger than 64 KiB"; return ;;
                *) outcome=fatal detail="the request failed (curl exit code $rc)"; return ;;
            esac
            ;;
        wget)
            # The start-up file replaces ~/.wgetrc (the system wgetrc is still read); it is rewritten for every attempt.
            printf 'header = Authorization: %s\nheader = Accept: application/json\n' "$token" >"$workdir/wgetrc" ||
                fail 5 "cannot write wget's start-up file in $workdir"
            response=$($wrap wget --config="$workdir/wgetrc" -q -O - --save-headers --content-on-error --no-proxy \
                    --max-redirect=0 --tries=1 --dns-timeout="$CONNECT_TIMEOUT" --connect-timeout="$CONNECT_TIMEOUT" \
                    --read-timeout="$MAX_TIME" "$uri" 2>/dev/null </dev/null)
            rc=$?
            rm -f "$workdir/wgetrc"
            case $rc in
                0 | 8) ;;
                124) outcome=timeout; return ;;
                4) outcome=retry; return ;;
                *) outcome=fatal detail="the request failed (wget exit code $rc)"; return ;;
            esac
            split_answer
            ;;
        nc | bash)
            "exchange_with_$client"
            case $rc in
                0) ;;
                143) outcome=timeout; return ;;
                *) outcome=retry; return ;;
            esac
            response=$(cat "$workdir/answer")
            if [ -z "$response" ]; then
                outcome=retry # closed without answering
                return
            fi
            split_answer
            case $(lower "$headers") in
                *"${nl}transfer-encoding:"*) outcome=fatal code=10 detail="the agent's response is unusable: it has a transfer encoding, not allowed in an HTTP/1.0 answer"; return ;;
            esac
            ;;
    esac
    case $status in
        200) outcome=ok ;;
        429 | 5??) outcome=retry ;;
        4??) outcome=fatal code=8 detail="the agent refused the request with HTTP $status (is the token file the one EKS Pod Identity mounted, and the association in place?)" ;;
        ???) outcome=fatal code=9 detail="the agent answered with the unexpected HTTP status $status" ;;
        *) outcome=fatal code=10 detail="the agent's answer is not HTTP" ;;
    esac
}

attempt=1
while :; do
    code=6
    detail=
    request
    case $outcome in
        ok) break ;;
        fatal) fail "$code" "$detail" ;;
    esac
    if [ "$attempt" -ge "$ATTEMPTS" ]; then
        case $outcome in
            timeout) fail 7 "the agent at $host timed out after $ATTEMPTS attempts (connect ${CONNECT_TIMEOUT} s, request ${MAX_TIME} s each)" ;;
        esac
        case $status in
            429 | 5??) fail 9 "the agent at $host answered HTTP $status after $ATTEMPTS attempts" ;;
        esac
        fail 6 "the agent at $host is unreachable after $ATTEMPTS attempts (is the eks-pod-identity-agent running on this node?)"
    fi
    if [ "$attempt" -eq 1 ]; then
        sleep 0.5 2>/dev/null || sleep 1
    else
        sleep 1
    fi
    attempt=$((attempt + 1))
done

# ---- response ----

if [ "${#body}" -gt 65536 ]; then
    fail 10 "the agent's response is unusable: it is larger than 64 KiB"
fi

# Maps {AccessKeyId, SecretAccessKey, Token, Expiration[, AccountId]} (any order, any layout) to the credential_process
# format, copying each string exactly as written, escapes included. On failure prints only a reason, never the input.
if ! parsed=$(printf '%s\n' "$body" | awk '
function bad(reason) { print reason; failed = 1; exit 1 }
function ws() { sub(/^[ \t\r\n]+/, "", s) }
function str() {
    if (!match(s, STRING)) return 0
    tok = substr(s, 2, RLENGTH - 2)
    s = substr(s, RLENGTH + 1)
    return 1
}
function value(depth,   c) {
    if (depth > 32) return 0
    ws()
    c = substr(s, 1, 1)
    if (c == "\"") return str()
    if (c == "{" || c == "[") {
        s = substr(s, 2)
        ws()
        if (substr(s, 1, 1) == (c == "{" ? "}" : "]")) { s = substr(s, 2); return 1 }
        for (;;) {
            if (c == "{") {
                ws()
                if (!str()) return 0
                ws()
                if (substr(s, 1, 1) != ":") return 0
                s = substr(s, 2)
            }
            if (!value(depth + 1)) return 0
            ws()
            d = substr(s, 1, 1)
            s = substr(s, 2)
            if (d == (c == "{" ? "}" : "]")) return 1
            if (d != ",") return 0
        }
    }
    if (match(s, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/) || match(s, /^(true|false|null)/)) {
        s = substr(s, RLENGTH + 1)
        return 1
    }
    return 0
}
BEGIN {
    STRING = "^\"([^\"\\\\\001-\037]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f])*\""
    want["AccessKeyId"]; want["SecretAccessKey"]; want["Token"]; want["Expiration"]; want["AccountId"]
}
{ s = s $0 "\n" }
END {
    if (failed) exit 1
    ws()
    if (substr(s, 1, 1) != "{") bad("it is not a JSON object")
    s = substr(s, 2)
    ws()
    if (substr(s, 1, 1) == "}") s = substr(s, 2)
    else for (;;) {
        ws()
        if (!str()) bad("it is not valid JSON")
        key = tok
        ws()
        if (substr(s, 1, 1) != ":") bad("it is not valid JSON")
        s = substr(s, 2)
        ws()
        if (substr(s, 1, 1) == "\"") {
            if (!str()) bad("it is not valid JSON")
            if (key in want) {
                if (key in got) bad("it has " key " twice")
                got[key] = tok
            }
        } else {
            if (!value(0)) bad("it is not valid JSON")
            if (key in want) bad(key " is not a string")
        }
        ws()
        c = substr(s, 1, 1)
        s = substr(s, 2)
        if (c == "}") break
        if (c != ",") bad("it is not valid JSON")
    }
    ws()
    if (s != "") bad("it has data after the JSON object")
    n = split("AccessKeyId SecretAccessKey Token Expiration", required, " ")
    for (i = 1; i <= n; i++) {
        if (!(required[i] in got)) bad("it has no " required[i])
        if (got[required[i]] == "") bad("its " required[i] " is empty")
    }
    if (!match(got["Expiration"], /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]/))
        bad("its Expiration is not an RFC 3339 date-time")
    printf "{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\",\"SessionToken\":\"%s\",\"Expiration\":\"%s\"", \
        got["AccessKeyId"], got["SecretAccessKey"], got["Token"], got["Expiration"]
    if ("AccountId" in got && got["AccountId"] != "") printf ",\"AccountId\":\"%s\"", got["AccountId"]
    printf "}\n"
}'); then
    fail 10 "the agent's response is unusable: ${parsed:-it could not be parsed}"
fi
printf '%s\n' "$parsed"
