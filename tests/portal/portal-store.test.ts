/**
 * The portal's shared-backend pieces on a real S3 API (moto's server, tests/s3/setup.sh): the records' mutex (a
 * conditional write), records as objects, the CLI's locks and checkpoints read from the bucket; and which pending
 * creates of an interrupted run are imported rather than dropped.
 *
 *   npx tsc -p . && npx ava dist/tests/portal/portal-store.test.js
 */
import test from "ava";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { bucketBackendFiles, localBackendFiles } from "../../examples/portal/backendFiles";
import { backendStackOutputs, backendStackState, removeTornAttributes } from "../../examples/portal/checkpoint";
import { adoptPendingCreates, pendingImports } from "../../examples/portal/pendingCreates";
import { BucketRecordStore, MUTEX_LEASE_MS } from "../../examples/portal/recordStore";
import { S3Bucket, s3Location } from "../../examples/portal/s3";
import { entryOfOperation, latestHistoryEntry } from "../../examples/portal/stackHistory";
import { LeaseObserver, ReplicaLease, fenceAfterMs } from "../../examples/portal/replicaLease";
import { liveLockHolders } from "../../examples/portal/stackLock";
import { S3_CREDENTIALS, S3Server, startS3Server } from "../support/s3Server";

let s3: S3Server;
test.before(async () => {
    s3 = await startS3Server("portal-store");
});
test.after.always(async () => {
    await s3?.stop();
});

test.serial("the backend URL is read as the CLI's gocloud s3 driver reads it (v2 and v1 parameter names)", (t) => {
    const v2 = s3Location("s3://state/team-a?endpoint=http://127.0.0.1:9000&use_path_style=true&region=eu-west-1")!;
    t.deepEqual([v2.bucket, v2.prefix, v2.endpoint.href, v2.region, v2.pathStyle], ["state", "team-a/", "http://127.0.0.1:9000/", "eu-west-1", true]);
    const v1 = s3Location("s3://state?endpoint=127.0.0.1:9000&s3ForcePathStyle=true&disableSSL=true&region=us-east-1")!;
    t.deepEqual([v1.endpoint.href, v1.pathStyle, v1.prefix], ["http://127.0.0.1:9000/", true, ""]);
    t.is(s3Location("file:///tmp/state"), undefined);
});

test.serial("two replicas' mutex: a conditional write lets one holder in at a time; records are shared", async (t) => {
    const [a, b] = [new BucketRecordStore<{ id: string; n: number }>(s3.bucket, "replica-a"), new BucketRecordStore<{ id: string; n: number }>(s3.bucket, "replica-b")];
    let inside = 0;
    let most = 0;
    // Read-modify-write of one record from both replicas: without mutual exclusion, increments are lost.
    await a.put({ id: "counter", n: 0 });
    const increment = (store: typeof a) =>
        store.exclusive(async () => {
            most = Math.max(most, ++inside);
            const current = (await store.list()).find((r) => r.id === "counter")!;
            await new Promise((resolve) => setTimeout(resolve, 5));
            await store.put({ id: "counter", n: current.n + 1 });
            inside--;
        });
    await Promise.all(Array.from({ length: 12 }, (_, i) => increment(i % 2 ? a : b)));
    t.is(most, 1, "never two holders at once");
    t.is((await b.list()).find((r) => r.id === "counter")!.n, 12, "no increment lost");
    await a.remove("counter");
    t.deepEqual(await b.list(), []);
});

test.serial("a mutex whose holder died is taken over once its lease has expired", async (t) => {
    const expired = new Date(Date.now() - 1000).toISOString();
    t.truthy(await s3.bucket.put("portal/mutex.json", JSON.stringify({ holder: "dead-replica", token: "x", expiresAt: expired }), { ifNoneMatch: "*" }));
    const store = new BucketRecordStore(s3.bucket, "replica-a");
    t.is(await store.exclusive(async () => "ran"), "ran");
    t.is(await s3.bucket.get("portal/mutex.json"), undefined, "released");
    // A live lease is waited for, not taken over.
    t.truthy(await s3.bucket.put("portal/mutex.json", JSON.stringify({ holder: "live", token: "y", expiresAt: new Date(Date.now() + MUTEX_LEASE_MS).toISOString() }), { ifNoneMatch: "*" }));
    let ran = false;
    const waiting = store.exclusive(async () => (ran = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.false(ran);
    await s3.bucket.delete("portal/mutex.json");
    await waiting;
    t.true(ran);
});

/** The bucket, as a replica whose process stalls (GC pause, CPU starved) just before it releases the mutex. */
class StallingBucket extends S3Bucket {
    private stall?: { reached: () => void; resume: Promise<void> };
    /** The next DeleteObject of the mutex waits for `resume`; resolves once the holder is stalled there. */
    stallNextRelease(resume: Promise<void>): Promise<void> {
        return new Promise((reached) => (this.stall = { reached, resume }));
    }
    override async delete(key: string, condition: { ifMatch?: string } = {}): Promise<boolean> {
        const stall = key === "portal/mutex.json" ? this.stall : undefined;
        this.stall = undefined;
        if (stall) {
            stall.reached();
            await stall.resume;
        }
        return super.delete(key, condition);
    }
}

test.serial("a holder stalled past its lease, whose mutex another replica took over, cannot release (or overwrite) its successor's mutex", async (t) => {
    const leaseMs = 400;
    const stalling = new StallingBucket(s3.bucket.location, S3_CREDENTIALS);
    const [a, b] = [new BucketRecordStore(stalling, "replica-a", leaseMs), new BucketRecordStore(s3.bucket, "replica-b", leaseMs)];
    let resume!: () => void;
    const stalled = stalling.stallNextRelease(new Promise<void>((r) => (resume = r)));
    const first = a.exclusive(async () => "a");
    await stalled;
    // A's lease runs out while it is stalled: B takes the mutex over and is inside when A wakes up.
    let bInside!: () => void;
    let bLeave!: () => void;
    const inside = new Promise<void>((r) => (bInside = r));
    const second = b.exclusive(async () => {
        bInside();
        await new Promise<void>((r) => (bLeave = r));
    });
    await inside;
    const successors = await s3.bucket.get("portal/mutex.json");
    t.is(JSON.parse(successors!.body).holder, "replica-b");
    resume();
    t.is(await first, "a");
    t.deepEqual(await s3.bucket.get("portal/mutex.json"), successors, "A's release left B's mutex as B wrote it");
    // So a third holder still waits for B.
    let cRan = false;
    const third = a.exclusive(async () => (cRan = true));
    await new Promise((r) => setTimeout(r, leaseMs / 4));
    t.false(cRan, "B still holds the mutex");
    bLeave();
    await second;
    await third;
    t.true(cRan);
    t.is(await s3.bucket.get("portal/mutex.json"), undefined, "released by its last holder");
});

test.serial("the CLI's locks and checkpoints are read from the bucket", async (t) => {
    const files = bucketBackendFiles(s3.bucket);
    const project = "eks-pod-identity-portal";
    await s3.bucket.put(`.pulumi/locks/organization/${project}/w1/a.json`, JSON.stringify({ pid: process.pid, hostname: os.hostname() }));
    await s3.bucket.put(`.pulumi/locks/organization/${project}/w1/b.json`, JSON.stringify({ pid: 1, hostname: "another-host" }));
    t.deepEqual((await liveLockHolders(files, project, "w1")).map((h) => h.hostname).sort(), ["another-host", os.hostname()].sort());
    t.deepEqual(await liveLockHolders(files, project, "w2"), []);
    const urn = `urn:pulumi:w1::${project}::aws:iam/role:Role::w1-role`;
    await s3.bucket.put(
        `.pulumi/stacks/${project}/w1.json`,
        JSON.stringify({ checkpoint: { latest: { resources: [{ custom: true, type: "aws:iam/role:Role" }], pending_operations: [{ type: "creating", resource: { urn } }] } } }),
    );
    t.deepEqual(await backendStackState(files, project, "w1"), { resources: 1, pendingOperations: [`creating ${urn}`] });
    t.is(await backendStackState(files, project, "w2"), undefined);
});

/** The bucket as a replica sees it when S3 stops answering it (a partition): its writes fail. */
class PartitionedBucket extends S3Bucket {
    down = false;
    override async put(key: string, body: string, condition: { ifNoneMatch?: "*"; ifMatch?: string } = {}): Promise<string | undefined> {
        if (this.down) throw new Error("connect ETIMEDOUT");
        return super.put(key, body, condition);
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.serial("a replica that cannot renew its lease fences itself before any other replica sees the lease expire", async (t) => {
    const leaseMs = 1200;
    const partitioned = new PartitionedBucket(s3.bucket.location, S3_CREDENTIALS);
    let fencedAt: number | undefined;
    const lease = new ReplicaLease(partitioned, { replica: "far:1:a", host: "far", pid: 1 }, leaseMs, () => (fencedAt ??= performance.now()));
    await lease.start();
    const observer = new LeaseObserver(s3.bucket);
    t.false(await observer.expired("far:1:a"));
    // Renewing: the lease never expires, however long one watches.
    for (const end = performance.now() + leaseMs * 1.5; performance.now() < end; await sleep(50)) t.false(await observer.expired("far:1:a"));
    t.false(lease.fenced);
    partitioned.down = true;
    const cutAt = performance.now();
    let expiredAt: number | undefined;
    while (expiredAt === undefined && performance.now() - cutAt < leaseMs * 3) {
        if (await observer.expired("far:1:a")) expiredAt = performance.now();
        await sleep(20);
    }
    t.truthy(fencedAt, "fenced");
    t.truthy(expiredAt, "the observer counts it gone in the end");
    t.true(fencedAt! <= cutAt + fenceAfterMs(leaseMs), `fenced ${Math.round(fencedAt! - cutAt)} ms after the last renewal could be sent`);
    t.true(expiredAt! - fencedAt! >= leaseMs / 6, `the observer saw the lease expire ${Math.round(expiredAt! - fencedAt!)} ms after the fence`);
    t.true(lease.fenced);
    // S3 answers again: the replica renews and runs operations again; its lease is live once more.
    partitioned.down = false;
    await sleep(leaseMs / 3);
    t.false(lease.fenced);
    t.false(await observer.expired("far:1:a"));
    await lease.stop();
    t.true(await observer.expired("far:1:a"), "a replica that stopped cleanly is gone at once");
});

test.serial("a CLI lock on another host is stale only once every portal replica of that host has an expired lease", async (t) => {
    const files = bucketBackendFiles(s3.bucket);
    const project = "eks-pod-identity-portal";
    const leaseMs = 1000;
    await s3.bucket.put(`.pulumi/locks/organization/${project}/w3/c.json`, JSON.stringify({ pid: 4242, hostname: "host-b" }));
    await s3.bucket.put(`.pulumi/locks/organization/${project}/w3/d.json`, JSON.stringify({ pid: 4243, hostname: "someones-laptop" }));
    const partitioned = new PartitionedBucket(s3.bucket.location, S3_CREDENTIALS);
    const [b1, b2] = [
        new ReplicaLease(partitioned, { replica: "host-b:10:x", host: "host-b", pid: 10 }, leaseMs, () => undefined),
        new ReplicaLease(s3.bucket, { replica: "host-b:11:y", host: "host-b", pid: 11 }, leaseMs, () => undefined),
    ];
    await b1.start();
    await b2.start();
    const observer = new LeaseObserver(s3.bucket);
    const holders = async () => (await liveLockHolders(files, project, "w3", (host) => observer.hostGone(host))).map((h) => h.hostname).sort();
    t.deepEqual(await holders(), ["host-b", "someones-laptop"]);
    // One replica of host-b dies (its heartbeat stops changing): the lock may be the other's, still live.
    partitioned.down = true;
    await sleep(leaseMs / 3);
    t.deepEqual(await holders(), ["host-b", "someones-laptop"]);
    await sleep(leaseMs * 1.1);
    t.true(await observer.expired("host-b:10:x"));
    t.deepEqual(await holders(), ["host-b", "someones-laptop"]);
    await b2.stop();
    t.deepEqual(await holders(), ["someones-laptop"], "both of host-b's replicas are gone; a host no replica recorded stays live");
    for (const key of await s3.bucket.list("portal/replicas/")) await s3.bucket.delete(key);
});

test.serial("pending creates: roles, inline policies and Kubernetes objects are imported by the id their inputs give; others are not", (t) => {
    const urn = (type: string, name: string) => `urn:pulumi:w::p::eks-pod-identity:index:PodIdentityWorkload$${type}::${name}`;
    const pending = [
        { type: "creating", resource: { urn: urn("aws:iam/role:Role", "w-role"), type: "aws:iam/role:Role", inputs: { name: "w-role-4f1c2a9" } } },
        { type: "creating", resource: { urn: urn("aws:iam/rolePolicy:RolePolicy", "w-permissions"), type: "aws:iam/rolePolicy:RolePolicy", inputs: { role: "w-role-4f1c2a9", name: "permissions" } } },
        { type: "creating", resource: { urn: urn("kubernetes:core/v1:ServiceAccount", "w-sa"), type: "kubernetes:core/v1:ServiceAccount", inputs: { metadata: { name: "api", namespace: "orders" } } } },
        { type: "creating", resource: { urn: urn("kubernetes:core/v1:Namespace", "w-ns"), type: "kubernetes:core/v1:Namespace", inputs: { metadata: { name: "orders" } } } },
        { type: "creating", resource: { urn: urn("aws:eks/podIdentityAssociation:PodIdentityAssociation", "w-assoc"), type: "aws:eks/podIdentityAssociation:PodIdentityAssociation", inputs: { clusterName: "prod" } } },
        { type: "deleting", resource: { urn: urn("aws:iam/role:Role", "w-old"), type: "aws:iam/role:Role", inputs: { name: "w-old" } } },
    ];
    const imports = pendingImports(pending);
    t.deepEqual(imports.map((i) => i.id), ["w-role-4f1c2a9", "w-role-4f1c2a9:permissions", "orders/api", "orders"]);
    const state = adoptPendingCreates({ version: 3, deployment: { resources: [{ urn: "stack" }], pending_operations: pending } }, imports.slice(0, 1));
    t.deepEqual(state.deployment.resources.map((r: any) => [r.urn, r.id]), [["stack", undefined], [pending[0].resource.urn, "w-role-4f1c2a9"]]);
    t.deepEqual((state.deployment.resources[1] as any).outputs, { name: "w-role-4f1c2a9" }, "the refresh reads it by id; its inputs stand in for outputs until then");
    t.deepEqual(state.deployment.pending_operations.map((p: any) => p.resource.urn), pending.slice(1).map((p) => p.resource.urn), "the others stay pending");
});

test.serial("a checkpoint's attributes file torn by a killed CLI (empty) breaks every command on the stack; it is removed, the stack reads again", (t) => {
    const root = path.resolve(__dirname, "../../..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-attrs-"));
    try {
        fs.mkdirSync(path.join(dir, "state"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: yaml\n");
        const backendUrl = `file://${path.join(dir, "state")}`;
        const env = { ...process.env, PULUMI_BACKEND_URL: backendUrl, PULUMI_HOME: path.join(dir, "home"), PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_SKIP_UPDATE_CHECK: "true" };
        const cli = (...args: string[]) => spawnSync(path.join(root, "bin", "pulumi"), args, { cwd: dir, env, encoding: "utf8" });
        t.is(cli("stack", "init", "w").status, 0);
        const attrs = path.join(dir, "state", ".pulumi", "stacks", "p", "w.json.attrs");
        t.true(fs.existsSync(attrs), "the file backend writes attributes beside the checkpoint");
        fs.writeFileSync(attrs, ""); // as left by a CLI killed between creating and filling it
        const broken = cli("stack", "export", "--stack", "w");
        t.not(broken.status, 0);
        t.regex(broken.stderr, /failed to load checkpoint: EOF/);
        t.deepEqual(removeTornAttributes(backendUrl, "p", "w"), [attrs]);
        t.deepEqual(removeTornAttributes(backendUrl, "p", "w"), [], "readable ones are kept");
        t.is(cli("stack", "export", "--stack", "w").status, 0);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test.serial("the stack's history as the CLI writes it: the newest entry tells a failed update, a succeeded one (outputs from the checkpoint) and a destroy, for the operation that started before it only", async (t) => {
    const root = path.resolve(__dirname, "../../..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-history-"));
    try {
        fs.mkdirSync(path.join(dir, "state"));
        const files = localBackendFiles(path.join(dir, "state"));
        const env = { ...process.env, PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`, PULUMI_HOME: path.join(dir, "home"), PULUMI_CONFIG_PASSPHRASE: "x", PULUMI_SKIP_UPDATE_CHECK: "true" };
        const cli = (...args: string[]) => spawnSync(path.join(root, "bin", "pulumi"), args, { cwd: dir, env, encoding: "utf8" });
        const program = (output: string) => fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: p\nruntime: yaml\n${output}`);
        program("");
        t.is(cli("stack", "init", "w").status, 0);
        t.is(await latestHistoryEntry(files, "p", "w"), undefined, "no update yet");

        // An update whose program fails (an unknown function).
        program("variables:\n  boom:\n    fn::invoke:\n      function: pulumi:index:nonexistent\n      arguments: {}\noutputs:\n  greeting: ${boom}\n");
        const failedStart = new Date().toISOString();
        t.not(cli("up", "--yes", "--skip-preview", "--stack", "w").status, 0);
        const failed = await latestHistoryEntry(files, "p", "w");
        t.like(failed, { kind: "update", result: "failed" });
        t.is(entryOfOperation(failed, "apply", failedStart), failed);
        t.is(entryOfOperation(failed, "destroy", failedStart), undefined, "another kind");
        t.is(entryOfOperation(failed, "apply", new Date(Date.now() + 2000).toISOString()), undefined, "an entry from before the operation started");

        const applyStart = new Date().toISOString();
        program(`outputs:\n  greeting: hello\n  trustPolicy: '{"Version":"2012-10-17"}'\n`);
        t.is(cli("up", "--yes", "--skip-preview", "--stack", "w").status, 0);
        const succeeded = await latestHistoryEntry(files, "p", "w");
        t.like(entryOfOperation(succeeded, "apply", applyStart), { kind: "update", result: "succeeded" });
        t.deepEqual(await backendStackOutputs(files, "p", "w"), { greeting: "hello", trustPolicy: { Version: "2012-10-17" } }, "documents parsed as the worker reports them");

        const destroyStart = new Date().toISOString();
        t.is(cli("destroy", "--yes", "--skip-preview", "--stack", "w").status, 0);
        t.like(entryOfOperation(await latestHistoryEntry(files, "p", "w"), "destroy", destroyStart), { kind: "destroy", result: "succeeded" });
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
