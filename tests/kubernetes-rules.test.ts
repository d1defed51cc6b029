import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import fc from "fast-check";
import { PodIdentityAgent, PodIdentityWorkload, PodIdentityWorkloadArgs } from "../provider";
import { CREDENTIALS_REVISION_ANNOTATION } from "../provider/kubernetes/workload";
import { compareQuantities, exceedsQuantityMax, parseQuantity } from "../provider/kubernetes/quantity";
import {
    checkAnnotations,
    checkContainerPorts,
    checkDeploymentName,
    checkEnvVarName,
    checkLabels,
    checkPodSecurityLabels,
    checkProbe,
    checkResourceRequirements,
    checkToleration,
    isDnsLabel,
    isDnsSubdomain,
    isLabelValue,
    qualifiedNameProblem,
} from "../provider/kubernetes/rules";
import { Problems } from "../provider/validation/problems";
import { run } from "./support/harness";
import { ServerTruth, Verdict } from "./cluster/serverTruth";
import * as values from "./corpus/kubernetesValues";
import { subdomain } from "./corpus/kubernetesValues";

// The Kubernetes API server's validation rules (provider/kubernetes/rules.ts), seen from the components: a value the
// API server would refuse is refused at construction, at the path the user wrote, as an InputPropertiesError; values
// known only later are refused once known, before the object carrying them registers; unusual but valid values pass.

const serial = test.serial;

interface Reported {
    propertyPath: string;
    reason: string;
}

type WorkloadSettingsLike = Partial<NonNullable<PodIdentityWorkloadArgs["workload"]>>;

let counter = 0;
/** A fresh component name, so claims of namespaces and service accounts never collide between cases. */
const fresh = (prefix: string) => `${prefix}-${++counter}`;

function workloadArgs(name: string, override: Partial<PodIdentityWorkloadArgs>, workload: WorkloadSettingsLike = {}): PodIdentityWorkloadArgs {
    return { clusterName: "rules", namespace: name, ...override, workload: { image: "registry.example.com/app:1.0", ...workload } } as PodIdentityWorkloadArgs;
}

/** The problems a construction was refused with; fails unless it was refused with an InputPropertiesError. */
function refusal(t: { throws: (f: () => unknown) => Error | undefined; is: (a: unknown, b: unknown, m?: string) => void }, construct: () => unknown): Reported[] {
    const error = t.throws(construct);
    t.is(error?.constructor.name, "InputPropertiesError", "an input error, not a crash");
    return ((error as unknown as { errors?: Reported[] })?.errors ?? []) as Reported[];
}

// [title, top-level args, workload settings, the exact paths reported]
type Case = [string, Partial<PodIdentityWorkloadArgs>, WorkloadSettingsLike, string[]];

const long = (n: number, c = "a") => c.repeat(n);

const badCases: Case[] = [
    // Label values (IsValidLabelValue) and keys (IsQualifiedName)
    ["label value of 64 characters", {}, { labels: { team: long(64) } }, ["workload.labels.team"]],
    ["label value with a space", {}, { labels: { team: "a b" } }, ["workload.labels.team"]],
    ["label value starting with '-'", {}, { labels: { team: "-a" } }, ["workload.labels.team"]],
    ["label value ending with '.'", {}, { labels: { team: "a." } }, ["workload.labels.team"]],
    ["label value with '/'", {}, { labels: { team: "a/b" } }, ["workload.labels.team"]],
    ["label key with two slashes", {}, { labels: { "a/b/c": "x" } }, ["workload.labels.a/b/c"]],
    ["label key with an upper-case prefix", {}, { labels: { "Example.com/team": "x" } }, ["workload.labels.Example.com/team"]],
    ["label key whose name part is 64 characters", {}, { labels: { [`example.com/${long(64, "n")}`]: "x" } }, [`workload.labels.example.com/${long(64, "n")}`]],
    ["label key with an empty name part", {}, { labels: { "example.com/": "x" } }, ["workload.labels.example.com/"]],
    ["label key with a 254-character prefix", {}, { labels: { [`${subdomain(254)}/team`]: "x" } }, [`workload.labels.${subdomain(254)}/team`]],
    ["label key starting with '_'", {}, { labels: { _team: "x" } }, ["workload.labels._team"]],
    ["empty label key", {}, { labels: { "": "x" } }, ['workload.labels[""]']],
    ["label key with a space", {}, { labels: { "my team": "x" } }, ['workload.labels["my team"]']],
    ["selector label set by hand", {}, { labels: { "app.kubernetes.io/name": "x" } }, ["workload.labels.app.kubernetes.io/name"]],
    // Annotations (ValidateAnnotations)
    ["annotation key with a space", {}, { podAnnotations: { "bad key": "x" } }, ['workload.podAnnotations["bad key"]']],
    ["annotation key with two slashes", {}, { podAnnotations: { "a/b/c": "x" } }, ["workload.podAnnotations.a/b/c"]],
    ["annotation key with a 64-character name", {}, { podAnnotations: { [long(64)]: "x" } }, [`workload.podAnnotations.${long(64)}`]],
    ["annotations over 256 KiB", {}, { podAnnotations: { big: long(256 * 1024) } }, ["workload.podAnnotations"]],
    ["annotations over 256 KiB counted in bytes", {}, { podAnnotations: { big: long(128 * 1024, "é") } }, ["workload.podAnnotations"]],
    ["the credentials annotation set by hand", {}, { podAnnotations: { [CREDENTIALS_REVISION_ANNOTATION]: "x" } }, [`workload.podAnnotations.${CREDENTIALS_REVISION_ANNOTATION}`]],
    // Namespace labels and node selectors (ValidateLabels)
    ["namespace label value with a space", { namespaceLabels: { team: "a b" } }, {}, ["namespaceLabels.team"]],
    ["namespace label key with two slashes", { namespaceLabels: { "a/b/c": "x" } }, {}, ["namespaceLabels.a/b/c"]],
    ["namespace Pod Security level unknown", { namespaceLabels: { "pod-security.kubernetes.io/enforce": "strict" } }, {}, ["namespaceLabels.pod-security.kubernetes.io/enforce"]],
    ["namespace Pod Security version malformed", { namespaceLabels: { "pod-security.kubernetes.io/audit-version": "1.33" } }, {}, ["namespaceLabels.pod-security.kubernetes.io/audit-version"]],
    ["node selector key with two slashes", {}, { nodeSelector: { "node/type/x": "a" } }, ["workload.nodeSelector.node/type/x"]],
    ["node selector value with a space", {}, { nodeSelector: { zone: "us west" } }, ["workload.nodeSelector.zone"]],
    ["node selector value of 64 characters", {}, { nodeSelector: { zone: long(64) } }, ["workload.nodeSelector.zone"]],
    // Names derived from the component name and workload.name
    ["workload.name of 64 characters (the app.kubernetes.io/name label)", {}, { name: long(64) }, ["workload.name"]],
    ["workload.name over the Deployment name limit", {}, { name: subdomain(243) }, ["workload.name"]],
    ["workload.name not a DNS subdomain", {}, { name: "Bad_Name" }, ["workload.name"]],
    // Tolerations (validateTolerations)
    ["toleration without key and operator Equal", {}, { tolerations: [{ key: "", operator: "Equal", value: "x" }] }, ["workload.tolerations[0].operator"]],
    ["toleration without key and without operator", {}, { tolerations: [{ value: "x" }] }, ["workload.tolerations[0].operator"]],
    ["toleration with Exists and a value", {}, { tolerations: [{ key: "a", operator: "Exists", value: "v" }] }, ["workload.tolerations[0].value"]],
    ["toleration with an unknown operator", {}, { tolerations: [{ key: "a", operator: "In" as never }] }, ["workload.tolerations[0].operator"]],
    ["toleration without key and an unknown operator", {}, { tolerations: [{ operator: "In" as never }] }, ["workload.tolerations[0].operator"]],
    ["toleration with an unknown effect", {}, { tolerations: [{ key: "a", effect: "NoEvict" as never }] }, ["workload.tolerations[0].effect"]],
    ["tolerationSeconds with NoSchedule", {}, { tolerations: [{ key: "a", effect: "NoSchedule", tolerationSeconds: 30 }] }, ["workload.tolerations[0].tolerationSeconds"]],
    ["tolerationSeconds without effect", {}, { tolerations: [{ key: "a", tolerationSeconds: 30 }] }, ["workload.tolerations[0].tolerationSeconds"]],
    ["tolerationSeconds not whole", {}, { tolerations: [{ key: "a", effect: "NoExecute", tolerationSeconds: 1.5 }] }, ["workload.tolerations[0].tolerationSeconds"]],
    ["toleration key with two slashes", {}, { tolerations: [{ key: "a/b/c", operator: "Exists" }] }, ["workload.tolerations[0].key"]],
    ["toleration value not a label value", {}, { tolerations: [{ key: "a", value: "bad value" }] }, ["workload.tolerations[0].value"]],
    ["second toleration bad", {}, { tolerations: [{ operator: "Exists" }, { key: "a", operator: "Exists", value: "v" }] }, ["workload.tolerations[1].value"]],
    ["agent toleration without key", { agent: { install: true, addonVersion: "v1.3.4-eksbuild.1", tolerations: [{ effect: "NoSchedule" }] } }, {}, ["agent.tolerations[0].operator"]],
    // Quantities and resource requirements (quantity.go, ValidateResourceRequirements)
    ["cpu with a space", {}, { resources: { requests: { cpu: "100 m" } } }, ["workload.resources.requests.cpu"]],
    ["memory in GB", {}, { resources: { requests: { memory: "1GB" } } }, ["workload.resources.requests.memory"]],
    ["memory with two dots", {}, { resources: { limits: { memory: "1.5.5Gi" } } }, ["workload.resources.limits.memory"]],
    ["memory Kib", {}, { resources: { limits: { memory: "1Kib" } } }, ["workload.resources.limits.memory"]],
    ["empty quantity", {}, { resources: { requests: { cpu: "" } } }, ["workload.resources.requests.cpu"]],
    ["fractional exponent", {}, { resources: { requests: { memory: "1e1.5" } } }, ["workload.resources.requests.memory"]],
    ["negative cpu", {}, { resources: { requests: { cpu: "-1" } } }, ["workload.resources.requests.cpu"]],
    ["memory request above the limit", {}, { resources: { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } } }, ["workload.resources.requests.memory"]],
    ["cpu request above the limit", {}, { resources: { requests: { cpu: "1" }, limits: { cpu: "500m" } } }, ["workload.resources.requests.cpu"]],
    ["cpu request just above the limit", {}, { resources: { requests: { cpu: "1001m" }, limits: { cpu: "1" } } }, ["workload.resources.requests.cpu"]],
    ["storage request (2G) above a 1Gi limit", {}, { resources: { requests: { "ephemeral-storage": "2G" }, limits: { "ephemeral-storage": "1Gi" } } }, ["workload.resources.requests.ephemeral-storage"]],
    ["memory request 1Gi above a 1G limit", {}, { resources: { requests: { memory: "1Gi" }, limits: { memory: "1G" } } }, ["workload.resources.requests.memory"]],
    ["resource without a domain", {}, { resources: { requests: { gpu: "1" } } }, ["workload.resources.requests.gpu"]],
    ["resource in the kubernetes.io domain", {}, { resources: { limits: { "kubernetes.io/gpu": "1" } } }, ["workload.resources.limits.kubernetes.io/gpu"]],
    ["extended resource not whole", {}, { resources: { limits: { "nvidia.com/gpu": "0.5" } } }, ["workload.resources.limits.nvidia.com/gpu"]],
    ["extended resource requested without a limit", {}, { resources: { requests: { "nvidia.com/gpu": "1" } } }, ["workload.resources.requests.nvidia.com/gpu"]],
    ["extended resource request differing from its limit", {}, { resources: { requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "2" } } }, ["workload.resources.requests.nvidia.com/gpu"]],
    ["huge pages requested without a limit", {}, { resources: { requests: { "hugepages-2Mi": "1Gi", memory: "1Gi" } } }, ["workload.resources.requests.hugepages-2Mi"]],
    ["huge pages without cpu or memory", {}, { resources: { limits: { "hugepages-2Mi": "1Gi" } } }, ["workload.resources.limits.hugepages-2Mi"]],
    ["huge pages not a whole number of pages", {}, { resources: { limits: { "hugepages-2Mi": "3Mi", memory: "1Gi" } } }, ["workload.resources.limits.hugepages-2Mi"]],
    ["environment variable name with '='", {}, { env: { "A=B": "x" } }, ["workload.env.A=B"]],
    ["environment variable name only Kubernetes 1.34+ admits (EKS runs earlier releases)", {}, { env: { "1x": "x", "a b": "y" } }, ["workload.env.1x", "workload.env.a b"]],
    ["agent memory that does not parse", { agent: { install: true, addonVersion: "v1.3.4-eksbuild.1", resources: { limits: { memory: "lots" } } } }, {}, ["agent.resources.limits.memory"]],
    // Probes (validateProbe, validateHandler)
    ["probe without a handler", {}, { livenessProbe: {} }, ["workload.livenessProbe"]],
    ["probe with two handlers", {}, { readinessProbe: { exec: { command: ["true"] }, grpc: { port: 9000 } } }, ["workload.readinessProbe"]],
    ["httpGet port 0", {}, { livenessProbe: { httpGet: { port: 0 } } }, ["workload.livenessProbe.httpGet.port"]],
    ["tcpSocket port 65536", {}, { readinessProbe: { tcpSocket: { port: 65536 } } }, ["workload.readinessProbe.tcpSocket.port"]],
    ["probe port name in upper case", {}, { livenessProbe: { httpGet: { port: "HTTP" } } }, ["workload.livenessProbe.httpGet.port"]],
    ["port name with '--'", {}, { livenessProbe: { httpGet: { port: "a--b" } } }, ["workload.livenessProbe.httpGet.port"]],
    ["port name of 16 characters", {}, { livenessProbe: { httpGet: { port: "toolongportname1" } } }, ["workload.livenessProbe.httpGet.port"]],
    ["port name of no container port", {}, { startupProbe: { tcpSocket: { port: "metrics" } } }, ["workload.startupProbe.tcpSocket.port"]],
    ["liveness successThreshold 2", {}, { livenessProbe: { exec: { command: ["true"] }, successThreshold: 2 } }, ["workload.livenessProbe.successThreshold"]],
    ["startup successThreshold 3", {}, { startupProbe: { exec: { command: ["true"] }, successThreshold: 3 } }, ["workload.startupProbe.successThreshold"]],
    ["periodSeconds 0", {}, { readinessProbe: { exec: { command: ["true"] }, periodSeconds: 0 } }, ["workload.readinessProbe.periodSeconds"]],
    ["timeoutSeconds negative", {}, { readinessProbe: { exec: { command: ["true"] }, timeoutSeconds: -1 } }, ["workload.readinessProbe.timeoutSeconds"]],
    ["failureThreshold fractional", {}, { readinessProbe: { exec: { command: ["true"] }, failureThreshold: 1.5 } }, ["workload.readinessProbe.failureThreshold"]],
    ["initialDelaySeconds negative", {}, { readinessProbe: { exec: { command: ["true"] }, initialDelaySeconds: -5 } }, ["workload.readinessProbe.initialDelaySeconds"]],
    ["periodSeconds beyond int32", {}, { readinessProbe: { exec: { command: ["true"] }, periodSeconds: 2 ** 31 } }, ["workload.readinessProbe.periodSeconds"]],
    ["grpc port 70000", {}, { livenessProbe: { grpc: { port: 70000 } } }, ["workload.livenessProbe.grpc.port"]],
    ["exec without a command", {}, { livenessProbe: { exec: { command: [] } } }, ["workload.livenessProbe.exec.command"]],
    ["httpGet scheme TCP", {}, { livenessProbe: { httpGet: { port: 8080, scheme: "TCP" as never } } }, ["workload.livenessProbe.httpGet.scheme"]],
    // Container ports (validateContainerPorts)
    ["port name in upper case", {}, { ports: [{ name: "HTTP", containerPort: 80 }] }, ["workload.ports[0].name"]],
    ["port name without a letter", {}, { ports: [{ name: "8080", containerPort: 8080 }] }, ["workload.ports[0].name"]],
    ["port names repeated", {}, { ports: [{ name: "web", containerPort: 80 }, { name: "web", containerPort: 81 }] }, ["workload.ports[1].name"]],
    ["port 0", {}, { ports: [{ containerPort: 0 }] }, ["workload.ports[0].containerPort"]],
    ["protocol ICMP", {}, { ports: [{ containerPort: 80, protocol: "ICMP" as never }] }, ["workload.ports[0].protocol"]],
    // Namespaces Kubernetes owns
    ["kube-system with createNamespace true", { namespace: "kube-system", createNamespace: true }, {}, ["createNamespace"]],
    ["default with createNamespace true", { namespace: "default", createNamespace: true }, {}, ["createNamespace"]],
    ["kube-public with namespace labels", { namespace: "kube-public", namespaceLabels: { team: "a" } }, {}, ["namespaceLabels"]],
];

for (const [title, override, workload, paths] of badCases) {
    serial(`refused at construction, at the path written: ${title}`, (t) => {
        const problems = refusal(t, () => new PodIdentityWorkload(fresh("kr"), workloadArgs(fresh("ns"), override, workload)));
        t.deepEqual(
            problems.map((p) => p.propertyPath),
            paths,
            problems.map((p) => `${p.propertyPath}: ${p.reason}`).join("\n"),
        );
        t.true(problems.every((p) => p.reason.length > 20 && !/TypeError|undefined/.test(p.reason)), "every reason says what to do");
    });
}

serial("a 70-character component name is refused: it is the app.kubernetes.io/instance (and by default the name) label", (t) => {
    const name = long(70, "c");
    const problems = refusal(t, () => new PodIdentityWorkload(name, workloadArgs("long-component", { role: { name: "long-component" } })));
    t.deepEqual(problems.map((p) => p.propertyPath), ["workload.name", "name"]);
    t.regex(problems[0].reason, /app\.kubernetes\.io\/name label.*it defaults to the component name: give workload\.name or rename the component/);
    t.regex(problems[1].reason, /app\.kubernetes\.io\/instance label: rename the component/);
    const renamed = refusal(t, () => new PodIdentityWorkload(name, workloadArgs("long-component", { role: { name: "long-component" } }, { name: "short" })));
    t.deepEqual(renamed.map((p) => p.propertyPath), ["name"], "workload.name fixes the name label, not the instance label");
});

serial("a component name that is no label value is refused as the instance label", (t) => {
    const problems = refusal(t, () => new PodIdentityWorkload("my app", workloadArgs("odd-name", { serviceAccountName: "app", role: { name: "odd" } }, { name: "app" })));
    t.deepEqual(problems.map((p) => p.propertyPath), ["name"]);
});

serial("configFile mode: the component name must make a valid ConfigMap name", (t) => {
    const problems = refusal(t, () =>
        new PodIdentityWorkload("Cross_Account", {
            clusterName: "cm-name",
            namespace: "cm-name",
            serviceAccountName: "app",
            role: { name: "cm-name" },
            crossAccount: { targets: [{ roleArn: "arn:aws:iam::210987654321:role/reader" }] },
        }),
    );
    t.deepEqual(problems.map((p) => p.propertyPath), ["name"]);
    t.regex(problems[0].reason, /ConfigMap .* "Cross_Account-aws-config"/);
});

serial("every problem of one input set is reported together", (t) => {
    const problems = refusal(t, () =>
        new PodIdentityWorkload(
            fresh("kr"),
            workloadArgs(fresh("ns"), { namespaceLabels: { "a b": "c" } }, { labels: { x: "-" }, resources: { requests: { cpu: "lots" } }, tolerations: [{ value: "v" }] }),
        ),
    );
    t.deepEqual(problems.map((p) => p.propertyPath).sort(), ['namespaceLabels["a b"]', "workload.labels.x", "workload.resources.requests.cpu", "workload.tolerations[0].operator"]);
});

serial("PodIdentityAgent shares the toleration and resource rules", async (t) => {
    const problems = refusal(t, () =>
        new PodIdentityAgent(fresh("agent"), {
            clusterName: "agent-rules",
            addonVersion: "v1.3.4-eksbuild.1",
            tolerations: [{ key: "", operator: "Equal" }, { key: "a", operator: "Exists", value: "v" }],
            resources: { requests: { cpu: "2" }, limits: { cpu: "1" } },
        }),
    );
    t.deepEqual(problems.map((p) => p.propertyPath), ["tolerations[0].operator", "tolerations[1].value", "resources.requests.cpu"]);
    await run(() => undefined);
});

// Unusual but valid: exactly at the limits, and every quantity form the grammar allows.
const goodCases: [string, Partial<PodIdentityWorkloadArgs>, WorkloadSettingsLike][] = [
    ["63-character label value, empty label value, and odd but valid ones", {}, { labels: { a: long(63), b: "", c: "A.b_C-d", d: "0" } }],
    ["label key with a 253-character prefix and a 63-character name", {}, { labels: { [`${subdomain(253)}/${long(63, "n")}`]: "x" } }],
    ["label key name part with upper case, '_' and '.'", {}, { labels: { "Team_Name.v2": "x" } }],
    ["annotation key with an upper-case prefix (checked lower-cased)", {}, { podAnnotations: { "Example.COM/Owner": "team" } }],
    ["annotations just under 256 KiB with the component's own", {}, { podAnnotations: { big: long(256 * 1024 - 3 - CREDENTIALS_REVISION_ANNOTATION.length - 16) } }],
    ["workload.name of exactly 63 characters", {}, { name: long(63, "w") }],
    ["quantities in every form", {}, { resources: { requests: { cpu: "100m", memory: "1.5Gi", "ephemeral-storage": "1e3" }, limits: { cpu: "0.5", memory: "1536Mi", "ephemeral-storage": "1k" } } }],
    ["quantities zero, signed, dotted and exponent", {}, { resources: { requests: { cpu: "0", memory: "+.5Ki" }, limits: { cpu: "1.", memory: "512" } } }],
    ["quantities the API server reads as zero or trims", {}, { resources: { requests: { cpu: ".", memory: "e3", "ephemeral-storage": " 1 " }, limits: { cpu: "+", memory: "Gi" } } }],
    ["environment variable names every supported Kubernetes release admits", {}, { env: { "-x": "a", ".x": "b", "a.b-c_D9": "c" } }],
    ["httpGet relative path (the kubelet adds the '/')", {}, { livenessProbe: { httpGet: { port: 8080, path: "healthz" } } }],
    ["exa, nano and upper-case exponent", {}, { resources: { requests: { cpu: "500000000n", memory: "1E3" }, limits: { cpu: "500m", memory: "1E" } } }],
    ["request equal to the limit in other units", {}, { resources: { requests: { memory: "1Gi", cpu: "1k" }, limits: { memory: "1073741824", cpu: "1e3" } } }],
    ["extended resource and huge pages with equal request and limit", {}, { resources: { requests: { "nvidia.com/gpu": "1", "hugepages-2Mi": "1Gi", memory: "1Gi" }, limits: { "nvidia.com/gpu": "1", "hugepages-2Mi": "1024Mi", memory: "1Gi" } } }],
    ["limits only", {}, { resources: { limits: { cpu: "2", "nvidia.com/gpu": "2" } } }],
    ["tolerations at the edges", {}, {
        tolerations: [
            { operator: "Exists" },
            { key: "a", operator: "Exists", effect: "NoExecute", tolerationSeconds: 0 },
            { key: "example.com/dedicated", value: "", effect: "PreferNoSchedule" },
            { key: "b", operator: "Exists", value: "" },
            { key: "c", value: long(63), effect: "NoExecute", tolerationSeconds: -1 },
        ],
    }],
    ["probes with named ports, readiness thresholds, int32 limits", {}, {
        ports: [{ name: "http", containerPort: 8080 }, { name: "x-1", containerPort: 9090, protocol: "SCTP" }],
        livenessProbe: { httpGet: { port: "http", path: "/", scheme: "HTTPS" }, successThreshold: 1, initialDelaySeconds: 0 },
        readinessProbe: { tcpSocket: { port: "x-1" }, successThreshold: 3, periodSeconds: 2147483647 },
        startupProbe: { grpc: { port: 65535 }, failureThreshold: 2147483647 },
    }],
    ["node selector with a prefix", {}, { nodeSelector: { "node.kubernetes.io/instance-type": "m7g.large", "topology.kubernetes.io/zone": "" } }],
];

for (const [title, override, workload] of goodCases) {
    serial(`accepted: ${title}`, async (t) => {
        const name = fresh("ok");
        const r = await run(() => new PodIdentityWorkload(name, workloadArgs(name, override, workload)));
        t.deepEqual(r.failures.map((e) => e.message), []);
        t.true(r.has(`${name}-deployment`));
    });
}

serial("a 63-character component name is accepted as the instance and name labels", async (t) => {
    const name = long(63, "m");
    const r = await run(() => new PodIdentityWorkload(name, workloadArgs("exact-63", { role: { name: "exact-63" } })));
    t.deepEqual(r.failures, []);
    t.is(r.get(`${name}-deployment`).inputs.metadata.labels["app.kubernetes.io/instance"], name);
});

// Namespaces Kubernetes owns: never created or relabelled unless... never.
for (const namespace of ["kube-system", "kube-public", "kube-node-lease", "default"]) {
    serial(`${namespace} is not created or relabelled by default`, async (t) => {
        const name = fresh("sys");
        const r = await run(() => new PodIdentityWorkload(name, workloadArgs(namespace, { clusterName: `sys-${name}` })));
        t.deepEqual(r.failures, []);
        t.false(r.has(`${name}-namespace`), "no Namespace object, so no Pod Security labels on it");
        t.is(r.get(`${name}-deployment`).inputs.metadata.namespace, namespace);
        t.is(r.get(`${name}-association`).inputs.namespace, namespace);
    });
}

serial("two workloads in kube-system of one cluster do not claim the namespace", async (t) => {
    const r = await run(() => {
        new PodIdentityWorkload("sys-a", { clusterName: "sys-shared", namespace: "kube-system" });
        return new PodIdentityWorkload("sys-b", { clusterName: "sys-shared", namespace: "kube-system" });
    });
    t.deepEqual(r.failures, []);
});

// Values known only after preview: checked once known; the object carrying them never registers.
function failedWith(failures: Error[], path: string): Reported | undefined {
    for (const failure of failures) {
        if (failure.constructor.name === "InputPropertiesError") {
            const found = ((failure as unknown as { errors: Reported[] }).errors ?? []).find((p) => p.propertyPath === path);
            if (found) {
                return found;
            }
        }
    }
    return undefined;
}

const lateCases: [string, Partial<PodIdentityWorkloadArgs>, WorkloadSettingsLike, string, string][] = [
    ["annotations over 256 KiB from an Output", {}, { podAnnotations: { small: "x", big: pulumi.output(long(300 * 1024)) } }, "workload.podAnnotations", "deployment"],
    ["kube-system from an Output while creating the namespace", { namespace: pulumi.output("kube-system") }, {}, "createNamespace", "namespace"],
];

for (const [title, override, workload, path, carrier] of lateCases) {
    serial(`refused once known, before the ${carrier} registers: ${title}`, async (t) => {
        const name = fresh("late");
        const r = await run(() => new PodIdentityWorkload(name, workloadArgs(name, override, workload)));
        const problem = failedWith(r.failures, path);
        t.truthy(problem, `expected an InputPropertiesError at ${path} in:\n${r.failures.map((e) => e.message).join("\n")}`);
        t.false(r.has(`${name}-${carrier}`), `the ${carrier} carrying the value was never registered`);
    });
}

serial("valid annotation values from Outputs pass through unchanged", async (t) => {
    const name = fresh("late-ok");
    const r = await run(() => new PodIdentityWorkload(name, workloadArgs(name, {}, { podAnnotations: { "example.com/owner": pulumi.output("team-a") } })));
    t.deepEqual(r.failures, []);
    t.is(r.get(`${name}-deployment`).inputs.spec.template.metadata.annotations["example.com/owner"], "team-a");
});

// Labels, node selectors and namespace labels are plain in the args (and in every SDK's schema): an output there is
// refused at preview, naming it, before anything registers.
const outputsWherePlain: [string, Partial<PodIdentityWorkloadArgs>, WorkloadSettingsLike, string][] = [
    ["label value", {}, { labels: { team: pulumi.output("web") as unknown as string } }, "workload.labels.team"],
    ["node selector value", {}, { nodeSelector: { zone: pulumi.output("a") as unknown as string } }, "workload.nodeSelector.zone"],
    ["namespace label value", { namespaceLabels: { team: pulumi.output("a") as unknown as string } }, {}, "namespaceLabels.team"],
];
for (const [title, override, workload, path] of outputsWherePlain) {
    serial(`an output where the args take a plain ${title} is refused at preview`, (t) => {
        const name = fresh("plain");
        const error = t.throws(() => new PodIdentityWorkload(name, workloadArgs(name, override, workload)));
        t.is(error!.constructor.name, "InputPropertiesError");
        t.true((error as pulumi.InputPropertiesError).errors!.some((e) => e.propertyPath === path), error!.message);
    });
}

serial("kube-system from an Output with createNamespace false is accepted", async (t) => {
    const name = fresh("late-sys");
    const r = await run(() => new PodIdentityWorkload(name, workloadArgs("unused", { namespace: pulumi.output("kube-system"), createNamespace: false })));
    t.deepEqual(r.failures, []);
    t.is(r.get(`${name}-deployment`).inputs.metadata.namespace, "kube-system");
});

// The quantity grammar on its own.
test("quantities: what parses and what does not", (t) => {
    for (const good of ["0", "1", "100m", "1.5Gi", "1e3", "1E3", "1E", ".5", "1.", "+1", "-1", "500u", "3n", "2k", "1Ki", "7Ei", "1e-3", "1e+3", "0.000000001", "0010", ".", "+", "1 ", " 1", "e3", "Gi"]) {
        t.truthy(parseQuantity(good), good);
    }
    for (const bad of ["", " ", "1GB", "1Kib", "1gi", "1K", "1.5.5", "1e1.5", "1e", "1m1", "0x10", "1,5", "∞", "1_000", "1e4294967296", "\t1"]) {
        t.is(parseQuantity(bad), undefined, bad);
    }
});

test("quantities compare exactly across units", (t) => {
    const cmp = (a: string, b: string) => compareQuantities(parseQuantity(a)!, parseQuantity(b)!);
    t.is(cmp("1Gi", "1073741824"), 0);
    t.is(cmp("0.5", "500m"), 0);
    t.is(cmp("1e3", "1k"), 0);
    t.is(cmp("1.5Gi", "1536Mi"), 0);
    t.is(cmp("1Mi", "1M"), 1);
    t.is(cmp("100m", "0.2"), -1);
    t.is(cmp("1000000000000000001", "1E"), 1, "beyond floating point precision");
    t.is(cmp("-1", "0"), -1);
    t.is(cmp("0", "-0"), 0);
    t.is(cmp("1e2000", "1e1999"), 1, "huge exponents still order");
    t.true(exceedsQuantityMax(parseQuantity("9223372036854775808")!) && exceedsQuantityMax(parseQuantity("8Ei")!) && exceedsQuantityMax(parseQuantity("1e2147483647")!));
    t.false(exceedsQuantityMax(parseQuantity("9223372036854775807")!) || exceedsQuantityMax(parseQuantity("7Ei")!) || exceedsQuantityMax(parseQuantity("1e-2000")!));
    t.is(cmp("\u00a01\u2028", "1"), 0, "surrounding spaces are trimmed, as the API server's JSON decoding does");
    t.is(cmp("Gi", "0"), 0, "a missing number is 0");
});

// Random values never crash the rules, and every problem is reported under the path given.
test("random labels, tolerations, probes and resources: the rules never throw and report under their path", (t) => {
    const anything = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(undefined), fc.constant(null), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }));
    fc.assert(
        fc.property(
            fc.dictionary(fc.string({ maxLength: 80 }), fc.string({ maxLength: 80 })),
            fc.record({ key: anything, operator: fc.oneof(anything, fc.constantFrom("Equal", "Exists")), value: anything, effect: anything, tolerationSeconds: anything }, { requiredKeys: [] }),
            fc.record({ httpGet: fc.record({ port: anything, path: anything, scheme: anything }, { requiredKeys: [] }), exec: fc.record({ command: anything }), periodSeconds: anything, successThreshold: anything }, { requiredKeys: [] }),
            fc.record({ requests: fc.dictionary(fc.string({ maxLength: 20 }), anything), limits: fc.oneof(fc.dictionary(fc.constantFrom("cpu", "memory", "nvidia.com/gpu"), fc.string({ maxLength: 12 })), anything) }, { requiredKeys: [] }),
            (labels, toleration, probe, resources) => {
                const problems = new Problems();
                checkLabels(problems, "l", labels);
                checkToleration(problems, "t", toleration as never);
                checkProbe(problems, "p", probe as never, "liveness");
                checkResourceRequirements(problems, "r", resources as never);
                return problems.list.every((p) => /^[ltpr]([.[]|$)/.test(p.propertyPath) && p.reason.length > 0);
            },
        ),
        { numRuns: 500 },
    );
    t.pass();
});

test("random strings: a quantity that parses compares equal to itself and never throws", (t) => {
    fc.assert(
        fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+-]?\d{0,4}(\.\d{0,3})?([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d{1,3})?$/)), (text) => {
            const q = parseQuantity(text);
            return q === undefined || compareQuantities(q, q) === 0;
        }),
        { numRuns: 1000 },
    );
    t.pass();
});

// ---- agreement with the real API server ---------------------------------------------------------------------------
// Each rule above is our reading of the API server's validation. For every value of the shared corpus
// (tests/corpus/kubernetesValues.ts), the smallest object carrying it is sent to the real API server (dry run,
// tests/cluster/serverTruth.ts), and the server's verdict must be our rule's. Where they disagreed, the server won:
// the rule was fixed and the value stays in the corpus.

const truth = new ServerTruth("kubernetes-rules");
test.after.always(() => truth.close());

/** Whether a check records no problem. */
const passes = (check: (problems: Problems) => void) => {
    const problems = new Problems();
    check(problems);
    return problems.list.length === 0;
};

const configMap = (metadata: Record<string, unknown>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "carrier", namespace: "carrier", ...metadata } });
const inNamespace = async (object: unknown) => truth.apply(object, await truth.namespaceEnforcing("privileged"));
/** A bare pod whose one container carries `container` (Pod Security "privileged": only validation judges it). */
const podWith = (container: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
    truth.admitPod({ spec: { ...spec, containers: [{ name: "c", image: "registry.example.com/app:1.0", ...container }] } }, "privileged");
const both = async (...verdicts: Promise<Verdict>[]) => {
    const all = await Promise.all(verdicts);
    return { admitted: all.every((v) => v.admitted), message: all.find((v) => !v.admitted)?.message };
};

interface Carrier {
    rule: string;
    values: readonly unknown[];
    ours: (value: any) => boolean;
    server: (value: any) => Promise<{ admitted: boolean; message?: string }>;
}

const carriers: Carrier[] = [
    { rule: "label value (IsValidLabelValue)", values: values.labelValues, ours: (v) => isLabelValue(v), server: (v) => inNamespace(configMap({ labels: { team: v } })) },
    { rule: "label key (IsQualifiedName)", values: values.qualifiedNames, ours: (v) => qualifiedNameProblem(v) === undefined, server: (v) => inNamespace(configMap({ labels: { [v]: "x" } })) },
    { rule: "node selector key and value (ValidateNodeSelector)", values: [...values.qualifiedNames.map((k) => [k, "x"]), ...values.labelValues.map((v) => ["zone", v])], ours: ([k, v]) => passes((p) => checkLabels(p, "n", { [k]: v })), server: ([k, v]) => podWith({}, { nodeSelector: { [k]: v } }) },
    {
        rule: "namespace Pod Security label (PodSecurity admission)",
        values: values.podSecurityLabels,
        ours: ([k, v]) => passes((p) => checkPodSecurityLabels(p, "l", { [k]: v })),
        server: ([k, v]) => truth.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "carrier-pod-security", labels: { [k]: v } } }),
    },
    { rule: "annotation key (ValidateAnnotations)", values: values.annotationKeys, ours: (v) => passes((p) => checkAnnotations(p, "a", { [v]: "x" })), server: (v) => inNamespace(configMap({ annotations: { [v]: "x" } })) },
    { rule: "annotation size (TotalAnnotationSizeLimitB)", values: values.annotationSizes, ours: ([n, c]) => passes((p) => checkAnnotations(p, "a", { big: c.repeat(Buffer.byteLength(c) === 1 ? n : n / 2) })), server: ([n, c]) => inNamespace(configMap({ annotations: { big: c.repeat(Buffer.byteLength(c) === 1 ? n : n / 2) } })) },
    { rule: "namespace name (IsDNS1123Label)", values: values.dnsLabels, ours: (v) => isDnsLabel(v), server: (v) => truth.namespaceName(v) },
    { rule: "container name (IsDNS1123Label)", values: values.dnsLabels, ours: (v) => isDnsLabel(v), server: (v) => podWith({ name: v }) },
    { rule: "service account name (IsDNS1123Subdomain)", values: values.dnsSubdomains, ours: (v) => isDnsSubdomain(v), server: (v) => inNamespace({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: v, namespace: "carrier" } }) },
    { rule: "ConfigMap name (IsDNS1123Subdomain)", values: values.dnsSubdomains, ours: (v) => isDnsSubdomain(v), server: (v) => inNamespace(configMap({ name: v })) },
    {
        rule: "Deployment name, and the name of its ReplicaSets <name>-<pod-template-hash>",
        values: values.deploymentNames,
        ours: (v) => passes((p) => checkDeploymentName(p, "n", v)),
        server: (v) => {
            const template = { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "x" }] } };
            const workload = (kind: string, name: string) => ({ apiVersion: "apps/v1", kind, metadata: { name, namespace: "carrier" }, spec: { selector: { matchLabels: { app: "x" } }, template } });
            // The hash is a 32-bit FNV hash in safe-encoded form, at most 10 characters.
            return both(inNamespace(workload("Deployment", v)), inNamespace(workload("ReplicaSet", `${v}-5d8f9c7b6d`)));
        },
    },
    { rule: "environment variable name (ValidateEnv)", values: values.envVarNames, ours: (v) => passes((p) => checkEnvVarName(p, "e", v)), server: (v) => podWith({ env: [{ name: v, value: "x" }] }) },
    {
        rule: "quantity as a cpu and a memory request (ParseQuantity, non-negative)",
        values: values.quantities,
        ours: (v) => passes((p) => checkResourceRequirements(p, "r", { requests: { cpu: v, memory: v } })),
        server: (v) => podWith({ resources: { requests: { cpu: v, memory: v } } }),
    },
    { rule: "resource requirements (ValidateResourceRequirements)", values: values.resourceRequirements, ours: (v) => passes((p) => checkResourceRequirements(p, "r", v)), server: (v) => podWith({ resources: v }) },
    { rule: "toleration (validateTolerations)", values: values.tolerations, ours: (v) => passes((p) => checkToleration(p, "t", v)), server: (v) => podWith({}, { tolerations: [v] }) },
    { rule: "container ports (validateContainerPorts)", values: values.containerPorts, ours: (v) => passes((p) => checkContainerPorts(p, "p", v)), server: (v) => podWith({ ports: v }) },
    {
        rule: "probe (validateProbe)",
        values: values.probes,
        ours: ([kind, probe, ports]) => passes((p) => checkProbe(p, "p", probe, kind, new Set(ports.map((x: { name?: string }) => x.name).filter(Boolean)))),
        server: ([kind, probe, ports]) => podWith({ ports, [`${kind}Probe`]: probe }),
    },
];

/**
 * Where our rule is deliberately stricter than the API server, and why: the server admits these, and the proof checks
 * that it still does (so that a rule made needlessly strict, or a server grown stricter, shows up here).
 */
const STRICTER_BY_DESIGN: [rule: string, value: unknown, why: string][] = [
    ...["1x", "a b", "A:B", "~x", "x!"].map((name): [string, unknown, string] => [
        "environment variable name (ValidateEnv)",
        name,
        "admitted since Kubernetes 1.34 only (RelaxedEnvironmentVariableValidation); EKS still runs earlier releases, which refuse it",
    ]),
    ["probe (validateProbe)", ["readiness", { exec: { command: ["true"] }, periodSeconds: 0 }, []], "the server replaces 0 by the default 10 s, which is never what 0 means"],
    ["probe (validateProbe)", ["startup", { tcpSocket: { port: "metrics" } }, []], "a port name no container port has: the kubelet fails every probe"],
    ["container ports (validateContainerPorts)", [{ containerPort: 80 }, { containerPort: 80 }], "the server only warns; a Service could not tell the two apart"],
    ["resource requirements (ValidateResourceRequirements)", { limits: { "kubernetes.io/gpu": "1" } }, "a native-looking name (IsPrefixedNativeResource) no node offers: the pod would never schedule"],
    ["resource requirements (ValidateResourceRequirements)", { limits: { "example.kubernetes.io/gpu": "1" } }, "a native-looking name (IsPrefixedNativeResource) no node offers: the pod would never schedule"],
    ["quantity as a cpu and a memory request (ParseQuantity, non-negative)", "1e4294967296", "the server casts the exponent to 32 bits, reading this as 1"],
    ["quantity as a cpu and a memory request (ParseQuantity, non-negative)", "1e2000", "beyond 2^63-1, which the server caps silently"],
    ["quantity as a cpu and a memory request (ParseQuantity, non-negative)", "8Ei", "beyond 2^63-1, which the server caps silently"],
    ["quantity as a cpu and a memory request (ParseQuantity, non-negative)", "9223372036854775808", "beyond 2^63-1, which the server caps silently"],
    ["quantity as a cpu and a memory request (ParseQuantity, non-negative)", "99999999999999999999999999", "beyond 2^63-1, which the server caps silently"],
];

const describeValue = (value: unknown) => {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 100)}… (${text.length} characters)` : text;
};

test("every rule's verdict on the value corpus is the API server's", async (t) => {
    const disagreements: string[] = [];
    const stricter = new Set(STRICTER_BY_DESIGN.map(([rule, value]) => `${rule} ${JSON.stringify(value)}`));
    await Promise.all(
        carriers.flatMap((carrier) =>
            carrier.values.map(async (value) => {
                const ours = carrier.ours(value);
                const server = await carrier.server(value);
                const byDesign = stricter.has(`${carrier.rule} ${JSON.stringify(value)}`);
                if (byDesign ? ours || !server.admitted : ours !== server.admitted) {
                    const why = server.admitted ? "server admits" : `server refuses: ${server.message}`;
                    disagreements.push(`${carrier.rule} ${describeValue(value)}: ours ${ours ? "accepts" : "refuses"}${byDesign ? " (stricter by design)" : ""}, ${why}`);
                }
            }),
        ),
    );
    t.deepEqual(disagreements.sort(), [], disagreements.join("\n"));
});
