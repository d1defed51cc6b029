/**
 * The rule that a component never takes over or deletes a Kubernetes object it did not create: the decision on a
 * live object's annotations (pure), and the component wired to a real API server (the test cluster) through its
 * `kubeconfig` input, under the recording engine.
 */
import test from "ava";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ADOPTED_ANNOTATION, OWNER_ANNOTATION, PlannedObject, ownerName, ownershipConflict } from "../provider/kubernetes/ownership";
import { runsUnderMocks } from "../provider/components/mockedEngine";
import { ownershipGate } from "../provider/components/ownershipGate";
import { PodIdentityWorkload } from "../provider";
import { KubeClient, testCluster } from "./cluster/client";
import { rejection, run, value } from "./support/harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the version the test names when the assumption breaks
const SDK_VERSION: string = require("@pulumi/pulumi/package.json").version;
const OWNER = ownerName({ organization: "organization", project: "platform", stack: "prod", component: "api" });
const namespace: PlannedObject = { kind: "Namespace", apiVersion: "v1", name: "payments", path: "namespace", adoptSetting: "adopt.namespace", adopt: false };

test("absent, this component's, or adopted on purpose: created or managed", (t) => {
    t.is(ownershipConflict(namespace, undefined, OWNER, "prod"), undefined);
    t.is(ownershipConflict(namespace, { annotations: { [OWNER_ANNOTATION]: OWNER } }, OWNER, "prod"), undefined);
    t.is(ownershipConflict({ ...namespace, adopt: true }, { annotations: {} }, OWNER, "prod"), undefined);
    t.is(ownershipConflict({ ...namespace, adopt: true }, { annotations: { [OWNER_ANNOTATION]: OWNER, [ADOPTED_ANNOTATION]: "true" } }, OWNER, "prod"), undefined);
});

test("an object nothing of ours created is refused, with the ways out and the annotation that marks it ours", (t) => {
    const reason = ownershipConflict(namespace, { annotations: { note: "kubectl" } }, OWNER, "prod")!;
    t.regex(reason, /^Namespace "payments" in cluster "prod" exists and was not created by this component/);
    t.true(reason.includes(`kubectl annotate namespace payments ${OWNER_ANNOTATION}=${OWNER}`));
    t.regex(reason, /set createNamespace to false to use it as it is, or set adopt\.namespace to true to manage it here while never deleting it, or choose another namespace$/);
});

test("another component's object is refused naming it; one derived from the component's name says to rename the component", (t) => {
    const other = ownerName({ organization: "organization", project: "platform", stack: "staging", component: "api" });
    t.regex(ownershipConflict(namespace, { annotations: { [OWNER_ANNOTATION]: other } }, OWNER, "prod")!, /was created by another component \(organization\/platform\/staging\/api\)/);
    const configMap: PlannedObject = { kind: "ConfigMap", apiVersion: "v1", name: "api-aws-config", namespace: "payments", path: "crossAccount", rename: "rename the component", adopt: false };
    const reason = ownershipConflict(configMap, { annotations: {} }, OWNER, "prod")!;
    t.regex(reason, /^ConfigMap "payments\/api-aws-config"/);
    t.regex(reason, /kubectl annotate configmap api-aws-config -n payments /);
    t.regex(reason, /: rename the component$/);
    t.notRegex(reason, /adopt/);
});

test("an adopted object stays adopted: dropping adopt (which would let destroy delete it) is refused", (t) => {
    const reason = ownershipConflict(namespace, { annotations: { [OWNER_ANNOTATION]: OWNER, [ADOPTED_ANNOTATION]: "true" } }, OWNER, "prod")!;
    t.regex(reason, /was adopted by this component \(it existed before\): keep adopt\.namespace set to true/);
});

test(`mocked engines are recognised through the SDK's mock monitor (@pulumi/pulumi ${SDK_VERSION})`, async (t) => {
    let underMocks = false;
    await run(() => {
        underMocks = runsUnderMocks();
    });
    t.true(underMocks, "pulumi.runtime.getMonitor() under setMocks no longer carries `mocks`: update provider/components/mockedEngine.ts");
});

const kube = (): KubeClient => new KubeClient(testCluster());

async function createNamespace(name: string, annotations: Record<string, string> = {}): Promise<void> {
    const client = kube();
    try {
        await client.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, annotations } });
    } finally {
        client.destroy();
    }
}

function workload(ns: string, extra: Record<string, unknown> = {}): PodIdentityWorkload {
    return new PodIdentityWorkload("api", {
        clusterName: "prod",
        clusterArn: "arn:aws:eks:us-west-2:123456789012:cluster/prod",
        namespace: ns,
        kubeconfig: testCluster().kubeconfig,
        workload: { image: "public.ecr.aws/docker/library/busybox:1.36" },
        ...extra,
    });
}

test.serial("with the real API server: a namespace made outside Pulumi refuses the component, and nothing registers under it", async (t) => {
    await createNamespace("ownership-unit-existing");
    const result = await run(() => workload("ownership-unit-existing"));
    const error = await rejection(result.result.roleArn);
    t.regex(error.message, /- namespace: Namespace "ownership-unit-existing" in cluster "prod" exists and was not created by this component/);
    t.deepEqual(result.childrenOf("api"), [], "no child registered");
});

test.serial("with the real API server: a new namespace passes, every object is marked as this component's; an adopted one says so", async (t) => {
    const result = await run(() => workload("ownership-unit-new"));
    t.true((await value(result.result.roleArn)).includes(":role/"));
    const owner = ownerName({ organization: "organization", project: "project", stack: "stack", component: "api" });
    for (const child of ["api-namespace", "api-service-account", "api-deployment"]) {
        t.is(result.get(child).inputs.metadata.annotations[OWNER_ANNOTATION], owner, child);
    }
    await createNamespace("ownership-unit-adopted");
    const adopted = await run(() => workload("ownership-unit-adopted", { adopt: { namespace: true } }));
    t.deepEqual(adopted.failures, []);
    t.is(adopted.get("api-namespace").inputs.metadata.annotations[ADOPTED_ANNOTATION], "true");
    t.is(adopted.get("api-service-account").inputs.metadata.annotations[ADOPTED_ANNOTATION], undefined);
});

test.serial("with the real API server: a Deployment of the same name made by someone else refuses the component", async (t) => {
    await createNamespace("ownership-unit-shared", {});
    const client = kube();
    try {
        await client.create("/apis/apps/v1/namespaces/ownership-unit-shared/deployments", {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "api" },
            spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "x", image: "busybox" }] } } },
        });
    } finally {
        client.destroy();
    }
    const result = await run(() => workload("ownership-unit-shared", { createNamespace: false }));
    const error = await rejection(result.result.roleArn);
    t.regex(error.message, /- workload\.name: Deployment "ownership-unit-shared\/api" in cluster "prod" exists and was not created by this component/);
    t.notRegex(error.message, /serviceAccountName/, "the service account does not exist: nothing said about it");
});

test("a Kubernetes provider of the user's own needs the kubeconfig: the ambient cluster could be another", async (t) => {
    let gate: pulumi.Output<true> | undefined;
    const reads: string[] = [];
    await run(() => {
        const provider = new k8s.Provider("own", { kubeconfig: "{}" });
        const parent = new pulumi.ComponentResource("test:index:Component", "c", {}, { providers: [provider] });
        const objects = [{ kind: "Namespace" as const, apiVersion: "v1", name: "payments", path: "namespace", adopt: false }];
        gate = ownershipGate({ parent, component: "C", owner: OWNER, cluster: "prod", objects }, () => async (o) => (reads.push(o.name), undefined), () => false);
    });
    t.regex((await rejection(gate!)).message, /- kubeconfig: required with a Kubernetes provider of your own: pass that provider's kubeconfig here/);
    t.deepEqual(reads, [], "the ambient cluster is not read");
});

test("the namespace is read first: when it does not exist, nothing in it is read", async (t) => {
    let gate: pulumi.Output<true> | undefined;
    const reads: string[] = [];
    await run(() => {
        const parent = new pulumi.ComponentResource("test:index:Component", "c", {}, {});
        const objects = [
            { kind: "Namespace" as const, apiVersion: "v1", name: "payments", path: "namespace", adopt: false },
            { kind: "ServiceAccount" as const, apiVersion: "v1", name: "api", namespace: "payments", path: "serviceAccountName", adopt: false },
        ];
        gate = ownershipGate({ parent, component: "C", owner: OWNER, cluster: "prod", objects }, () => async (o) => (reads.push(o.kind), undefined), () => false);
    });
    t.true(await value(gate!));
    t.deepEqual(reads, ["Namespace"]);
});

test("a cluster that cannot be read refuses the component, naming kubeconfig and the object", async (t) => {
    let gate: pulumi.Output<true> | undefined;
    await run(() => {
        const parent = new pulumi.ComponentResource("test:index:Component", "c", {}, {});
        const objects = [{ kind: "ServiceAccount" as const, apiVersion: "v1", name: "api", namespace: "payments", path: "serviceAccountName", adopt: false }];
        gate = ownershipGate({ parent, component: "C", owner: OWNER, cluster: "prod", objects }, () => async () => {
            throw new Error('cannot read ServiceAccount "payments/api" to check who created it: the API server answered 403');
        }, () => false);
    });
    t.regex((await rejection(gate!)).message, /- kubeconfig: cannot read ServiceAccount "payments\/api" to check who created it: the API server answered 403/);
});
