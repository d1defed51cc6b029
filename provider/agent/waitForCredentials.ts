import { readPackageFile } from "../packageFiles";
import { Integer } from "../types";
import { credentialProcessScript } from "../crossAccount/credentialProcess";
import { SCRIPT_KEY } from "../crossAccount/profiles";
import { restrictedContainerSecurityContext } from "../kubernetes/workload";
import { Problems, checkIntegerRange, describe, joinPath } from "../validation/problems";

/**
 * Start-up ordering (`workload.waitForCredentials`): an init container that holds the pod's main containers until the
 * node's Pod Identity agent hands out the pod's credentials, so a pod scheduled on a fresh node does not start
 * before the agent there answers. It runs `wait-for-credentials.sh` (beside this module, shipped in the package),
 * which asks the agent through the credential_process helper (`crossAccount/credential-process.sh`), the same helper
 * the cross-account profiles use: one implementation of the agent's protocol, its endpoint rule and token handling.
 * Both scripts travel in the ConfigMap `<component>-credentials-wait`, mounted read-only into the init container
 * only, so it works without `crossAccount`, in `configFile` mode and in `native` mode alike.
 */

/** Opt-in waiting for the Pod Identity agent before the main containers start. */
export interface WaitForCredentialsSettings {
    /**
     * How long to wait for the agent, 1–900 seconds. The wait then fails the pod's start (the kubelet restarts the
     * init container with back-off, as for any failed init container); its last log line names the cause. The whole
     * wait may exceed this by one request to the agent (at most about 7.5 s). Default 120.
     */
    timeoutSeconds?: Integer;
    /**
     * Image of the init container: it needs a POSIX `sh` and one of curl >= 7.55, GNU wget >= 1.17, busybox `nc`, or
     * bash (the helper's transports). Default `public.ecr.aws/docker/library/busybox:1.36.1`; use a copy in a private
     * registry where nodes cannot pull from public ones.
     */
    image?: string;
}

export const DEFAULT_WAIT_IMAGE = "public.ecr.aws/docker/library/busybox:1.36.1";
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 120;
export const WAIT_CONTAINER_NAME = "wait-for-pod-identity";
export const WAIT_SCRIPT_KEY = "wait-for-credentials.sh";
export const WAIT_MOUNT_PATH = "/etc/pod-identity-wait";
/** Prefix of every line the wait prints. */
export const WAIT_LOG_PREFIX = "pod-identity-wait:";
/**
 * The init container runs as this user and group (`nobody` in busybox and most images): the restricted Pod Security
 * Standard requires a non-root user, and the default image's own user is root.
 */
export const WAIT_USER = 65534;

let script: string | undefined;
/** The wait script's text (POSIX sh); read once, on first use. */
export function waitForCredentialsScript(): string {
    script ??= readPackageFile("provider/agent/wait-for-credentials.sh");
    return script;
}

export function checkWaitForCredentials(problems: Problems, at: string, settings: WaitForCredentialsSettings): void {
    checkIntegerRange(problems, joinPath(at, "timeoutSeconds"), settings.timeoutSeconds, 1, 900, "seconds");
    if (settings.image !== undefined && (settings.image === "" || /\s/.test(settings.image))) {
        problems.add(joinPath(at, "image"), `${describe(settings.image)} is not an image reference: give e.g. ${DEFAULT_WAIT_IMAGE}`);
    }
}

/** The ConfigMap's data: the wait script and the credential helper it runs. */
export function waitConfigMapData(): Record<string, string> {
    return { [WAIT_SCRIPT_KEY]: waitForCredentialsScript(), [SCRIPT_KEY]: credentialProcessScript() };
}

/** The init container and the volumes it needs, for the pod spec. */
export function waitForCredentialsPodParts(settings: WaitForCredentialsSettings, configMapName: string) {
    const volumes = [
        {
            name: "pod-identity-wait",
            configMap: {
                name: configMapName,
                defaultMode: 0o444,
                items: [
                    { key: WAIT_SCRIPT_KEY, path: WAIT_SCRIPT_KEY, mode: 0o555 },
                    { key: SCRIPT_KEY, path: SCRIPT_KEY, mode: 0o555 },
                ],
            },
        },
        // The helper's transports other than curl need a private temporary directory; the root filesystem is read-only.
        { name: "pod-identity-wait-tmp", emptyDir: { sizeLimit: "1Mi" } },
    ];
    const initContainer = {
        name: WAIT_CONTAINER_NAME,
        image: settings.image ?? DEFAULT_WAIT_IMAGE,
        command: ["sh", `${WAIT_MOUNT_PATH}/${WAIT_SCRIPT_KEY}`, `${WAIT_MOUNT_PATH}/${SCRIPT_KEY}`, String(settings.timeoutSeconds ?? DEFAULT_WAIT_TIMEOUT_SECONDS)],
        env: [{ name: "TMPDIR", value: "/tmp" }],
        // Memory is not overcommitted: a limit keeps the wait from taking a busy node's memory.
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } },
        securityContext: { ...restrictedContainerSecurityContext(true), runAsUser: WAIT_USER, runAsGroup: WAIT_USER },
        volumeMounts: [
            { name: "pod-identity-wait", mountPath: WAIT_MOUNT_PATH, readOnly: true },
            { name: "pod-identity-wait-tmp", mountPath: "/tmp" },
        ],
    };
    return { initContainer, volumes };
}
