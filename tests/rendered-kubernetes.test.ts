import test from "ava";
import { PodIdentityWorkload, PodIdentityWorkloadArgs } from "../provider";
import { validateKubernetesObject } from "./support/kubernetesSchema";
import { restrictedViolations } from "./support/podSecurity";
import { run } from "./support/harness";
import { ServerTruth, refusals } from "./cluster/serverTruth";

// The objects the component sends to Kubernetes, for the default workload and for every option that shapes the pod:
// admitted by the real API server (tests/cluster/serverTruth.ts: server-side apply dry run, pods under "restricted"),
// and, for quick feedback, by our own checkers of the Kubernetes schema and the "restricted" Pod Security Standard.

const truth = new ServerTruth("rendered");
test.after.always(() => truth.close());
const variants: [string, Partial<PodIdentityWorkloadArgs["workload"]>][] = [
    ["defaults", {}],
    ["everything set", {
        name: "full-deploy",
        containerName: "main",
        replicas: 3,
        command: ["/bin/app"],
        args: ["--port", "8080"],
        env: { LOG_LEVEL: "debug", AWS_REGION: "us-west-2" },
        ports: [{ name: "http", containerPort: 8080 }, { containerPort: 9090, protocol: "UDP" }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5 },
        readinessProbe: { tcpSocket: { port: "http" } },
        startupProbe: { exec: { command: ["/bin/check"] }, failureThreshold: 30 },
        nodeSelector: { "node.kubernetes.io/instance-type": "m7g.large" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "apps", effect: "NoSchedule" }],
        labels: { team: "a" },
        podAnnotations: { "example.com/owner": "team-a" },
        runAsUser: 10001,
        runAsGroup: 10001,
    }],
    ["writable root filesystem", { readOnlyRootFilesystem: false, runAsUser: 1000 }],
    // The init container that waits for the agent, its ConfigMap and volumes (the scripts as they ship).
    ["waits for credentials", { runAsUser: 1000, waitForCredentials: { timeoutSeconds: 60 } }],
    ["waits for credentials, writable root filesystem, own image", { readOnlyRootFilesystem: false, runAsUser: 1000, waitForCredentials: { image: "registry.example.com/mirror/busybox:1.36.1" } }],
];

/** Paths (`spec.template.spec.containers[0].image`) of every null value in `value`. */
function nullPaths(value: unknown, path = ""): string[] {
    if (value === null) return [path];
    if (Array.isArray(value)) return value.flatMap((item, i) => nullPaths(item, `${path}[${i}]`));
    if (typeof value === "object" && value !== undefined) {
        return Object.entries(value).flatMap(([key, item]) => nullPaths(item, path ? `${path}.${key}` : key));
    }
    return [];
}

for (const [title, workload] of variants) {
    test.serial(`rendered objects are admitted by the API server and pods pass "restricted": ${title}`, async (t) => {
        const name = `k8s-${title.replace(/[^a-z]/g, "")}`.slice(0, 30);
        const r = await run(() => new PodIdentityWorkload(name, { clusterName: "k8s", namespace: name, workload: { image: "registry.example.com/app:1.0", ...workload } }));
        const objects = r.resources.filter((x) => x.type.startsWith("kubernetes:")).map((x) => x.inputs);
        t.deepEqual(objects.map((o) => o.kind).sort(), [...(workload?.waitForCredentials ? ["ConfigMap"] : []), "Deployment", "Namespace", "ServiceAccount"]);
        for (const object of objects) {
            t.deepEqual(validateKubernetesObject(object), [], `${object.kind} is valid`);
            // The schema accepts null for optional fields and the API server reads it as "unset", so a null here
            // would be an option silently dropped on its way through the component; the schema check cannot see it.
            t.deepEqual(nullPaths(object), [], `${object.kind} has no null fields`);
        }
        const deployment = objects.find((o) => o.kind === "Deployment")!;
        t.deepEqual(restrictedViolations(deployment.spec.template.spec), []);
        t.is(deployment.spec.template.spec.initContainers?.length ?? 0, workload?.waitForCredentials ? 1 : 0);
        t.deepEqual(refusals(await truth.admit(objects)), [], "the API server admits every object, and the pods under restricted");
    });
}

test("the checkers are live: a weakened pod spec is caught", (t) => {
    // Guards the test above: the same checkers must flag a spec without the component's defaults.
    t.true(restrictedViolations({ containers: [{ name: "app", image: "x" }] }).length >= 4);
    t.true(validateKubernetesObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two" } }).length > 0);
    t.deepEqual(nullPaths({ spec: { containers: [{ name: "app", image: null }] } }), ["spec.containers[0].image"]);
});
