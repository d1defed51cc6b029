import * as assert from "assert/strict";
import { spawn } from "child_process";
import * as path from "path";
import { CallRecord, CloudDouble } from "./cloudDouble";
import { ROOT, StackEnvironment } from "./environment";
import { INJECTED_ENV } from "./admission";
import { ACCOUNT } from "../../support/awsIds";

export type Operation = "preview" | "up" | "destroy";

export interface OperationResult {
    outputs: Record<string, any>;
    changes: Record<string, number>;
    /** The CLI's progress as the driver saw it (for failure messages). */
    log: string;
    ms: number;
}

export class DriverError extends Error {
    constructor(message: string, readonly log: string) {
        super(message);
    }
}

/** A language driver process: the same protocol for every language (see drivers/node.ts). */
export interface LanguageDriver {
    language: string;
    /** Project name; default `e2e-<language>`. */
    project?: string;
    command: string;
    args: string[];
    cwd?: string;
}

export async function runDriver(
    driver: LanguageDriver,
    environment: StackEnvironment,
    op: Operation,
    config: Record<string, string>,
): Promise<OperationResult> {
    const started = Date.now();
    const child = spawn(driver.command, [...driver.args, op], {
        cwd: driver.cwd,
        env: {
            ...environment.env,
            E2E_ROOT: ROOT,
            E2E_WORK_DIR: path.join(environment.dir, "work"),
            E2E_PROJECT: driver.project ?? `e2e-${driver.language}`,
            E2E_CONFIG: JSON.stringify(config),
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let log = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (log += d));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    const line = stdout.split("\n").find((l) => l.startsWith("E2E-RESULT "));
    if (status !== 0 || !line) {
        throw new DriverError(`${driver.language} driver: ${op} failed (exit ${status}):\n${log}\n${stdout}`, log);
    }
    return { ...JSON.parse(line.slice("E2E-RESULT ".length)), log, ms: Date.now() - started };
}

const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const PERMISSIONS = new Set(["aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]);

/** The calls of `method` (on `type`, a type or a set of types) that changed the cloud: not previews, not failures. */
export const applied = (calls: CallRecord[], method: CallRecord["method"], type?: string | Set<string>) =>
    calls.filter(
        (c) => c.method === method && !c.preview && !c.error && (type === undefined || (typeof type === "string" ? c.type === type : type.has(c.type))),
    );

/**
 * Every call of `first` finished before any call of `then` started. Both must be non-empty: an ordering over no
 * calls holds vacuously, and would hide that the step it is about never happened.
 */
function before(first: CallRecord[], then: CallRecord[], what: string): void {
    assert.ok(first.length > 0, `${what}: none of the calls that must come first happened`);
    assert.ok(then.length > 0, `${what}: none of the calls that must come after happened`);
    for (const a of first) {
        for (const b of then) {
            assert.ok(a.end! < b.start, `${what}: ${a.method} ${a.type} ${a.name} must finish before ${b.method} ${b.type} ${b.name} starts`);
        }
    }
}

/** The configuration every example program reads (see examples/README.md). */
export function baseConfig(cloud: CloudDouble, namespace = "payments"): Record<string, string> {
    return {
        "aws:region": "us-west-2",
        clusterName: cloud.clusterName,
        clusterArn: cloud.clusterArn(),
        namespace,
        serviceAccount: "api",
        rolePath: "/",
    };
}

export interface ScenarioTimings {
    preview: number;
    up: number;
    update: number;
    rename: number;
    destroy: number;
}

/**
 * preview → up → an update that replaces the role → a namespace rename → destroy, asserting after each step what
 * reached the cloud, in which order, and what the program got back.
 */
export async function lifecycleScenario(driver: LanguageDriver, cloud: CloudDouble, environment: StackEnvironment): Promise<ScenarioTimings> {
    // Namespaces of this scenario's own: the cluster is shared with other suites (and a failed scenario may leave
    // objects behind), so nothing here depends on what else the API server holds.
    const payments = `${driver.language}-payments`;
    const billing = `${driver.language}-billing`;
    const mine = [payments, billing];
    const config = baseConfig(cloud, payments);
    const timings: Partial<ScenarioTimings> = {};

    // 1. preview: a plan, nothing created.
    let mark = cloud.mark();
    const preview = await runDriver(driver, environment, "preview", config);
    timings.preview = preview.ms;
    assert.equal(applied(cloud.since(mark), "Create").length, 0, "a preview creates nothing");
    assert.ok((preview.changes.create ?? 0) >= 7, `preview plans the component and its children: ${JSON.stringify(preview.changes)}\n${preview.log}`);

    // 2. up: role → policies ∥ association → Deployment; outputs are what AWS assigned.
    mark = cloud.mark();
    const up = await runDriver(driver, environment, "up", config);
    timings.up = up.ms;
    let calls = cloud.since(mark);
    const [role] = applied(calls, "Create", ROLE);
    assert.ok(role, `the role was created:\n${up.log}`);
    const permissions = applied(calls, "Create", PERMISSIONS);
    const associations = applied(calls, "Create", ASSOCIATION);
    const deployments = applied(calls, "Create", DEPLOYMENT);
    assert.ok(permissions.length >= 2, "the managed policy attachment and the inline policy were created");
    assert.equal(associations.length, 1);
    assert.equal(deployments.length, 1);
    before([role], [...permissions, ...associations], "the role exists before its policies and association");
    before([...permissions, ...associations], deployments, "the pods start after their permissions and association");
    const [liveRole] = cloud.live(ROLE);
    const [liveAssociation] = cloud.live(ASSOCIATION);
    assert.equal(up.outputs.roleArn, liveRole.arn, "roleArn reaches the program");
    assert.match(up.outputs.roleArn, new RegExp(`^arn:aws:iam::${ACCOUNT}:role/`));
    assert.equal(up.outputs.associationArn, liveAssociation.associationArn, "associationArn reaches the program");
    assert.equal(liveAssociation.roleArn, liveRole.arn);
    assert.deepEqual([liveAssociation.namespace, liveAssociation.serviceAccount], [payments, "api"]);
    assert.equal(cloud.rollouts.at(-1)?.credentialsInjected, true, "the pods were created after the association: the webhook injected credentials");
    const firstRevision = cloud.rollouts.at(-1)!.annotations["eks-pod-identity.pulumi.com/credentials-revision"];
    assert.ok(firstRevision, "the pod template carries the credentials revision");
    await assertPodsCarryCredentials(cloud, payments, firstRevision);

    // 3. An update that replaces the role (new path): association updated in place, pods rolled.
    mark = cloud.mark();
    const update = await runDriver(driver, environment, "up", { ...config, rolePath: "/workloads/" });
    timings.update = update.ms;
    calls = cloud.since(mark);
    assert.equal(applied(calls, "Create", ROLE).length, 1, `the role is replaced:\n${update.log}`);
    assert.equal(applied(calls, "Delete", ROLE).length, 1, "the old role is deleted");
    assert.equal(applied(calls, "Update", ASSOCIATION).length, 1, "the association is updated in place");
    assert.equal(applied(calls, "Create", ASSOCIATION).length + applied(calls, "Delete", ASSOCIATION).length, 0, "the association is not replaced");
    // The provider may send more than one request for one update (its managed-fields bookkeeping leaves the
    // template as it was); what matters is that the pods see one new template, not an intermediate one.
    const deploymentUpdates = applied(calls, "Update", DEPLOYMENT);
    const newTemplates = new Set(
        deploymentUpdates
            .map((u) => u.inputs?.spec?.template)
            .filter((t) => t?.metadata?.annotations?.["eks-pod-identity.pulumi.com/credentials-revision"] !== firstRevision)
            .map((t) => JSON.stringify(t)),
    );
    assert.equal(newTemplates.size, 1, "the Deployment gets one new pod template");
    const rolled = cloud.rollouts.at(-1)!;
    assert.notEqual(rolled.annotations["eks-pod-identity.pulumi.com/credentials-revision"], firstRevision, "the pods roll: new credentials revision");
    assert.equal(rolled.credentialsInjected, true);
    await assertPodsCarryCredentials(cloud, payments, rolled.annotations["eks-pod-identity.pulumi.com/credentials-revision"]);
    before(applied(calls, "Update", ASSOCIATION), applied(calls, "Update", DEPLOYMENT), "pods roll after the association points at the new role");
    before(applied(calls, "Delete", PERMISSIONS), applied(calls, "Delete", ROLE), "policies are detached before the old role is deleted");
    assert.match(update.outputs.roleArn, /:role\/workloads\//, "the new role ARN reaches the program");
    assert.equal(cloud.live(ROLE).length, 1);

    // 4. Renaming the namespace: what is keyed by it is replaced, in an order AWS and the API server accept.
    mark = cloud.mark();
    const rename = await runDriver(driver, environment, "up", { ...config, rolePath: "/workloads/", namespace: billing });
    timings.rename = rename.ms;
    calls = cloud.since(mark);
    assert.equal(applied(calls, "Create", ASSOCIATION).length, 1, `a new association for the new namespace:\n${rename.log}`);
    assert.equal(applied(calls, "Delete", ASSOCIATION).length, 1, "the old association is deleted");
    assert.equal(applied(calls, "Create", ROLE).length, 0, "the role is kept (its trust policy is updated)");
    assert.equal(applied(calls, "Update", ROLE).length, 1, "the trust policy now names the new namespace");
    before(applied(calls, "Update", ROLE), applied(calls, "Create", DEPLOYMENT), "the trust allows the new namespace before its pods start");
    before(applied(calls, "Create", ASSOCIATION), applied(calls, "Create", DEPLOYMENT), "the new association exists before the new pods");
    assert.deepEqual(cloud.live(ASSOCIATION).map((a) => a.namespace), [billing]);
    assert.deepEqual((await cloud.liveObjects("Namespace", mine)).map((n) => n.name), [billing], "the old namespace is gone from the API server");
    assert.deepEqual((await cloud.liveObjects("ServiceAccount", mine)).map((n) => n.namespace), [billing]);
    await assertPodsCarryCredentials(cloud, billing);
    assert.equal(cloud.rollouts.at(-1)?.namespace, billing);
    assert.equal(cloud.rollouts.at(-1)?.credentialsInjected, true);
    assert.equal(rename.outputs.namespace, billing);
    assert.equal(rename.outputs.associationArn, cloud.live(ASSOCIATION)[0].associationArn);

    // 5. destroy: reverse order, nothing left.
    mark = cloud.mark();
    const destroy = await runDriver(driver, environment, "destroy", { ...config, rolePath: "/workloads/", namespace: billing });
    timings.destroy = destroy.ms;
    calls = cloud.since(mark);
    const deleted = (type: string | Set<string>) => applied(calls, "Delete", type);
    before(deleted(DEPLOYMENT), deleted(ASSOCIATION), "pods go before their association");
    before(deleted(DEPLOYMENT), deleted(SERVICE_ACCOUNT), "pods go before their service account");
    before([...deleted(PERMISSIONS), ...deleted(ASSOCIATION)], deleted(ROLE), "policies and association go before the role");
    before([...deleted(SERVICE_ACCOUNT), ...deleted(DEPLOYMENT)], deleted(NAMESPACE), "namespaced objects go before their namespace");
    for (const type of [ROLE, ASSOCIATION, ...PERMISSIONS]) assert.deepEqual(cloud.live(type), [], `${type}: nothing left`);
    for (const kind of ["Namespace", "ServiceAccount", "ConfigMap", "Deployment", "Pod"]) {
        assert.deepEqual(await cloud.liveObjects(kind, mine), [], `${kind}: nothing left in the API server`);
    }
    return timings as ScenarioTimings;
}

/**
 * The pods the API server holds in `namespace` (the Deployment's, once the provider reported it Available) are
 * Running and Ready on the fake node, carry the credentials the EKS webhook model injected, and, when given, the
 * credentials revision: after a rollout only new pods are left.
 */
async function assertPodsCarryCredentials(cloud: CloudDouble, namespace: string, revision?: string): Promise<void> {
    // kwok marks a pod Ready asynchronously; the Deployment was Available when the provider returned, so every pod
    // is Ready within moments (10 s is generous on a loaded machine).
    const ready = (pod: any) => pod.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True");
    let pods = await cloud.pods(namespace);
    for (let deadline = Date.now() + 10_000; !pods.every(ready) && Date.now() < deadline; pods = await cloud.pods(namespace)) {
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(pods.length > 0, `pods run in ${namespace}`);
    for (const pod of pods) {
        const name = `${namespace}/${pod.metadata.name}`;
        assert.ok(ready(pod), `${name} is Ready: ${JSON.stringify({ node: pod.spec.nodeName, phase: pod.status?.phase, conditions: pod.status?.conditions, owner: pod.metadata.ownerReferences?.[0]?.name })}`);
        for (const container of pod.spec.containers) {
            const env = Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
            for (const [key, value] of Object.entries(INJECTED_ENV)) assert.equal(env[key], value, `${name}/${container.name}: ${key} injected`);
        }
        if (revision !== undefined) {
            assert.equal(pod.metadata.annotations?.["eks-pod-identity.pulumi.com/credentials-revision"], revision, `${name} carries the current credentials revision`);
        }
    }
}
