/**
 * Values our Kubernetes rules (provider/kubernetes/rules.ts, quantity.ts) accept or refuse, one list per rule, shared
 * by the rule tests and the proof that the real API server agrees (tests/kubernetes-rules.test.ts). Each list mixes
 * values on both sides of the rule and at its edges; the values the server once disagreed on stay here.
 */

const long = (n: number, c = "a") => c.repeat(n);
/** A DNS subdomain of exactly `n` characters made of labels of at most 50 characters. */
export const subdomain = (n: number): string => {
    const labels: string[] = [];
    let left = n;
    while (left > 0) {
        const size = Math.min(50, left === 51 ? 49 : left);
        labels.push(long(size, "p"));
        left -= size + 1;
    }
    return labels.join(".").slice(0, n);
};

/** IsValidLabelValue: label values, node selector values, toleration values. */
export const labelValues = ["", "a", "0", "A.b_C-d", long(63), long(64), "a b", "-a", "a-", "a.", "_a", "a/b", "a:b", "é", "a\nb", "1.2.3", "team_a"];

/** IsQualifiedName: label keys, node selector keys, taint keys. */
export const qualifiedNames = [
    "team", "Team_Name.v2", "example.com/team", "Example.com/team", "a/b/c", `example.com/${long(63, "n")}`, `example.com/${long(64, "n")}`,
    "example.com/", "/team", `${subdomain(253)}/team`, `${subdomain(254)}/team`, "_team", "", "my team", "kubernetes.io/os", "a-.b/c", "a..b/c", "1/x",
    "app.kubernetes.io/name", long(63), long(64), "x.", "-x", "a_b/c", "A/b",
];

/** ValidateAnnotations keys (IsQualifiedName of the lower-cased key). */
export const annotationKeys = [...qualifiedNames, "Example.COM/Owner", "EXAMPLE.com/x", "A_B/c"];

/** ValidateAnnotations total size: the length in bytes of one annotation's value (key "big"), ASCII or two-byte. */
export const annotationSizes: [number, string][] = [
    [256 * 1024 - 3, "a"],
    [256 * 1024 - 2, "a"],
    [128 * 1024 - 2, "é"],
    [128 * 1024, "é"],
];

/** IsDNS1123Label: namespaces, container names. */
export const dnsLabels = ["a", "apps", "a-b", "0", "1abc", long(63), long(64), "A", "a_b", "a.b", "-a", "a-", "", "é", "kube-system"];

/** IsDNS1123Subdomain: service accounts, ConfigMaps, Deployments. */
export const dnsSubdomains = ["a", "a.b", "a-b.c-d", subdomain(253), subdomain(254), "a..b", ".a", "a.", "A.b", "a_b", "", "x-aws-config", `${long(63)}.b`, `${long(64)}.b`];

/** Deployment names: a DNS-1123 subdomain whose ReplicaSets `<name>-<pod-template-hash>` still are one. */
export const deploymentNames = ["app", subdomain(242), subdomain(243), subdomain(253), "Bad_Name", long(63, "w")];

/** Container environment variable names (ValidateEnv). */
export const envVarNames = ["LOG_LEVEL", "_x", "a.b", "a-b", "x1", "1x", ".x", "-x", "a b", "a=b", "é", "", "A:B", "PATH", "a\tb", "~x", "x!"];

/**
 * Quantities as a cpu request (and a memory request): the grammar of resource.ParseQuantity, signs included. Not here:
 * 1e2147483647, which our rule refuses and which kept the API server busy until the request timed out (~34 s).
 */
export const quantities = [
    "0", "1", "100m", "1.5Gi", "1e3", "1E3", "1E", ".5", "1.", "+1", "-1", "500u", "3n", "2k", "1Ki", "7Ei", "1e-3", "1e+3", "0.000000001", "0010",
    "-0", "+.5Ki", "1e-9", "0.0000000001", "1e2000", "1e-2000", "99999999999999999999999999", "1.5m", "1M", "1Mi",
    "", ".", "+", "1 ", " 1", "1GB", "1Kib", "1gi", "1K", "1.5.5", "e3", "1e1.5", "1e", "Gi", "1m1", "0x10", "1,5", "∞", "1_000", "1ki", "1e3Mi",
    " 1 ", "\u00a01", "\t1\n", "1\u2028", "\u30001", "9223372036854775807", "9223372036854775808", "8Ei", "1e4294967296", "-", "+.", "1e-", "1Ki3", "1ee3",
];

/** Container resource requirements: names, kinds of resource, and requests against limits. */
export const resourceRequirements: Record<string, unknown>[] = [
    { requests: { cpu: "100m", memory: "1.5Gi", "ephemeral-storage": "1e3" }, limits: { cpu: "0.5", memory: "1536Mi", "ephemeral-storage": "1k" } },
    { requests: { memory: "1Gi", cpu: "1k" }, limits: { memory: "1073741824", cpu: "1e3" } },
    { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } },
    { requests: { cpu: "1001m" }, limits: { cpu: "1" } },
    { requests: { "ephemeral-storage": "2G" }, limits: { "ephemeral-storage": "1Gi" } },
    { requests: { memory: "1Gi" }, limits: { memory: "1G" } },
    { requests: { gpu: "1" } },
    { limits: { "kubernetes.io/gpu": "1" } },
    { limits: { "example.kubernetes.io/gpu": "1" } },
    { limits: { "nvidia.com/gpu": "0.5" } },
    { requests: { "nvidia.com/gpu": "1" } },
    { requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "2" } },
    { requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "1" } },
    { limits: { cpu: "2", "nvidia.com/gpu": "2" } },
    { limits: { "nvidia.com/gpu": "1e3" } },
    { limits: { "nvidia.com/gpu": "1k" } },
    { requests: { "hugepages-2Mi": "1Gi" } },
    { requests: { "hugepages-2Mi": "1Gi", memory: "1Gi" }, limits: { "hugepages-2Mi": "1024Mi", memory: "1Gi" } },
    { limits: { "hugepages-2Mi": "1Gi" } },
    { limits: { "hugepages-2Mi": "1Gi", cpu: "1" } },
    { limits: { "hugepages-x": "1Gi", memory: "1Gi" } },
    { limits: { "hugepages-1Gi": "3Gi", memory: "1Gi" } },
    { limits: { "hugepages-2Mi": "3Mi", memory: "1Gi" } },
    { requests: { "requests.example.com/gpu": "1" }, limits: { "requests.example.com/gpu": "1" } },
    { requests: { "example.com/GPU": "1" }, limits: { "example.com/GPU": "1" } },
    { limits: { storage: "1Gi" } },
    { limits: { pods: "1" } },
    { limits: { "a/b/c": "1" } },
    { requests: { cpu: "-1" } },
    { requests: { cpu: "0" }, limits: { cpu: "0" } },
    { requests: { memory: "1" } },
    { limits: { "hugepages-2Mi": "4Mi", memory: "1Gi" } },
    { limits: { "hugepages-2Mi": "0", memory: "1Gi" } },
    { limits: { "hugepages-1Gi": "2Gi", cpu: "1" }, requests: { "hugepages-1Gi": "2Gi" } },
    { requests: { "hugepages-2Mi": "2Mi", memory: "1Gi" }, limits: { "hugepages-2Mi": "2Mi" } },
];

/** Tolerations (validateTolerations). */
export const tolerations: Record<string, unknown>[] = [
    { operator: "Exists" },
    { key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 },
    { key: "example.com/dedicated", value: "", effect: "PreferNoSchedule" },
    { key: "b", operator: "Exists", value: "" },
    { key: "c", value: long(63), effect: "NoExecute", tolerationSeconds: -1 },
    { key: "", operator: "Equal", value: "x" },
    { value: "x" },
    { key: "a", operator: "Exists", value: "v" },
    { key: "a", operator: "In" },
    { operator: "In" },
    { key: "a", effect: "NoEvict" },
    { key: "a", effect: "NoSchedule", tolerationSeconds: 30 },
    { key: "a", tolerationSeconds: 30 },
    { key: "a/b/c", operator: "Exists" },
    { key: "a", value: "bad value" },
    { effect: "NoSchedule" },
    { operator: "Exists", effect: "NoSchedule" },
    { key: "a", operator: "Equal" },
    { key: "a", operator: "Lt", value: "5" },
    { key: "a", operator: "Gt", value: "x" },
    { key: "a", value: long(64) },
    { key: "A_b", operator: "Exists" },
];

/** Container ports (validateContainerPorts). */
export const containerPorts: Record<string, unknown>[][] = [
    [{ name: "http", containerPort: 8080 }, { containerPort: 9090, protocol: "UDP" }],
    [{ name: "HTTP", containerPort: 80 }],
    [{ name: "8080", containerPort: 8080 }],
    [{ name: "web", containerPort: 80 }, { name: "web", containerPort: 81 }],
    [{ containerPort: 0 }],
    [{ containerPort: 65535 }],
    [{ containerPort: 65536 }],
    [{ containerPort: 80, protocol: "ICMP" }],
    [{ containerPort: 80, protocol: "SCTP", name: "x-1" }],
    [{ containerPort: 80, name: "a--b" }],
    [{ containerPort: 80, name: "toolongportname1" }],
    [{ containerPort: 80, name: "abcdefghijklmno" }],
    [{ containerPort: 80, name: "-a" }],
    [{ containerPort: 80 }, { containerPort: 80 }],
    [{ containerPort: 80 }, { containerPort: 80, protocol: "UDP" }],
];

/** Probes with the container's ports: [probe kind, probe, container ports]. */
export const probes: ["liveness" | "readiness" | "startup", Record<string, unknown>, Record<string, unknown>[]][] = [
    ["liveness", {}, []],
    ["readiness", { exec: { command: ["true"] }, grpc: { port: 9000 } }, []],
    ["liveness", { httpGet: { port: 0 } }, []],
    ["readiness", { tcpSocket: { port: 65536 } }, []],
    ["liveness", { httpGet: { port: "HTTP" } }, []],
    ["liveness", { httpGet: { port: "a--b" } }, []],
    ["liveness", { httpGet: { port: "toolongportname1" } }, []],
    ["startup", { tcpSocket: { port: "metrics" } }, []],
    ["liveness", { exec: { command: ["true"] }, successThreshold: 2 }, []],
    ["startup", { exec: { command: ["true"] }, successThreshold: 3 }, []],
    ["readiness", { exec: { command: ["true"] }, successThreshold: 3 }, []],
    ["readiness", { exec: { command: ["true"] }, periodSeconds: 0 }, []],
    ["readiness", { exec: { command: ["true"] }, timeoutSeconds: -1 }, []],
    ["readiness", { exec: { command: ["true"] }, initialDelaySeconds: -5 }, []],
    ["readiness", { exec: { command: ["true"] }, periodSeconds: 2147483647 }, []],
    ["liveness", { grpc: { port: 70000 } }, []],
    ["liveness", { exec: { command: [] } }, []],
    ["liveness", { httpGet: { port: 8080, scheme: "TCP" } }, []],
    ["liveness", { httpGet: { port: 8080, path: "healthz" } }, []],
    ["liveness", { httpGet: { port: 8080, path: "/healthz", scheme: "HTTPS" } }, []],
    ["liveness", { httpGet: { port: "http", path: "/" } }, [{ name: "http", containerPort: 8080 }]],
    ["startup", { grpc: { port: 65535 }, failureThreshold: 2147483647 }, []],
    ["readiness", { tcpSocket: { port: "x-1" } }, [{ name: "x-1", containerPort: 9090 }]],
];

/** A namespace's Pod Security labels (PodSecurity admission validates them): [label key, value]. */
export const podSecurityLabels: [string, string][] = [
    ["pod-security.kubernetes.io/enforce", "restricted"],
    ["pod-security.kubernetes.io/enforce", "privileged"],
    ["pod-security.kubernetes.io/enforce", "strict"],
    ["pod-security.kubernetes.io/enforce", "Restricted"],
    ["pod-security.kubernetes.io/enforce", ""],
    ["pod-security.kubernetes.io/audit", "x"],
    ["pod-security.kubernetes.io/warn", "baseline"],
    ["pod-security.kubernetes.io/enforce-version", "latest"],
    ["pod-security.kubernetes.io/enforce-version", "v1.33"],
    ["pod-security.kubernetes.io/enforce-version", "v1.99"],
    ["pod-security.kubernetes.io/enforce-version", "v1.0"],
    ["pod-security.kubernetes.io/enforce-version", "v1.01"],
    ["pod-security.kubernetes.io/enforce-version", "latest2"],
    ["pod-security.kubernetes.io/audit-version", "1.33"],
    ["pod-security.kubernetes.io/warn-version", "v2.0"],
    ["pod-security.kubernetes.io/foo", "restricted"],
    ["pod-security.kubernetes.io/enforce-versions", "x"],
];
