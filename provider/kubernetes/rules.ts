import { ContainerPort, Probe, ResourceRequirements, Toleration } from "./workload";
import { Quantity, compareQuantities, exceedsQuantityMax, isWholeMultiple, isWholeQuantity, parseQuantity } from "./quantity";
import { Problems, checkIntegerRange, checkOneOf, describe, joinPath, keyPath } from "../validation/problems";

/**
 * The Kubernetes API server's validation rules for the values this package sends to it, written from the rules
 * (not copied) so that a value the API server would refuse at `pulumi up` is refused at preview instead, at the path
 * the user wrote. Every check is a pure function that records problems and never throws.
 *
 * Sources (kubernetes/kubernetes and kubernetes/apimachinery, master):
 * - k8s.io/apimachinery/pkg/util/validation/validation.go: IsQualifiedName, IsValidLabelValue, IsDNS1123Label,
 *   IsDNS1123Subdomain, IsValidPortNum, IsValidPortName;
 * - k8s.io/apimachinery/pkg/api/validation/objectmeta.go: ValidateAnnotations, TotalAnnotationSizeLimitB;
 * - k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go: ValidateLabels;
 * - k8s.io/apimachinery/pkg/api/resource/quantity.go: the Quantity grammar (parsed in ./quantity.ts);
 * - pkg/apis/core/validation/validation.go: validateTolerations, validateProbe / validateHandler, validateContainerPorts,
 *   ValidateResourceRequirements and validateContainerResourceName, ValidateNodeSelector (as labels);
 * - pkg/apis/apps/validation/validation.go: ValidateDeploymentName (a DNS-1123 subdomain).
 */

/** Lengths the API server enforces. */
export const KUBERNETES_LIMITS = {
    /** IsDNS1123Label: DNS1123LabelMaxLength. */
    dnsLabel: 63,
    /** IsDNS1123Subdomain: DNS1123SubdomainMaxLength. */
    dnsSubdomain: 253,
    /** IsValidLabelValue: LabelValueMaxLength. */
    labelValue: 63,
    /** IsQualifiedName: the name part after the optional `prefix/`. */
    qualifiedNamePart: 63,
    /** ValidateAnnotations: keys and values of one object's annotations together, in bytes (256 KiB). */
    totalAnnotationBytes: 256 * 1024,
    /** IsValidPortName: an IANA service name. */
    portName: 15,
    /** Probe and toleration integers are int32 fields. */
    int32Max: 2147483647,
    /**
     * The Deployment controller names each ReplicaSet `<deployment>-<pod-template-hash>` (pkg/controller/deployment/
     * sync.go), the hash being at most 10 characters; that name must still be a DNS-1123 subdomain, so a Deployment
     * name longer than 253 - 11 is accepted but never gets a ReplicaSet.
     */
    deploymentName: 253 - 11,
} as const;

/**
 * Namespaces Kubernetes creates and owns. This component never creates or relabels them (`createNamespace` defaults
 * to false for them): applying the "restricted" Pod Security labels to `kube-system` would break its system pods, and
 * deleting the stack would try to delete the namespace.
 */
export const RESERVED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default"] as const;

export function isReservedNamespace(namespace: string): boolean {
    return (RESERVED_NAMESPACES as readonly string[]).includes(namespace);
}

// ---------------------------------------------------------------------------------------------------------------------
// Names (k8s.io/apimachinery/pkg/util/validation/validation.go)
// ---------------------------------------------------------------------------------------------------------------------

/** One DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Dot-separated DNS-1123 labels. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** IsQualifiedName's name part, and (empty allowed) IsValidLabelValue: alphanumerics inside `-`, `_`, `.`. */
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isDnsLabel(value: string): boolean {
    return value.length > 0 && value.length <= KUBERNETES_LIMITS.dnsLabel && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: string): boolean {
    return value.length > 0 && value.length <= KUBERNETES_LIMITS.dnsSubdomain && DNS_SUBDOMAIN.test(value);
}

/** IsDNS1123Label: namespaces, container names. */
export function checkDnsLabel(problems: Problems, path: string, value: string): void {
    if (typeof value !== "string" || !isDnsLabel(value)) {
        problems.add(path, `${quoted(value)} is not a valid DNS-1123 label: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`);
    }
}

/** IsDNS1123Subdomain: service accounts, Deployments, config maps. */
export function checkDnsSubdomain(problems: Problems, path: string, value: string): void {
    if (typeof value !== "string" || !isDnsSubdomain(value)) {
        problems.add(path, `${quoted(value)} is not a valid DNS-1123 subdomain: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`);
    }
}

/** Why `value` is not a qualified name (`[prefix/]name`), or undefined when it is one. */
export function qualifiedNameProblem(value: string): string | undefined {
    const parts = value.split("/");
    if (parts.length > 2) {
        return "has more than one '/'";
    }
    const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
    if (prefix !== undefined && !isDnsSubdomain(prefix)) {
        return `has the prefix "${prefix}", which is not a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.')`;
    }
    if (name.length === 0) {
        return "has an empty name part";
    }
    if (name.length > KUBERNETES_LIMITS.qualifiedNamePart) {
        return `has a name part of ${name.length} characters; at most ${KUBERNETES_LIMITS.qualifiedNamePart} are allowed`;
    }
    if (!QUALIFIED_NAME_PART.test(name)) {
        return `has the name part "${name}", which must use letters, digits, '-', '_' and '.', starting and ending with a letter or digit`;
    }
    return undefined;
}

/** IsQualifiedName: label keys, annotation keys, node selector keys, taint keys. */
export function checkQualifiedName(problems: Problems, path: string, value: string, what: string): void {
    if (typeof value !== "string") {
        problems.add(path, `expected a ${what}, got ${describe(value)}`);
        return;
    }
    const problem = qualifiedNameProblem(value);
    if (problem !== undefined) {
        problems.add(path, `"${value}" is not a valid ${what}: it ${problem}; use an optional DNS-subdomain prefix and '/', then at most 63 characters, e.g. example.com/team`);
    }
}

export function isLabelValue(value: string): boolean {
    return value === "" || (value.length <= KUBERNETES_LIMITS.labelValue && QUALIFIED_NAME_PART.test(value));
}

/** IsValidLabelValue: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending alphanumeric. */
export function checkLabelValue(problems: Problems, path: string, value: string, hint = ""): void {
    if (typeof value !== "string") {
        problems.add(path, `expected a string, got ${describe(value)}`);
    } else if (!isLabelValue(value)) {
        const why = value.length > KUBERNETES_LIMITS.labelValue ? `is ${value.length} characters; label values are at most 63` : "must be empty or use letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
        problems.add(path, `${quoted(value)} is not a valid label value: it ${why}${hint}`);
    }
}

/** ValidateLabels (also used for nodeSelector): qualified-name keys, label values. Non-string values are skipped. */
export function checkLabels(problems: Problems, path: string, labels: Record<string, unknown> | undefined, what = "label key"): void {
    for (const [key, value] of Object.entries(labels ?? {})) {
        checkQualifiedName(problems, keyPath(path, key), key, what);
        if (typeof value === "string") {
            checkLabelValue(problems, keyPath(path, key), value);
        }
    }
}

/**
 * ValidateAnnotations: keys are qualified names (checked lower-cased, so upper-case prefixes pass), and keys and
 * values together stay within 256 KiB, counted in bytes. `extra` are annotations the component adds itself; the total
 * is checked only when every value is a string (`pending` values are checked once known).
 */
export function checkAnnotations(problems: Problems, path: string, annotations: Record<string, unknown> | undefined, extra: Record<string, string> = {}): void {
    const entries = Object.entries(annotations ?? {});
    for (const [key] of entries) {
        const problem = qualifiedNameProblem(key.toLowerCase());
        if (problem !== undefined) {
            problems.add(keyPath(path, key), `"${key}" is not a valid annotation key: it ${problem}; use an optional DNS-subdomain prefix and '/', then at most 63 characters`);
        }
    }
    const all = [...entries, ...Object.entries(extra)];
    if (all.every(([, value]) => typeof value === "string")) {
        const size = all.reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value as string), 0);
        if (size > KUBERNETES_LIMITS.totalAnnotationBytes) {
            problems.add(path, `add up to ${size} bytes; Kubernetes allows ${KUBERNETES_LIMITS.totalAnnotationBytes} (256 KiB) of annotation keys and values per object: move large data to a ConfigMap`);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Pod Security admission labels (k8s.io/pod-security-admission: api.ParseLevel, api.ParseVersion)
// ---------------------------------------------------------------------------------------------------------------------

export const POD_SECURITY_LEVELS = ["privileged", "baseline", "restricted"] as const;
const POD_SECURITY_MODES = ["enforce", "audit", "warn"];
const POD_SECURITY_PREFIX = "pod-security.kubernetes.io/";

/**
 * A namespace's Pod Security labels: `pod-security.kubernetes.io/<enforce|audit|warn>` name a level, and their
 * `-version` labels `latest` or `v1.<minor>`. The PodSecurity admission plugin refuses a namespace with any other value
 * (the real API server refused `enforce: strict` and `enforce-version: latest2`, which the label rules alone accepted).
 */
export function checkPodSecurityLabels(problems: Problems, path: string, labels: Record<string, unknown> | undefined): void {
    for (const [key, value] of Object.entries(labels ?? {})) {
        if (!key.startsWith(POD_SECURITY_PREFIX) || typeof value !== "string") {
            continue;
        }
        const label = key.slice(POD_SECURITY_PREFIX.length);
        if (POD_SECURITY_MODES.includes(label) && !(POD_SECURITY_LEVELS as readonly string[]).includes(value)) {
            problems.add(keyPath(path, key), `${quoted(value)} is not a Pod Security level: use one of ${POD_SECURITY_LEVELS.join(", ")}`);
        } else if (POD_SECURITY_MODES.some((mode) => label === `${mode}-version`) && value !== "latest" && !/^v1\.(0|[1-9][0-9]*)$/.test(value)) {
            problems.add(keyPath(path, key), `${quoted(value)} is not a Pod Security policy version: use "latest" or a Kubernetes minor version such as "v1.33"`);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Environment variables (core validation.go: ValidateEnv, validateEnvVarName)
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Why `name` is not an environment variable name every supported EKS version accepts, or undefined when it is one.
 * Kubernetes 1.34 (RelaxedEnvironmentVariableValidation, GA) admits any non-empty run of printable ASCII other than
 * '=' (validation.go: IsRelaxedEnvVarName); releases before it admit only `[-._a-zA-Z][-._a-zA-Z0-9]*`
 * (IsEnvVarName), and EKS still runs them. A name only 1.34+ admits would pass preview and fail at apply on those
 * clusters, so it is refused, saying so (the value corpus in tests/corpus/kubernetesValues.ts lists these as
 * deliberately stricter than the 1.36 API server of the tests).
 */
export function envVarNameProblem(name: string): string | undefined {
    if (name.length === 0) {
        return "it is empty: give the variable a name";
    }
    if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(name)) {
        return "use printable ASCII characters other than '='";
    }
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
        return "Kubernetes before 1.34 refuses it (only 1.34 and later admit names beyond letters, digits, '_', '-' and '.'): use those, not starting with a digit";
    }
    return undefined;
}

export function checkEnvVarName(problems: Problems, path: string, name: string): void {
    const problem = envVarNameProblem(name);
    if (problem !== undefined) {
        problems.add(path, `is not a valid environment variable name: ${problem}`);
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Ports (validation.go: IsValidPortNum, IsValidPortName; core validateContainerPorts)
// ---------------------------------------------------------------------------------------------------------------------

export function isPortNumber(value: unknown): boolean {
    return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Why `value` is not an IANA service name (IANA_SVC_NAME, RFC 6335), or undefined when it is one. */
export function portNameProblem(value: string): string | undefined {
    if (value.length === 0 || value.length > KUBERNETES_LIMITS.portName) {
        return "must be 1 to 15 characters";
    }
    if (!/^[-a-z0-9]+$/.test(value)) {
        return "must use lower-case letters, digits and '-' only";
    }
    if (!/[a-z]/.test(value)) {
        return "must contain at least one letter";
    }
    if (value.startsWith("-") || value.endsWith("-") || value.includes("--")) {
        return "must not start or end with '-' or contain '--'";
    }
    return undefined;
}

export function checkPortNumber(problems: Problems, path: string, value: unknown): void {
    if (!isPortNumber(value)) {
        problems.add(path, `${JSON.stringify(value) ?? describe(value)} is out of range: use a port number, a whole number from 1 to 65535`);
    }
}

export function checkPortName(problems: Problems, path: string, value: string): void {
    const problem = typeof value === "string" ? portNameProblem(value) : "must be a string";
    if (problem !== undefined) {
        problems.add(path, `${quoted(value)} is not a valid port name (IANA service name): it ${problem}`);
    }
}

/** ValidatePortNumOrName: a port number, or the name of one of the container's ports. */
export function checkPortNumberOrName(problems: Problems, path: string, value: unknown): void {
    if (typeof value === "string") {
        checkPortName(problems, path, value);
    } else {
        checkPortNumber(problems, path, value);
    }
}

/** validateContainerPorts: number required, protocol TCP/UDP/SCTP, names valid and unique within the container. */
export function checkContainerPorts(problems: Problems, path: string, ports: ContainerPort[] | undefined): void {
    if (ports === undefined) {
        return;
    }
    if (!Array.isArray(ports)) {
        problems.add(path, `expected a list of ports, got ${describe(ports)}`);
        return;
    }
    const names = new Set<string>();
    const numbers = new Set<string>();
    ports.forEach((port, i) => {
        const at = `${path}[${i}]`;
        if (port?.containerPort === undefined) {
            problems.add(`${at}.containerPort`, "required: give the port number");
        } else {
            checkPortNumber(problems, `${at}.containerPort`, port.containerPort);
        }
        checkOneOf(problems, `${at}.protocol`, port?.protocol, ["TCP", "UDP", "SCTP"]);
        if (port?.name !== undefined) {
            checkPortName(problems, `${at}.name`, port.name);
            if (names.has(port.name)) {
                problems.add(`${at}.name`, `"${port.name}" is used by another port: port names must be unique within the container`);
            }
            names.add(port.name);
        }
        // Kubernetes only warns about a repeated number/protocol, but a Service could not tell the two apart.
        const key = `${port?.containerPort}/${port?.protocol ?? "TCP"}`;
        if (numbers.has(key)) {
            problems.add(at, `port ${key} is listed twice`);
        }
        numbers.add(key);
    });
}

// ---------------------------------------------------------------------------------------------------------------------
// Tolerations (core validation.go: validateTolerations, validateTaintEffect)
// ---------------------------------------------------------------------------------------------------------------------

export const TOLERATION_OPERATORS = ["Equal", "Exists"] as const;
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/**
 * A pod's (or the agent DaemonSet's) toleration: a qualified-name key; no key only with `Exists` (it then matches
 * every taint); `Exists` takes no value and `Equal` a label value; `tolerationSeconds` only with effect `NoExecute`,
 * the one effect that evicts.
 */
export function checkToleration(problems: Problems, path: string, toleration: Toleration): void {
    if (toleration === null || typeof toleration !== "object") {
        problems.add(path, `expected a toleration object, got ${describe(toleration)}`);
        return;
    }
    const { key, operator, value, effect, tolerationSeconds } = toleration;
    if (key !== undefined && key !== "") {
        checkQualifiedName(problems, joinPath(path, "key"), key, "taint key");
    } else if (operator === undefined || operator === "Equal") {
        problems.add(joinPath(path, "operator"), `must be Exists when key is empty (a toleration without a key matches every taint): set operator "Exists" or give the taint's key`);
    }
    checkOneOf(problems, joinPath(path, "operator"), operator, TOLERATION_OPERATORS);
    if (operator === "Exists" && value !== undefined && value !== "") {
        problems.add(joinPath(path, "value"), "must be empty with operator Exists: remove the value or use operator Equal");
    } else if (operator !== "Exists" && value !== undefined) {
        checkLabelValue(problems, joinPath(path, "value"), value);
    }
    checkOneOf(problems, joinPath(path, "effect"), effect, TAINT_EFFECTS);
    if (tolerationSeconds !== undefined) {
        if (effect !== "NoExecute") {
            problems.add(joinPath(path, "tolerationSeconds"), "only applies to effect NoExecute: set effect NoExecute or drop tolerationSeconds");
        }
        if (typeof tolerationSeconds !== "number" || !Number.isInteger(tolerationSeconds)) {
            problems.add(joinPath(path, "tolerationSeconds"), `${describe(tolerationSeconds)} is not a whole number of seconds`);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Resource requirements (core validation.go: ValidateResourceRequirements, validateContainerResourceName)
// ---------------------------------------------------------------------------------------------------------------------

/** Resources a container may name without a domain (IsStandardContainerResourceName). */
const STANDARD_CONTAINER_RESOURCES = ["cpu", "memory", "ephemeral-storage"];
const HUGE_PAGES = /^hugepages-/;

type ResourceKind = "overcommitable" | "hugepages" | "extended";

/** What kind of resource `name` is, or why a container cannot request it. */
function classifyResource(name: string): ResourceKind | string {
    const problem = qualifiedNameProblem(name);
    if (problem !== undefined) {
        return `is not a valid resource name: it ${problem}`;
    }
    if (STANDARD_CONTAINER_RESOURCES.includes(name)) {
        return "overcommitable";
    }
    if (HUGE_PAGES.test(name)) {
        return parseQuantity(name.slice("hugepages-".length)) ? "hugepages" : `is not a valid huge page size: use hugepages-<size>, e.g. hugepages-2Mi`;
    }
    const prefix = name.includes("/") ? name.split("/")[0] : "";
    // Extended resources need a domain outside kubernetes.io (IsExtendedResourceName, IsNativeResource).
    if (prefix === "" || prefix === "kubernetes.io" || prefix.endsWith(".kubernetes.io") || name.startsWith("requests.")) {
        return `is not a resource a container can request: use cpu, memory, ephemeral-storage, hugepages-<size>, or an extended resource with its vendor's domain, e.g. nvidia.com/gpu`;
    }
    return "extended";
}

/**
 * Requests and limits: known resource names, quantities that parse and are not negative, requests at most the
 * limits (cpu, memory, ephemeral-storage can be overcommitted); huge pages and extended resources cannot, so their
 * request must equal the limit, which is required; extended resources are counted in whole units.
 */
export function checkResourceRequirements(problems: Problems, path: string, resources: ResourceRequirements | undefined): void {
    if (resources === undefined) {
        return;
    }
    if (resources === null || typeof resources !== "object" || Array.isArray(resources)) {
        problems.add(path, `expected requests and limits, got ${describe(resources)}`);
        return;
    }
    const parsed = { requests: new Map<string, Quantity>(), limits: new Map<string, Quantity>() };
    const kinds = new Map<string, ResourceKind>();
    for (const side of ["limits", "requests"] as const) {
        const given: unknown = resources[side];
        if (given === undefined) {
            continue;
        }
        if (given === null || typeof given !== "object" || Array.isArray(given)) {
            problems.add(joinPath(path, side), `expected a map of resource names to quantities, got ${describe(given)}`);
            continue;
        }
        for (const [name, text] of Object.entries(given as Record<string, unknown>)) {
            const at = keyPath(joinPath(path, side), name);
            const kind = classifyResource(name);
            if (kind !== "overcommitable" && kind !== "hugepages" && kind !== "extended") {
                problems.add(at, `"${name}" ${kind}`);
                continue;
            }
            kinds.set(name, kind);
            const quantity = checkQuantity(problems, at, text);
            if (quantity === undefined) {
                continue;
            }
            if (quantity.negative) {
                problems.add(at, `${quoted(text)} is negative: resource quantities must be 0 or more`);
                continue;
            }
            if (kind === "extended" && !isWholeQuantity(quantity)) {
                problems.add(at, `${quoted(text)} is not a whole number: extended resources are counted in whole units`);
                continue;
            }
            // validateResourceQuantityHugePageValue: whole pages only (the real API server refused 3Mi of 2Mi pages,
            // which this rule once accepted).
            const pageSize = kind === "hugepages" ? parseQuantity(name.slice("hugepages-".length)) : undefined;
            if (pageSize !== undefined && !isWholeMultiple(quantity, pageSize)) {
                problems.add(at, `${quoted(text)} is not a whole number of ${name.slice("hugepages-".length)} pages: give a multiple of the page size`);
                continue;
            }
            parsed[side].set(name, quantity);
        }
    }
    // ValidateResourceRequirements: "HugePages require cpu or memory" (the real API server refused huge pages alone,
    // which this rule once accepted).
    const hugePages = [...kinds].find(([, kind]) => kind === "hugepages")?.[0];
    if (hugePages !== undefined && ![...kinds.keys()].some((name) => name === "cpu" || name === "memory")) {
        problems.add(keyPath(joinPath(path, resources.limits && hugePages in resources.limits ? "limits" : "requests"), hugePages), `needs a cpu or memory request or limit beside it: Kubernetes refuses huge pages alone; add e.g. memory`);
    }
    for (const [name, request] of parsed.requests) {
        const at = keyPath(joinPath(path, "requests"), name);
        const limit = parsed.limits.get(name);
        const requestText = String(resources.requests![name]);
        if (kinds.get(name) === "overcommitable") {
            if (limit !== undefined && compareQuantities(request, limit) > 0) {
                problems.add(at, `"${requestText}" is more than the ${name} limit "${resources.limits![name]}": a request must not exceed its limit; raise the limit or lower the request`);
            }
        } else if (limit === undefined && !(resources.limits && name in resources.limits)) {
            // Reported at the request, the path the user wrote (the limit is what is missing).
            problems.add(at, `needs a limit: ${name} cannot be overcommitted, so add limits.${name} equal to the request "${requestText}"`);
        } else if (limit !== undefined && compareQuantities(request, limit) !== 0) {
            problems.add(at, `"${requestText}" differs from the ${name} limit "${resources.limits![name]}": ${name} cannot be overcommitted, so the request must equal the limit`);
        }
    }
}

/** A quantity that parses, or a problem saying how to write one. */
export function checkQuantity(problems: Problems, path: string, text: unknown): Quantity | undefined {
    const quantity = typeof text === "string" ? parseQuantity(text) : undefined;
    if (quantity === undefined) {
        problems.add(path, `${quoted(text)} is not a Kubernetes quantity: write a number with an optional suffix, e.g. 100m, 0.5, 128Mi, 1.5Gi, 1e3`);
    } else if (exceedsQuantityMax(quantity)) {
        problems.add(path, `${quoted(text)} is more than Kubernetes quantities can hold (2^63-1, about 9.2E or 8Ei): the API server would cap it silently; give a smaller value`);
        return undefined;
    }
    return quantity;
}

// ---------------------------------------------------------------------------------------------------------------------
// Probes (core validation.go: validateProbe, validateHandler, validateHTTPGetAction, validateTCPSocketAction, …)
// ---------------------------------------------------------------------------------------------------------------------

export type ProbeKind = "liveness" | "readiness" | "startup";

/**
 * A probe: exactly one handler; ports by number or IANA name (and a name must be one of the container's ports, or the
 * kubelet fails every probe); timings are int32 fields the API server keeps non-negative. This component also refuses
 * 0 where the API server would silently replace it by the default (period, timeout, thresholds), since 0 never means
 * what it says there. Liveness and startup probes need successThreshold 1: one success is all they can act on.
 */
export function checkProbe(problems: Problems, path: string, probe: Probe, kind: ProbeKind, portNames: ReadonlySet<string> = new Set()): void {
    if (probe === null || typeof probe !== "object") {
        problems.add(path, `expected a probe object, got ${describe(probe)}`);
        return;
    }
    const handlers = (["httpGet", "tcpSocket", "exec", "grpc"] as const).filter((h) => probe[h] !== undefined && probe[h] !== null);
    if (handlers.length !== 1) {
        problems.add(path, `give exactly one of httpGet, tcpSocket, exec, grpc (got ${handlers.length === 0 ? "none" : handlers.join(", ")})`);
    }
    for (const handler of ["httpGet", "tcpSocket"] as const) {
        const action = probe[handler];
        if (action === undefined || action === null) {
            continue;
        }
        const portPath = `${path}.${handler}.port`;
        if (action.port === undefined) {
            problems.add(portPath, "required: give the port number or the name of a container port");
            continue;
        }
        checkPortNumberOrName(problems, portPath, action.port);
        if (typeof action.port === "string" && portNameProblem(action.port) === undefined && !portNames.has(action.port)) {
            problems.add(portPath, `names no port of the container ("${action.port}" is not in workload.ports): the kubelet could not resolve it and every probe would fail; add the named port or use a number`);
        }
    }
    if (probe.httpGet) {
        checkOneOf(problems, `${path}.httpGet.scheme`, probe.httpGet.scheme, ["HTTP", "HTTPS"]);
        // Any string is a valid path (validateHTTPGetAction checks none, and the kubelet adds the leading '/' a
        // relative one lacks, as Go's url.URL does); this rule once refused `healthz`, which the API server admits.
        if (probe.httpGet.path !== undefined && typeof probe.httpGet.path !== "string") {
            problems.add(`${path}.httpGet.path`, `${quoted(probe.httpGet.path)} is not a path: give a string such as "/healthz"`);
        }
    }
    if (probe.grpc) {
        checkPortNumber(problems, `${path}.grpc.port`, probe.grpc.port);
    }
    if (probe.exec && (!Array.isArray(probe.exec.command) || probe.exec.command.length === 0)) {
        problems.add(`${path}.exec.command`, "give the command as a non-empty list");
    }
    const int32 = KUBERNETES_LIMITS.int32Max;
    checkIntegerRange(problems, `${path}.initialDelaySeconds`, probe.initialDelaySeconds, 0, int32);
    checkIntegerRange(problems, `${path}.periodSeconds`, probe.periodSeconds, 1, int32);
    checkIntegerRange(problems, `${path}.timeoutSeconds`, probe.timeoutSeconds, 1, int32);
    checkIntegerRange(problems, `${path}.failureThreshold`, probe.failureThreshold, 1, int32);
    checkIntegerRange(problems, `${path}.successThreshold`, probe.successThreshold, 1, int32);
    if (kind !== "readiness" && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
        problems.add(`${path}.successThreshold`, `must be 1 for a ${kind} probe (Kubernetes acts on its first success): drop it or set 1`);
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Workload objects
// ---------------------------------------------------------------------------------------------------------------------

/** ValidateDeploymentName is a DNS-1123 subdomain; the ReplicaSets named after it need 11 more characters. */
export function checkDeploymentName(problems: Problems, path: string, value: string, hint = ""): void {
    if (!isDnsSubdomain(value)) {
        problems.add(path, `${quoted(value)} is not a valid Deployment name: use a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)${hint}`);
    } else if (value.length > KUBERNETES_LIMITS.deploymentName) {
        problems.add(path, `"${value.slice(0, 20)}…" is ${value.length} characters: its ReplicaSets are named <name>-<hash>, which must stay within 253, so use at most ${KUBERNETES_LIMITS.deploymentName}${hint}`);
    }
}

export const IMAGE_REQUIRED = "required: give the container image, e.g. public.ecr.aws/aws-cli/aws-cli:2.17.0";

/**
 * A container's image reference. Kubernetes requires one (validateContainers: `image` is a required value for a
 * workload's containers), and the reference grammar the kubelet parses it with (distribution/reference, "reference.go"
 * grammar; Kubernetes documentation, "Images": image names) has no whitespace anywhere: the API server admits a
 * Deployment whose template has a padded image, and its pods then fail with InvalidImageName. A rule of an input that
 * may be an Output: the component runs it now or as the value resolves (see validation/inputRules.ts).
 */
export function checkContainerImage(problems: Problems, path: string, value: string): void {
    if (value === "") {
        problems.add(path, IMAGE_REQUIRED);
    } else if (/\s/.test(value)) {
        const trimmed = value.trim();
        const fix = trimmed !== "" && !/\s/.test(trimmed) ? `remove the whitespace: "${trimmed}"` : "remove the whitespace";
        problems.add(path, `${JSON.stringify(value)} is not an image reference (the image reference grammar has no whitespace): ${fix}`);
    }
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------------

/** A value for a message: strings quoted (long ones shortened), others described. */
function quoted(value: unknown): string {
    if (typeof value !== "string") {
        return describe(value);
    }
    return value.length > 80 ? `"${value.slice(0, 40)}…" (${value.length} characters)` : `"${value}"`;
}
