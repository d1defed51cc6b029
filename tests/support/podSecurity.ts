/**
 * Test support: an independent checker for the Kubernetes Pod Security Standards,
 * "restricted" profile (which includes everything in "baseline"), policy version
 * "latest", as documented at
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ and as
 * enforced by the built-in PodSecurity admission controller (k8s.io/pod-security-admission).
 *
 * "containers[*]" below means spec.containers, spec.initContainers and
 * spec.ephemeralContainers. Each violation names the offending field relative to
 * the pod spec, with the container or volume identified by name, e.g.
 *   containers[app].securityContext.allowPrivilegeEscalation must be false
 *
 * Deliberate choices:
 *  - Fields are judged on their exact JSON value: "must be false or unset" fails on
 *    anything but false/undefined/null, "must be true" passes only on true. Wrongly
 *    typed values (e.g. privileged: "false") are therefore reported, which is the
 *    safe side for a test helper.
 *  - Restricted volume types are the documented list plus `image`, which the admission
 *    controller admits since Kubernetes 1.33 (kubernetes/kubernetes#130394; the docs were
 *    not updated), as the real API server showed (tests/pod-security-checker.test.ts).
 *  - A volume without a source is an emptyDir: the API server defaults it so
 *    (SetDefaults_Volume, pkg/apis/core/v1/defaults.go) before admission sees it.
 *  - User-namespaced pods (`hostUsers: false`) get the relaxations the 1.36 API server
 *    applies (check_procMount.go, check_runAsNonRoot.go, check_runAsUser.go): baseline allows
 *    procMount "Unmasked" for them, restricted still does not; restricted drops its
 *    runAsNonRoot and runAsUser controls for them (the root inside is not root outside).
 *  - Legacy seccomp annotations are not checked (ignored by policy version >= 1.19);
 *    the AppArmor annotations are, when `annotations` are given.
 *  - Windows pods (spec.os.name: windows) are exempt from the restricted
 *    allowPrivilegeEscalation, seccomp and capabilities controls, as in the standard.
 */


export type PodSecurityLevel = "baseline" | "restricted";

export interface PodSecurityOptions {
    /** metadata.annotations of the pod (or pod template); used for the AppArmor annotation control. */
    annotations?: Record<string, unknown> | null;
}

/** Violations of the baseline profile. */
export function baselineViolations(podSpec: any, options: PodSecurityOptions = {}): string[] {
    return podSecurityViolations(podSpec, "baseline", options);
}

/** Violations of the restricted profile (baseline controls included). */
export function restrictedViolations(podSpec: any, options: PodSecurityOptions = {}): string[] {
    return podSecurityViolations(podSpec, "restricted", options);
}

export function podSecurityViolations(podSpec: any, level: PodSecurityLevel, options: PodSecurityOptions = {}): string[] {
    if (!isObject(podSpec)) {
        return [`pod spec must be an object (got ${show(podSpec)})`];
    }
    const out: string[] = [];
    checkBaseline(podSpec, options, out);
    if (level === "restricted") {
        checkRestricted(podSpec, out);
    }
    return [...new Set(out)];
}

/**
 * The pod spec and pod annotations of a rendered object: a Pod, a PodTemplate, a
 * workload with spec.template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
 * ReplicationController) or a CronJob. Undefined for anything else.
 */
export function podTemplateOf(obj: any): { spec: any; annotations: Record<string, unknown> | undefined } | undefined {
    if (!isObject(obj)) {
        return undefined;
    }
    let template: any;
    if (obj.kind === "Pod") {
        template = obj;
    } else if (obj.kind === "PodTemplate") {
        template = obj.template;
    } else if (obj.kind === "CronJob") {
        template = obj.spec?.jobTemplate?.spec?.template;
    } else {
        template = obj.spec?.template;
    }
    if (!isObject(template) || !isObject(template.spec)) {
        return undefined;
    }
    const annotations = isObject(template.metadata) && isObject(template.metadata.annotations) ? template.metadata.annotations : undefined;
    return { spec: template.spec, annotations };
}

// ---------------------------------------------------------------------------
// Policy data (policy version "latest")
// ---------------------------------------------------------------------------

/** Capabilities baseline allows in capabilities.add. */
const BASELINE_ADD_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

/** The only capability restricted allows in capabilities.add. */
const RESTRICTED_ADD_CAPABILITY = "NET_BIND_SERVICE";

/** "Safe" sysctls (1.27 added ip_local_reserved_ports, 1.29 the tcp_* ones). */
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);

/** seLinuxOptions.type values allowed ("" = unset; container_engine_t since 1.31). */
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

const SECCOMP_TYPES = new Set(["RuntimeDefault", "Localhost"]);
const APPARMOR_TYPES = new Set(["RuntimeDefault", "Localhost"]);
const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

/** Volume sources restricted allows (hostPath is reported by baseline). */
const RESTRICTED_VOLUME_SOURCES = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
    "image",
];

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;
const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const LIFECYCLE_HANDLERS = ["postStart", "preStop"] as const;

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

interface ContainerView {
    /** e.g. `containers[app]`, `initContainers[#0]` for an unnamed one. */
    label: string;
    container: any;
    /** The container's securityContext, or {} when unset. */
    sc: any;
}

function containersOf(podSpec: any): ContainerView[] {
    const views: ContainerView[] = [];
    for (const list of CONTAINER_LISTS) {
        const containers = podSpec[list];
        if (!Array.isArray(containers)) {
            continue;
        }
        containers.forEach((container: any, index: number) => {
            const name = isObject(container) && typeof container.name === "string" && container.name !== "" ? container.name : `#${index}`;
            const c = isObject(container) ? container : {};
            views.push({ label: `${list}[${name}]`, container: c, sc: isObject(c.securityContext) ? c.securityContext : {} });
        });
    }
    return views;
}

function checkBaseline(podSpec: any, options: PodSecurityOptions, out: string[]): void {
    const podSc = isObject(podSpec.securityContext) ? podSpec.securityContext : {};
    const containers = containersOf(podSpec);

    // HostProcess
    mustBeFalseOrUnset(podSc.windowsOptions?.hostProcess, "securityContext.windowsOptions.hostProcess", out);
    for (const c of containers) {
        mustBeFalseOrUnset(c.sc.windowsOptions?.hostProcess, `${c.label}.securityContext.windowsOptions.hostProcess`, out);
    }

    // Host namespaces
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
        mustBeFalseOrUnset(podSpec[field], field, out);
    }

    // Privileged containers
    for (const c of containers) {
        mustBeFalseOrUnset(c.sc.privileged, `${c.label}.securityContext.privileged`, out);
    }

    // Capabilities (baseline allow-list for add)
    for (const c of containers) {
        for (const cap of listOf(c.sc.capabilities?.add)) {
            if (!BASELINE_ADD_CAPABILITIES.has(cap as string)) {
                out.push(`${c.label}.securityContext.capabilities.add must not include ${show(cap)} (not in the baseline allowed set)`);
            }
        }
    }

    // HostPath volumes
    for (const v of volumesOf(podSpec)) {
        if (isSet(v.volume.hostPath)) {
            out.push(`${v.label}.hostPath is forbidden (hostPath volumes are not allowed)`);
        }
    }

    // Host ports
    for (const c of containers) {
        listOf(c.container.ports).forEach((port: any, index: number) => {
            const hostPort = isObject(port) ? port.hostPort : undefined;
            if (isSet(hostPort) && hostPort !== 0) {
                const id = isObject(port) && typeof port.name === "string" && port.name !== "" ? port.name : `#${index}`;
                out.push(`${c.label}.ports[${id}].hostPort must be 0 or unset (got ${show(hostPort)})`);
            }
        });
    }

    // AppArmor
    checkProfileType(podSc.appArmorProfile, APPARMOR_TYPES, "securityContext.appArmorProfile", out);
    for (const c of containers) {
        checkProfileType(c.sc.appArmorProfile, APPARMOR_TYPES, `${c.label}.securityContext.appArmorProfile`, out);
    }
    for (const [key, value] of Object.entries(options.annotations ?? {})) {
        if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) {
            continue;
        }
        const ok = value === undefined || value === null || value === "" || value === "runtime/default" || (typeof value === "string" && value.startsWith("localhost/"));
        if (!ok) {
            out.push(`metadata.annotations[${JSON.stringify(key)}] must be "runtime/default" or "localhost/<profile>" (got ${show(value)})`);
        }
    }

    // SELinux
    checkSeLinux(podSc.seLinuxOptions, "securityContext.seLinuxOptions", out);
    for (const c of containers) {
        checkSeLinux(c.sc.seLinuxOptions, `${c.label}.securityContext.seLinuxOptions`, out);
    }

    // /proc mount type
    for (const c of containers) {
        if (isSet(c.sc.procMount) && c.sc.procMount !== "Default" && podSpec.hostUsers !== false) {
            out.push(`${c.label}.securityContext.procMount must be "Default" or unset (got ${show(c.sc.procMount)})`);
        }
    }

    // Seccomp: if set, only RuntimeDefault or Localhost (so never Unconfined)
    checkProfileType(podSc.seccompProfile, SECCOMP_TYPES, "securityContext.seccompProfile", out);
    for (const c of containers) {
        checkProfileType(c.sc.seccompProfile, SECCOMP_TYPES, `${c.label}.securityContext.seccompProfile`, out);
    }

    // Sysctls
    listOf(podSc.sysctls).forEach((sysctl: any, index: number) => {
        const name = isObject(sysctl) ? sysctl.name : undefined;
        if (!SAFE_SYSCTLS.has(name)) {
            const id = typeof name === "string" && name !== "" ? name : `#${index}`;
            out.push(`securityContext.sysctls[${id}] is not an allowed sysctl (allowed: ${[...SAFE_SYSCTLS].join(", ")})`);
        }
    });

    // Host field of probes and lifecycle handlers (policy 1.34+)
    for (const c of containers) {
        for (const probe of PROBES) {
            checkHandlerHost(c.container[probe], `${c.label}.${probe}`, out);
        }
        for (const handler of LIFECYCLE_HANDLERS) {
            checkHandlerHost(c.container.lifecycle?.[handler], `${c.label}.lifecycle.${handler}`, out);
        }
    }
}

function checkRestricted(podSpec: any, out: string[]): void {
    const podSc = isObject(podSpec.securityContext) ? podSpec.securityContext : {};
    const containers = containersOf(podSpec);
    const isWindows = podSpec.os?.name === "windows";

    // Volume types
    for (const v of volumesOf(podSpec)) {
        if (RESTRICTED_VOLUME_SOURCES.some((source) => isSet(v.volume[source])) || isSet(v.volume.hostPath)) {
            continue; // allowed, or a hostPath already reported by baseline
        }
        const used = Object.keys(v.volume).filter((key) => key !== "name" && isSet(v.volume[key]));
        if (used.length === 0) {
            continue; // defaulted to an emptyDir by the API server
        }
        out.push(`${v.label} uses volume type ${used.map((u) => JSON.stringify(u)).join(", ")}, which restricted does not allow (allowed: ${RESTRICTED_VOLUME_SOURCES.join(", ")})`);
    }

    // Privilege escalation (Linux only)
    if (!isWindows) {
        for (const c of containers) {
            const value = c.sc.allowPrivilegeEscalation;
            if (value !== false) {
                out.push(`${c.label}.securityContext.allowPrivilegeEscalation must be false${isSet(value) ? ` (got ${show(value)})` : ""}`);
            }
        }
    }

    // /proc mount type: baseline relaxes it for user-namespaced pods, restricted does not.
    if (podSpec.hostUsers === false) {
        for (const c of containers) {
            if (isSet(c.sc.procMount) && c.sc.procMount !== "Default") {
                out.push(`${c.label}.securityContext.procMount must be "Default" or unset (got ${show(c.sc.procMount)})`);
            }
        }
    }

    // Running as non-root (user and flag): not required of user-namespaced pods.
    if (podSpec.hostUsers !== false) {
        checkNonRoot(podSc, containers, out);
    }

    if (isWindows) {
        return;
    }

    // Seccomp must be set: at pod level, or on every container (bad values are baseline's)
    const podSeccompValid = isObject(podSc.seccompProfile) && SECCOMP_TYPES.has(podSc.seccompProfile.type);
    for (const c of containers) {
        if (!isSet(c.sc.seccompProfile) && !podSeccompValid) {
            out.push(
                `${c.label}.securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (or set securityContext.seccompProfile for the pod)`,
            );
        }
    }

    // Capabilities: drop ALL, add at most NET_BIND_SERVICE
    for (const c of containers) {
        const capabilities = isObject(c.sc.capabilities) ? c.sc.capabilities : {};
        if (!listOf(capabilities.drop).includes("ALL")) {
            out.push(`${c.label}.securityContext.capabilities.drop must include "ALL"`);
        }
        for (const cap of listOf(capabilities.add)) {
            // Capabilities outside the baseline set were already reported.
            if (cap !== RESTRICTED_ADD_CAPABILITY && BASELINE_ADD_CAPABILITIES.has(cap as string)) {
                out.push(`${c.label}.securityContext.capabilities.add must not include ${show(cap)} (restricted allows only "${RESTRICTED_ADD_CAPABILITY}")`);
            }
        }
    }
}

/** Restricted's "Running as non-root" and "Running as non-root user" controls. */
function checkNonRoot(podSc: any, containers: ContainerView[], out: string[]): void {
    const podRunAsNonRoot = podSc.runAsNonRoot;
    if (isSet(podRunAsNonRoot) && podRunAsNonRoot !== true) {
        out.push(`securityContext.runAsNonRoot must be true (got ${show(podRunAsNonRoot)})`);
    }
    for (const c of containers) {
        const value = c.sc.runAsNonRoot;
        if (isSet(value)) {
            if (value !== true) {
                out.push(`${c.label}.securityContext.runAsNonRoot must be true (got ${show(value)})`);
            }
        } else if (podRunAsNonRoot !== true) {
            out.push(`${c.label}.securityContext.runAsNonRoot must be true (or set securityContext.runAsNonRoot=true for the pod)`);
        }
    }

    // Running as non-root user
    if (podSc.runAsUser === 0) {
        out.push("securityContext.runAsUser must not be 0");
    }
    for (const c of containers) {
        if (c.sc.runAsUser === 0) {
            out.push(`${c.label}.securityContext.runAsUser must not be 0`);
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function volumesOf(podSpec: any): Array<{ label: string; volume: any }> {
    return listOf(podSpec.volumes).map((volume: any, index: number) => {
        const v = isObject(volume) ? volume : {};
        const name = typeof v.name === "string" && v.name !== "" ? v.name : `#${index}`;
        return { label: `volumes[${name}]`, volume: v };
    });
}

function mustBeFalseOrUnset(value: unknown, path: string, out: string[]): void {
    if (isSet(value) && value !== false) {
        out.push(`${path} must be false or unset (got ${show(value)})`);
    }
}

function checkProfileType(profile: unknown, allowed: Set<string>, path: string, out: string[]): void {
    if (!isSet(profile)) {
        return;
    }
    const type = isObject(profile) ? profile.type : undefined;
    if (!allowed.has(type)) {
        out.push(`${path}.type must be ${[...allowed].map((t) => JSON.stringify(t)).join(" or ")} (got ${show(type)})`);
    }
}

function checkSeLinux(options: unknown, path: string, out: string[]): void {
    if (!isObject(options)) {
        return;
    }
    const type = options.type ?? "";
    if (!SELINUX_TYPES.has(type)) {
        const allowed = [...SELINUX_TYPES].filter((t) => t !== "").join(", ");
        out.push(`${path}.type must be unset or one of ${allowed} (got ${show(type)})`);
    }
    for (const field of ["user", "role"]) {
        const value = options[field];
        if (isSet(value) && value !== "") {
            out.push(`${path}.${field} must be empty or unset (got ${show(value)})`);
        }
    }
}

function checkHandlerHost(handler: unknown, path: string, out: string[]): void {
    if (!isObject(handler)) {
        return;
    }
    for (const action of ["httpGet", "tcpSocket"]) {
        const host = isObject(handler[action]) ? handler[action].host : undefined;
        if (isSet(host) && host !== "") {
            out.push(`${path}.${action}.host must be empty or unset (got ${show(host)})`);
        }
    }
}

function isObject(value: unknown): value is Record<string, any> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isSet(value: unknown): boolean {
    return value !== undefined && value !== null;
}

function listOf(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}
