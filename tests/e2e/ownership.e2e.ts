/**
 * The component never takes over or deletes a Kubernetes object it did not create, on the real engine: the Pulumi CLI,
 * the real Kubernetes provider (which, with server-side apply, would update an existing object on "create" and
 * delete it on destroy) and the test cluster's API server, with namespaces and service accounts created outside
 * Pulumi. Adoption is the explicit opt-in (`adopt`), and what is adopted is never deleted.
 */
import { after, before, test } from "node:test";
import * as assert from "assert/strict";
import * as path from "path";
import { CloudDouble } from "./support/cloudDouble";
import { KubeClient, testCluster } from "../cluster/client";
import { missingToolchain, removeEnvironment, stackEnvironment, StackEnvironment } from "./support/environment";
import { baseConfig, DriverError, LanguageDriver, runDriver } from "./support/scenario";

const problem = missingToolchain();
if (problem) throw new Error(`the end-to-end suite needs the toolchain: ${problem}`);
const kube = new KubeClient(testCluster());
const cloud = new CloudDouble("prod");
let debugProviders = "";
const environments: StackEnvironment[] = [];

const team = (name: string): LanguageDriver => ({ language: "program", project: name, command: process.execPath, args: [path.join(__dirname, "drivers", "node.js"), "program"] });

function environment(label: string): StackEnvironment {
    const created = stackEnvironment(label, debugProviders);
    created.env.E2E_PROGRAM = path.join(__dirname, "programs", "ownership.js");
    environments.push(created);
    return created;
}

function config(name: string, namespace: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...baseConfig(cloud, namespace), team: name, rolePath: `/${name}/`, ...extra };
}

async function refused(run: Promise<unknown>): Promise<string> {
    const error = await run.then(
        () => undefined,
        (e: DriverError) => e,
    );
    assert.ok(error instanceof DriverError, "the operation fails");
    return error.log;
}

/** Creates a namespace (with a ConfigMap of someone's data in it) outside Pulumi. */
async function outsideNamespace(name: string): Promise<{ uid: string }> {
    const namespace = await kube.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    await kube.create(`/api/v1/namespaces/${name}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "their-data" }, data: { keep: "me" } });
    return { uid: namespace.metadata.uid };
}

before(async () => {
    debugProviders = await cloud.start(testCluster(), "ownership");
});

after(async () => {
    await cloud.stop();
    environments.forEach(removeEnvironment);
    kube.destroy();
});

test("an existing namespace nothing of ours created is refused at preview and at up, and nothing changes; adopting it is explicit and destroy leaves it", { timeout: 6 * 60_000 }, async () => {
    const ns = "ownership-existing";
    const { uid } = await outsideNamespace(ns);
    const stack = environment("existing-ns");
    const log = await refused(runDriver(team("team-a"), stack, "preview", config("team-a", ns)));
    assert.match(log, /namespace: Namespace "ownership-existing" in cluster "[^"]+" exists and was not created by this component/);
    assert.match(log, /set adopt\.namespace to true/);

    await refused(runDriver(team("team-a"), stack, "up", config("team-a", ns)));
    const untouched = await kube.get(`/api/v1/namespaces/${ns}`);
    assert.equal(untouched.metadata.uid, uid);
    assert.equal(untouched.metadata.labels?.["pod-security.kubernetes.io/enforce"], undefined, "no label of ours imposed");
    assert.deepEqual(cloud.live("aws:iam/role:Role").filter((r) => r.path === "/team-a/"), [], "nothing created in AWS either");

    // Adopted on purpose: managed (labels, owner annotations), and never deleted.
    const adopt = config("team-a", ns, { adoptNamespace: "true" });
    await runDriver(team("team-a"), stack, "up", adopt);
    const adopted = await kube.get(`/api/v1/namespaces/${ns}`);
    assert.equal(adopted.metadata.uid, uid);
    assert.equal(adopted.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(adopted.metadata.annotations["eks-pod-identity.pulumi.com/adopted"], "true");
    // The same program again: its own (adopted) namespace passes the check.
    await runDriver(team("team-a"), stack, "up", adopt);
    // Dropping adopt later would let destroy delete it: refused.
    // (Stack configuration persists: the setting is turned off explicitly.)
    const dropped = await refused(runDriver(team("team-a"), stack, "preview", config("team-a", ns, { adoptNamespace: "false" })));
    assert.match(dropped, /was adopted by this component \(it existed before\): keep adopt\.namespace set to true/);

    await runDriver(team("team-a"), stack, "destroy", adopt);
    const left = await kube.get(`/api/v1/namespaces/${ns}`);
    assert.equal(left?.metadata.uid, uid, "destroy leaves the adopted namespace");
    assert.equal(left.status.phase, "Active");
    assert.ok(await kube.get(`/api/v1/namespaces/${ns}/configmaps/their-data`), "and what was in it");
    assert.equal(await kube.get(`/api/v1/namespaces/${ns}/serviceaccounts/api`), undefined, "the service account it created is deleted");
    await kube.delete(`/api/v1/namespaces/${ns}`);
});

test("an existing service account in a namespace we do not create is refused, and stays as it was", { timeout: 4 * 60_000 }, async () => {
    const ns = "ownership-monitoring";
    await outsideNamespace(ns);
    const sa = await kube.create(`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "prometheus" } });
    const stack = environment("existing-sa");
    const settings = config("team-b", ns, { createNamespace: "false", serviceAccount: "prometheus" });
    const log = await refused(runDriver(team("team-b"), stack, "up", settings));
    assert.match(log, /serviceAccountName: ServiceAccount "ownership-monitoring\/prometheus" in cluster "[^"]+" exists and was not created by this component/);
    const after = await kube.get(`/api/v1/namespaces/${ns}/serviceaccounts/prometheus`);
    assert.equal(after.metadata.uid, sa.metadata.uid);
    assert.equal(after.metadata.annotations?.["eks-pod-identity.pulumi.com/owner"], undefined);
    const associations = cloud.live("aws:eks/podIdentityAssociation:PodIdentityAssociation").filter((a) => a.namespace === ns);
    assert.deepEqual(associations, [], "no association attached to it");
    await kube.delete(`/api/v1/namespaces/${ns}`);
});

test("a namespace this component created passes its own later updates, is refused to another stack, and is deleted by its destroy", { timeout: 6 * 60_000 }, async () => {
    const ns = "ownership-created";
    const [first, second] = [environment("created-a"), environment("created-b")];
    await runDriver(team("team-c"), first, "up", config("team-c", ns));
    const created = await kube.get(`/api/v1/namespaces/${ns}`);
    assert.equal(created.metadata.annotations["eks-pod-identity.pulumi.com/owner"], "organization/team-c/e2e/team-c");
    await runDriver(team("team-c"), first, "up", config("team-c", ns, { serviceAccount: "api-v2" }));

    const log = await refused(runDriver(team("team-d"), second, "preview", config("team-d", ns, { serviceAccount: "worker" })));
    assert.match(log, /was created by another component \(organization\/team-c\/e2e\/team-c\)/);

    await runDriver(team("team-c"), first, "destroy", config("team-c", ns, { serviceAccount: "api-v2" }));
    const gone = await kube.get(`/api/v1/namespaces/${ns}`);
    assert.ok(gone === undefined || gone.status.phase === "Terminating", "its own namespace is deleted");
});
