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
import { bucketBackendFiles, localBackendFiles } from "../../examples/portal/backendFiles";
import { backendStackOutputs, backendStackState, removeTornAttributes } from "../../examples/portal/checkpoint";
import { adoptPendingCreates, pendingImports } from "../../examples/portal/pendingCreates";
import { BucketRecordStore, MUTEX_LEASE_MS } from "../../examples/portal/recordStore";
import { S3Bucket, s3Location } from "../../examples/portal/s3";
import { entryOfOperation, latestHistoryEntry } from "../../examples/portal/stackHistory";
import { LeaseDeadline, LeaseObserver, ReplicaLease } from "../../examples/portal/replicaLease";
import { liveLockHolders } from "../../examples/portal/stackLock";
import { S3_CREDENTIALS, S3Server, startS3Server } from "../support/s3Server";
import { ManualClock } from "./manualClock";

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

/** Whether `acquiring` got the mutex (true), or waits on `clock` to try again, having found it held (false). */
async function gotMutex(clock: ManualClock, acquiring: Promise<unknown>): Promise<boolean> {
    let got = false;
    await Promise.race([clock.sleeping(), acquiring.then(() => (got = true))]);
    return got;
}

/** The bucket under a prefix of its own: a mutex a failed test leaves behind holds up no other test. */
const bucketUnder = (prefix: string) => new S3Bucket({ ...s3.bucket.location, prefix: `${prefix}/` }, S3_CREDENTIALS);

const mutexBody = (holder: string, expiresAt: number) => JSON.stringify({ holder, token: holder, expiresAt: new Date(expiresAt).toISOString() });

test.serial("a mutex whose holder died is taken over once its lease has expired; a live one is waited for until released or expired", async (t) => {
    const clock = new ManualClock();
    const bucket = bucketUnder("mutex-expiry");
    t.truthy(await bucket.put("portal/mutex.json", mutexBody("dead-replica", clock.now() - 1000), { ifNoneMatch: "*" }));
    const store = new BucketRecordStore(bucket, "replica-a", MUTEX_LEASE_MS, clock);
    t.true(await gotMutex(clock, store.exclusive(async () => undefined)), "taken over without waiting");
    t.is(await bucket.get("portal/mutex.json"), undefined, "released");

    // A live lease is waited for, not taken over; once its holder releases it, the next attempt gets it.
    t.truthy(await bucket.put("portal/mutex.json", mutexBody("live", clock.now() + MUTEX_LEASE_MS), { ifNoneMatch: "*" }));
    const afterRelease = store.exclusive(async () => undefined);
    t.false(await gotMutex(clock, afterRelease), "found the mutex held");
    await bucket.delete("portal/mutex.json");
    clock.advance(1000); // past any wait between attempts
    t.true(await gotMutex(clock, afterRelease));

    // Nor is a live lease taken over at its last millisecond; once it has expired, it is.
    const expiresAt = clock.now() + 10_000;
    t.truthy(await bucket.put("portal/mutex.json", mutexBody("stalled", expiresAt), { ifNoneMatch: "*" }));
    const afterExpiry = store.exclusive(async () => undefined);
    t.false(await gotMutex(clock, afterExpiry));
    clock.advance(expiresAt - 1 - clock.now());
    t.false(await gotMutex(clock, afterExpiry), "tried again at the lease's last millisecond, and waits on");
    clock.advance(1000);
    t.true(await gotMutex(clock, afterExpiry));
    t.is(await bucket.get("portal/mutex.json"), undefined, "released by the replica that took it over");
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
    const clock = new ManualClock();
    // Shorter than a replica waits for the mutex (20 s) before it refuses the request: B takes it over within one.
    const leaseMs = 10_000;
    const bucket = bucketUnder("mutex-stalled");
    const stalling = new StallingBucket(bucket.location, S3_CREDENTIALS);
    const [a, b] = [new BucketRecordStore(stalling, "replica-a", leaseMs, clock), new BucketRecordStore(bucket, "replica-b", leaseMs, clock)];
    let resume!: () => void;
    const stalled = stalling.stallNextRelease(new Promise<void>((r) => (resume = r)));
    const first = a.exclusive(async () => "a");
    await stalled;
    // B finds A's mutex held and waits; A's lease runs out while it is stalled: B takes the mutex over and is inside
    // when A wakes up.
    let bInside!: () => void;
    let bLeave!: () => void;
    const inside = new Promise<void>((r) => (bInside = r));
    const second = b.exclusive(async () => {
        bInside();
        await new Promise<void>((r) => (bLeave = r));
    });
    const bEntered = Promise.race([inside, second]); // or B gave up
    t.false(await gotMutex(clock, bEntered), "B waits while A's lease runs");
    clock.advance(leaseMs);
    t.true(await gotMutex(clock, bEntered), "B took it over the instant A's lease expired");
    const successors = await bucket.get("portal/mutex.json");
    t.is(JSON.parse(successors!.body).holder, "replica-b");
    resume();
    t.is(await first, "a");
    t.deepEqual(await bucket.get("portal/mutex.json"), successors, "A's release left B's mutex as B wrote it");
    // So a third holder finds the mutex held, and waits for B.
    const third = a.exclusive(async () => undefined);
    t.false(await gotMutex(clock, third), "B still holds the mutex");
    bLeave();
    await second;
    clock.advance(1000); // past any wait between attempts
    t.true(await gotMutex(clock, third));
    t.is(await bucket.get("portal/mutex.json"), undefined, "released by its last holder");
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

/**
 * The bucket as one replica reaches it: S3 may stop answering it (a partition: its writes fail) or answer a write late.
 * `settled()` waits for the writes under way, so that a test moves the clock on only once the replica has heard back.
 */
class ReplicaBucket extends S3Bucket {
    down = false;
    private readonly underWay = new Set<Promise<unknown>>();
    private heldBack?: { gate: Promise<void>; write?: Promise<unknown> };

    /** The next write reaches S3 only once `answer()` is called; that resolves when the replica has heard back. */
    holdNextPut(): { answer: () => Promise<void> } {
        let open!: () => void;
        const held: { gate: Promise<void>; write?: Promise<unknown> } = { gate: new Promise<void>((resolve) => (open = resolve)) };
        this.heldBack = held;
        return {
            answer: async () => {
                open();
                await held.write?.catch(() => undefined);
                await new Promise(setImmediate);
            },
        };
    }

    override put(key: string, body: string, condition: { ifNoneMatch?: "*"; ifMatch?: string } = {}): Promise<string | undefined> {
        const held = this.heldBack;
        this.heldBack = undefined;
        const down = this.down;
        const write = (async () => {
            await held?.gate;
            if (down) throw new Error("connect ETIMEDOUT");
            return super.put(key, body, condition);
        })();
        if (held) held.write = write;
        else {
            this.underWay.add(write);
            void write.catch(() => undefined).finally(() => this.underWay.delete(write));
        }
        return write;
    }

    async settled(): Promise<void> {
        while (this.underWay.size > 0) await Promise.allSettled([...this.underWay]);
        await new Promise(setImmediate); // the replica's own steps once it has the answer
    }
}

/** A 30 s lease (the default): its replica renews on each tick, every sixth of it, and fences itself at two thirds of it. */
const [LEASE_MS, TICK_MS, FENCE_AFTER_MS] = [30_000, 5_000, 20_000];

/** A replica's lease on `clock`, recording when it fenced itself and each validity it passed on to its workers. */
function replicaLease(bucket: S3Bucket, replica: string, host: string, clock: ManualClock) {
    const fences: number[] = [];
    const passedOn: number[] = [];
    const lease = new ReplicaLease(bucket, { replica, host, pid: 1 }, LEASE_MS, () => fences.push(clock.monotonic()), (validForMs) => passedOn.push(validForMs), clock);
    return { lease, fences, passedOn };
}

test.serial("a replica that cannot renew fences itself on its tick two thirds of a lease after it sent its last confirmed renewal; another replica counts it gone a whole lease of its own clock after it first saw that renewal", async (t) => {
    const clock = new ManualClock();
    // The other replica's clocks share nothing with this one's: another origin, a wall clock an hour ahead.
    const observerClock = new ManualClock({ wall: clock.now() + 3_600_000, monotonic: 987_654_321 });
    const bucket = new ReplicaBucket(s3.bucket.location, S3_CREDENTIALS);
    const { lease, fences, passedOn } = replicaLease(bucket, "far:1:a", "far", clock);
    const observer = new LeaseObserver(s3.bucket, observerClock);
    const elapse = async (ms: number) => {
        clock.advance(ms);
        observerClock.advance(ms);
        await bucket.settled();
    };
    await lease.start();
    t.false(await observer.expired("far:1:a"));
    // Renewing: each confirmed renewal gives the workers two thirds of a lease, and the lease never expires.
    for (let tick = 1; tick <= 9; tick++) {
        await elapse(TICK_MS);
        t.is(lease.validForMs(), FENCE_AFTER_MS);
        t.false(await observer.expired("far:1:a"), `tick ${tick}`);
    }
    t.false(lease.fenced);
    t.deepEqual(passedOn, Array(10).fill(FENCE_AFTER_MS), "the first heartbeat and nine renewals, each passed on");
    // The observer read the last of them just now.
    const lastConfirmedSentAt = clock.monotonic();
    const observerFirstSawItAt = observerClock.monotonic();

    bucket.down = true;
    for (let failed = 1; failed <= 3; failed++) {
        await elapse(TICK_MS);
        t.false(lease.fenced, `after ${failed} failed renewal(s)`);
        t.false(await observer.expired("far:1:a"));
    }
    await elapse(TICK_MS - 1);
    t.false(lease.fenced, "a millisecond before two thirds of the lease");
    await elapse(1);
    t.deepEqual(fences, [lastConfirmedSentAt + FENCE_AFTER_MS], "fenced on the tick at two thirds of the lease, after exactly three failed renewals");
    t.true(lease.fenced);
    t.is(passedOn.length, 10, "no renewal was confirmed or passed on meanwhile");

    // The observer counts it gone only once a whole lease of its own clock has passed since it first saw that renewal.
    await elapse(TICK_MS);
    t.false(await observer.expired("far:1:a"));
    await elapse(observerFirstSawItAt + LEASE_MS - 1 - observerClock.monotonic());
    t.false(await observer.expired("far:1:a"), "a millisecond before a whole lease");
    await elapse(1);
    t.true(await observer.expired("far:1:a"), "gone after a whole lease");
    t.is(clock.monotonic() - fences[0], LEASE_MS - FENCE_AFTER_MS, "a third of a lease after the replica fenced itself");
    t.is(fences.length, 1, "the fence runs once");

    // S3 answers again: the replica renews and runs operations again; its lease is live once more.
    bucket.down = false;
    await elapse(TICK_MS);
    t.false(lease.fenced);
    t.is(passedOn.at(-1), FENCE_AFTER_MS);
    t.false(await observer.expired("far:1:a"));
    await lease.stop();
    t.true(await observer.expired("far:1:a"), "a replica that stopped cleanly is gone at once");
});

test.serial("a renewal S3 confirms late counts from when it was sent, and an older one answered last does not shorten the lease", async (t) => {
    const clock = new ManualClock();
    const bucket = new ReplicaBucket(s3.bucket.location, S3_CREDENTIALS);
    const { lease, fences, passedOn } = replicaLease(bucket, "slow:1:a", "slow", clock);
    const elapse = async (ms: number) => {
        clock.advance(ms);
        await bucket.settled();
    };
    await lease.start();
    const older = bucket.holdNextPut();
    await elapse(TICK_MS); // sent, not answered yet
    await elapse(TICK_MS); // sent and confirmed
    const confirmedSentAt = clock.monotonic();
    const newer = bucket.holdNextPut();
    await elapse(TICK_MS); // sent, not answered yet
    const newerSentAt = clock.monotonic();
    bucket.down = true;
    await elapse(TICK_MS);
    t.is(lease.validForMs(), confirmedSentAt + FENCE_AFTER_MS - clock.monotonic());
    await older.answer();
    t.is(lease.validForMs(), confirmedSentAt + FENCE_AFTER_MS - clock.monotonic(), "the older renewal's late answer changed nothing");
    await elapse(TICK_MS - 1000);
    await newer.answer();
    const validForMs = newerSentAt + FENCE_AFTER_MS - clock.monotonic();
    t.is(lease.validForMs(), validForMs, "counted from when it was sent, not from its answer");
    t.is(passedOn.at(-1), validForMs, "and passed on to the workers so");
    t.false(lease.fenced);
    // Renewals keep failing: fenced on the tick two thirds of a lease after the late one was sent.
    const fenceAt = newerSentAt + FENCE_AFTER_MS;
    await elapse(fenceAt - 1 - clock.monotonic());
    t.deepEqual(fences, []);
    await elapse(1);
    t.deepEqual(fences, [fenceAt]);
    await lease.stop();
});

test.serial("a worker ends its run once the lease its replica last passed on has run out, counted from when the word arrived", (t) => {
    const clock = new ManualClock();
    const deadline = new LeaseDeadline(clock);
    clock.advance(10 * LEASE_MS);
    t.false(deadline.passed, "no word of a lease (a portal on a file backend): it never runs out");
    deadline.extend(FENCE_AFTER_MS);
    clock.advance(FENCE_AFTER_MS - TICK_MS);
    deadline.extend(FENCE_AFTER_MS - TICK_MS); // a later renewal: its word replaces the first
    clock.advance(FENCE_AFTER_MS - TICK_MS);
    t.false(deadline.passed, "to the last millisecond of what it was last told");
    clock.advance(1);
    t.true(deadline.passed);
});

test.serial("a CLI lock on another host is stale only once every portal replica of that host has an expired lease", async (t) => {
    const files = bucketBackendFiles(s3.bucket);
    const project = "eks-pod-identity-portal";
    await s3.bucket.put(`.pulumi/locks/organization/${project}/w3/c.json`, JSON.stringify({ pid: 4242, hostname: "host-b" }));
    await s3.bucket.put(`.pulumi/locks/organization/${project}/w3/d.json`, JSON.stringify({ pid: 4243, hostname: "someones-laptop" }));
    const hostClock = new ManualClock();
    const observerClock = new ManualClock({ monotonic: 123_456 });
    const [partitioned, reachable] = [new ReplicaBucket(s3.bucket.location, S3_CREDENTIALS), new ReplicaBucket(s3.bucket.location, S3_CREDENTIALS)];
    const b1 = replicaLease(partitioned, "host-b:10:x", "host-b", hostClock).lease;
    const b2 = replicaLease(reachable, "host-b:11:y", "host-b", hostClock).lease;
    await b1.start();
    await b2.start();
    const observer = new LeaseObserver(s3.bucket, observerClock);
    const elapse = async (ms: number) => {
        hostClock.advance(ms);
        observerClock.advance(ms);
        await Promise.all([partitioned.settled(), reachable.settled()]);
    };
    const holders = async () => (await liveLockHolders(files, project, "w3", (host) => observer.hostGone(host))).map((h) => h.hostname).sort();
    t.deepEqual(await holders(), ["host-b", "someones-laptop"]);
    // One replica of host-b dies (its heartbeat stops changing, as the observer just saw it): the lock may be the other's.
    partitioned.down = true;
    await elapse(LEASE_MS - 1);
    t.false(await observer.expired("host-b:10:x"));
    t.deepEqual(await holders(), ["host-b", "someones-laptop"]);
    await elapse(1);
    t.true(await observer.expired("host-b:10:x"));
    // The other renews: however long one watches, host-b has a live replica.
    for (let tick = 0; tick < 9; tick++) {
        t.deepEqual(await holders(), ["host-b", "someones-laptop"], `tick ${tick}`);
        await elapse(TICK_MS);
    }
    await b2.stop();
    t.deepEqual(await holders(), ["someones-laptop"], "both of host-b's replicas are gone; a host no replica recorded stays live");
    await b1.stop();
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
