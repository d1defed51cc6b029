import { packageFilePath, readPackageFile } from "../packageFiles";

/**
 * The helper script behind `credential_process` (cross-account `configFile` mode with `credentialSource: "process"`):
 * it asks the EKS Pod Identity agent for the pod's credentials, as the SDKs' container provider does, and prints them
 * in the credential_process format, so that a profile with `source_profile` chains them into a role of another account
 * with any SDK or tool that supports credential_process. The component ships it in a ConfigMap mounted with mode 0555.
 *
 * The script is `credential-process.sh` beside this module, shipped in the package as it is and read on first use
 * (this module runs from `dist/provider/crossAccount`, the script stays in `provider/crossAccount`).
 *
 * - POSIX `sh` (dash, busybox ash, bash), POSIX utilities, and the first of: curl >= 7.55, GNU wget >= 1.17, busybox
 *   `nc` (Alpine), bash's `/dev/tcp` (slim Debian or Ubuntu images; the script starts over under bash when `sh` is
 *   another shell). nc and bash speak plain HTTP/1.0 only, which is what the agent's link-local endpoint needs.
 * - Reads `AWS_CONTAINER_CREDENTIALS_FULL_URI` and the token file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` on every run.
 * - Endpoint rule of the AWS SDK for JavaScript v3 (`@aws-sdk/credential-provider-http`): https to any host; plain
 *   http only to `127.0.0.0/8` (dotted quad), `localhost`, `[::1]`, `169.254.170.2` (ECS), `169.254.170.23` and
 *   `[fd00:ec2::23]` (EKS Pod Identity). User info and percent-encoded or unusual hosts are refused.
 * - Per attempt: connect timeout 1 s, request 2 s; up to 3 attempts, 0.5 s then 1 s apart, for connection failures,
 *   timeouts, HTTP 5xx and 429. Worst case about 7.5 s.
 * - The token is never on a command line: curl `-H @-` fed by the shell's built-in printf; GNU wget through a private,
 *   short-lived start-up file; busybox nc and bash get a request the built-in printf writes into a private pipe or
 *   straight into the socket. Busybox wget, which can only take headers on its command line, is never used.
 * - Each failure: one line on stderr prefixed `pod-identity-credentials:`, and an exit code below. Neither the token,
 *   the agent's response nor any key is printed in any failure.
 */

/** Exit codes of the helper script. */
export const CREDENTIAL_PROCESS_EXIT_CODES = {
    /** Credentials printed on stdout. */
    ok: 0,
    /** `AWS_CONTAINER_CREDENTIALS_FULL_URI` or `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` is not set (no association, or pod older than it). */
    missingEnvironment: 2,
    /** The token file is missing, unreadable, empty, or contains a line break. */
    tokenFile: 3,
    /** The endpoint is refused (plain http to a host that is neither loopback nor a container-credential host) or malformed. */
    endpointRefused: 4,
    /**
     * No way to speak HTTP to the agent: none of curl >= 7.55, GNU wget >= 1.17, busybox nc, bash (or an https endpoint
     * without curl or GNU wget), or no writable temporary directory for wget, nc or bash. The message names the fix,
     * including `credentialSource: "ecsContainer"`, with which the SDK reads the agent itself and no helper runs.
     */
    noHttpClient: 5,
    /** The agent could not be reached after all attempts (or the request failed in another way). */
    agentUnreachable: 6,
    /** The agent timed out on every attempt. */
    agentTimeout: 7,
    /** The agent refused the request: HTTP 4xx other than 429 (wrong token, no association). Not retried. */
    agentRejected: 8,
    /** The agent failed: HTTP 5xx or 429 on every attempt, or an unexpected status. */
    agentError: 9,
    /** The agent's response is unusable: not JSON, or a credential field missing, empty or not a string. */
    badResponse: 10,
} as const;

/** Prefix of the one line every failure prints on stderr. */
export const CREDENTIAL_PROCESS_STDERR_PREFIX = "pod-identity-credentials:";

/** Attempts, per-attempt connect and request timeouts (seconds), and the worst-case run time (seconds). */
export const CREDENTIAL_PROCESS_LIMITS = {
    attempts: 3,
    connectTimeoutSeconds: 1,
    requestTimeoutSeconds: 2,
    backoffSeconds: [0.5, 1],
    /** 3 × 2 s + 0.5 s + 1 s. */
    worstCaseSeconds: 7.5,
} as const;

/** Where the helper script ships: next to this module's source, in the package (`provider/crossAccount/`). */
export const CREDENTIAL_PROCESS_SCRIPT_PATH = packageFilePath("provider/crossAccount/credential-process.sh");

let script: string | undefined;
/** The full text of the helper script (POSIX sh), to be mounted executable (0555); read once, on first use. */
export function credentialProcessScript(): string {
    script ??= readPackageFile("provider/crossAccount/credential-process.sh");
    return script;
}
