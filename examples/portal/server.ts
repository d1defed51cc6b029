/**
 * A self-service access service for internal developer portals: EKS Pod Identity access (role, policies,
 * association, namespace, service account, optional Deployment) per workload, through the PodIdentityWorkload
 * component and the Pulumi Automation API. One stack per workload; each operation runs in a worker process of its
 * own; one operation per workload at a time (a second gets 409), workloads in parallel. API: README.md.
 */
import { fork } from "child_process";
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { FieldProblem, PortalCluster, PortalPolicy, ResolvedCluster, WORKLOAD_ID, parseWorkloadRequest, resolveClusters, workloadId } from "./api";
import { AuditAction, AuditLog, AuditLogLimits } from "./audit";
import { Clock, systemClock } from "./clock";
import { checkWholeNumber } from "./envNumbers";
import { removeOrphanStacks, removeStackFiles } from "./orphanStacks";
import { pathRedactor } from "./redact";
import { AuthenticationError, IdentityResolver, Principal, TokenEntry, checkTokenEntries, hashToken, loadTokensFile, mayAccess } from "./identity";
import { DEFAULT_ALLOWED_MANAGED_POLICY_ARNS, checkAllowlist } from "./managedPolicies";
import { BackendFiles, backendFiles } from "./backendFiles";
import { permissionSettings } from "./permissionSettings";
import { backendStackOutputs, backendStackState, hasCheckpoint, removeTornAttributes } from "./checkpoint";
import { eksEndpoint } from "./eks";
import { entryOfOperation, latestHistoryEntry } from "./stackHistory";
import { Ownership } from "./ownership";
import { BucketRecordStore, FileRecordStore, MutexTimeout, RecordStore } from "./recordStore";
import { S3Bucket, s3Location } from "./s3";
import { isRunning, liveLockHolders } from "./stackLock";
import { LeaseObserver, REPLICA_LEASE_MS, ReplicaLease, checkLeaseMs } from "./replicaLease";
import { killProcessTree, stopProcessTree } from "./processTree";
import { JobResult, JobSpec, Operation, WorkerMessage } from "./protocol";
import { HttpError, isJsonMediaType, readBody } from "./httpInput";
import { Job, Semaphore } from "./job";
import { LastOperation, Runner, WorkloadRecord, isTransient } from "./workloadRecord";

export const PROJECT = "eks-pod-identity-portal";
/** Default of `previewClaimTtlMs`: 15 minutes. */
export const PREVIEW_CLAIM_TTL_MS = 15 * 60_000;
/** Default of `shutdownGraceMs`. */
export const SHUTDOWN_GRACE_MS = 5000;

/** The audit log's limits, checked at start like every numeric setting (envNumbers.ts). */
function checkAuditLimits(limits: AuditLogLimits): AuditLogLimits {
    const check = (value: number | undefined, source: string, min: number, max?: number) => (value === undefined ? undefined : checkWholeNumber(value, source, { min, max }));
    return {
        maxBytes: check(limits.maxBytes, "auditLimits.maxBytes (PORTAL_AUDIT_MAX_BYTES)", 65536),
        keep: check(limits.keep, "auditLimits.keep (PORTAL_AUDIT_KEEP)", 1, 1000),
        unauthenticatedWindowMs: check(limits.unauthenticatedWindowMs, "auditLimits.unauthenticatedWindowMs (PORTAL_AUDIT_UNAUTHENTICATED_WINDOW_MS)", 1000),
        unauthenticatedBurst: check(limits.unauthenticatedBurst, "auditLimits.unauthenticatedBurst (PORTAL_AUDIT_UNAUTHENTICATED_BURST)", 0),
    };
}

export interface PortalOptions {
    /** TCP port; 0 picks a free one. */
    port: number;
    /** Interface to listen on. Default `127.0.0.1`: put the portal's own authenticating proxy in front. */
    host?: string;
    /** Repository root: the Pulumi CLI used is `<root>/bin/pulumi`. */
    root: string;
    /**
     * Environment of the Pulumi CLI (backend, secrets passphrase, PULUMI_HOME, cloud credentials). Without
     * PULUMI_BACKEND_URL, stacks are kept in `<stateDir>/backend`.
     */
    env: Record<string, string>;
    /** Where workload records and stack work directories are kept. */
    stateDir: string;
    /** Clusters requests may name. Default: the ARNs in `env.PORTAL_CLUSTERS`, comma-separated. */
    clusters?: PortalCluster[];
    /**
     * A platform-admin bearer token (the portal's original single token, `PORTAL_TOKEN`): its holder is the principal
     * `portal-token` of team `platform` with role `admin`. Prefer per-principal `tokens`.
     */
    token?: string;
    /** Principals and the SHA-256 of their bearer tokens (see identity.ts). */
    tokens?: TokenEntry[];
    /** A tokens file (JSON or YAML) read at start: `{ tokens: [{ name, team, role, sha256 }] }`. */
    tokensFile?: string;
    /** How long a preview that is not applied holds its namespace and service account. Default 15 minutes. */
    previewClaimTtlMs?: number;
    /** The append-only audit log (JSON lines). Default `<stateDir>/audit.log`. */
    auditLog?: string;
    /** Its rotation and the summary of unauthenticated refusals (audit.ts; `PORTAL_AUDIT_*` in main.ts). */
    auditLimits?: AuditLogLimits;
    /**
     * On close (SIGTERM), how long the workers' CLIs get to end on their own before every process descended from a
     * worker still running, in any process group, is SIGKILLed. Default 5000 ms (`PORTAL_SHUTDOWN_GRACE_MS`).
     */
    shutdownGraceMs?: number;
    /** The clock of the audit log's summary window and of the shutdown's grace period. Default the system's. */
    clock?: Clock;
    /** The authenticating proxy's shared secret: requests carrying it may set `X-Portal-User`, `-Team`, `-Role`. */
    proxySecret?: string;
    /** Operations running at once across workloads; more wait in a queue. Default: the number of CPUs, at least 2. */
    maxConcurrentOperations?: number;
    /** What requests may not ask for beyond the component's own rules. Default: see PortalPolicy. */
    policy?: PortalPolicy;
    /**
     * How long a request body may take to arrive, from the request's headers to its last byte; a slower one gets
     * `408` and its connection is closed, so a client that stalls (slowloris) cannot hold sockets open. Default 10 s.
     */
    bodyTimeoutMs?: number;
    /**
     * Tests only (`PORTAL_TEST_HOLD_BEFORE_RECORDING` in main.ts): once an apply's or destroy's worker has ended, write
     * this file and never record the outcome, so that a test can kill the portal after the CLI finished but before
     * the record was saved. Never set in production: every apply and destroy would hang.
     */
    holdBeforeRecordingForTests?: string;
    /**
     * On an `s3://` backend: this replica's lease (replicaLease.ts). It renews its heartbeat every sixth of it, stops
     * its operations when it could not for two thirds of it, and the other replicas count it gone (its operations
     * interrupted, its host's CLI locks stale) once its heartbeat has not changed for all of it. Default 30000 ms
     * (`PORTAL_REPLICA_LEASE_MS`), at least 3000: longer rides out longer S3 outages, shorter frees a dead replica's
     * workloads sooner.
     */
    replicaLeaseMs?: number;
    /**
     * The host name this replica records in its heartbeat and records (`PORTAL_REPLICA_HOST`). Default the machine's:
     * replicas that record the same host compare pids instead of leases. Tests set another to play a remote replica.
     */
    replicaHost?: string;
}

export interface Portal {
    url: string;
    /** Stops accepting requests, ends running operations (their stacks are recovered by the next apply or DELETE). */
    close(): Promise<void>;
}

const now = () => new Date().toISOString();
const links = (id: string) => ({ self: `/workloads/${id}`, apply: `/workloads/${id}/apply`, events: `/workloads/${id}/events` });

export async function startPortal(options: PortalOptions): Promise<Portal> {
    const clusters = resolveClusters(
        options.clusters ?? (options.env.PORTAL_CLUSTERS ?? "").split(",").filter(Boolean).map((arn) => ({ arn: arn.trim() })),
    );
    if (clusters.size === 0) throw new Error("the portal needs at least one cluster: give clusters, or PORTAL_CLUSTERS=<cluster ARN>,…");
    const leaseMs = checkLeaseMs(options.replicaLeaseMs ?? REPLICA_LEASE_MS, "replicaLeaseMs (PORTAL_REPLICA_LEASE_MS)");
    // Recovery's association lookups use it (worker.ts): a bad value is refused now, not at the first crash.
    for (const cluster of clusters.values()) eksEndpoint(cluster.region, options.env);
    const stateDir = path.resolve(options.stateDir);
    const stacksDir = path.join(stateDir, "stacks");
    fs.mkdirSync(stacksDir, { recursive: true, mode: 0o700 });
    const env: Record<string, string> = { ...options.env };
    if (!env.PULUMI_BACKEND_URL) {
        const backend = path.join(stateDir, "backend");
        fs.mkdirSync(backend, { recursive: true, mode: 0o700 });
        env.PULUMI_BACKEND_URL = `file://${backend}`;
    }
    if (!/^https?:/.test(env.PULUMI_BACKEND_URL) && !env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE) {
        throw new Error("a self-managed backend needs PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE in env");
    }
    env.PULUMI_SKIP_UPDATE_CHECK ??= "true";
    const identities = new IdentityResolver({
        tokens: [
            ...(options.token ? [{ name: "portal-token", team: "platform", role: "admin" as const, sha256: hashToken(options.token) }] : []),
            ...checkTokenEntries(options.tokens ?? []),
            ...(options.tokensFile ? loadTokensFile(options.tokensFile) : []),
        ],
        proxySecret: options.proxySecret,
    });
    const policy: PortalPolicy = { ...options.policy, ...permissionSettings(options.policy ?? {}, env), allowedManagedPolicyArns: checkAllowlist(options.policy?.allowedManagedPolicyArns ?? DEFAULT_ALLOWED_MANAGED_POLICY_ARNS) };
    const ownership = new Ownership(checkWholeNumber(options.previewClaimTtlMs ?? PREVIEW_CLAIM_TTL_MS, "previewClaimTtlMs (PORTAL_PREVIEW_CLAIM_TTL_MS)", { min: 1000, default: PREVIEW_CLAIM_TTL_MS }));
    const clock = options.clock ?? systemClock;
    const shutdownGraceMs = checkWholeNumber(options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS, "shutdownGraceMs (PORTAL_SHUTDOWN_GRACE_MS)", { min: 0, default: SHUTDOWN_GRACE_MS });
    const audit = new AuditLog(options.auditLog ?? path.join(stateDir, "audit.log"), checkAuditLimits(options.auditLimits ?? {}), clock);
    // What members see of events, hints and diagnostics names no server path (redact.ts).
    const redact = pathRedactor([
        { path: stacksDir, placeholder: "<work-dirs>" },
        { path: stateDir, placeholder: "<state-dir>" },
        { path: path.resolve(options.root), placeholder: "<portal>" },
        ...(env.PULUMI_HOME ? [{ path: path.resolve(env.PULUMI_HOME), placeholder: "<pulumi-home>" }] : []),
        { path: os.homedir(), placeholder: "<home>" },
        { path: os.tmpdir(), placeholder: "<tmp>" },
    ]);
    /** What a change request's audit line needs, filled in as the request is handled. */
    interface AuditContext {
        action: AuditAction;
        recorded: boolean;
        principal?: Principal;
        workload?: string;
        error?: string;
        /** The client closed its connection before a reply: the line still says what the reply was (never a refusal). */
        clientGone?: boolean;
        /** The request's handler has returned: a connection closing after that without a reply is a 499. */
        handled?: boolean;
    }
    const auditContexts = new WeakMap<http.IncomingMessage, AuditContext>();
    const replyContexts = new WeakMap<http.ServerResponse, AuditContext>();
    const workerPath = path.join(__dirname, "worker.js");
    const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
    const semaphore = new Semaphore(Math.max(1, options.maxConcurrentOperations ?? Math.max(2, os.cpus().length)));

    // ---- records ----
    // This portal process among the replicas sharing the backend (records and stacks say which one runs what).
    const replicaHost = options.replicaHost ?? os.hostname();
    const self: Runner = { replica: `${replicaHost}:${process.pid}:${randomUUID().slice(0, 8)}`, host: replicaHost, pid: process.pid };
    const location = s3Location(env.PULUMI_BACKEND_URL, env);
    const bucket = location ? new S3Bucket(location, env) : undefined;
    // Replicas on an s3:// backend keep their records in its bucket; one portal on a file backend, in stateDir.
    const store: RecordStore<WorkloadRecord> = bucket ? new BucketRecordStore(bucket, self.replica) : new FileRecordStore(path.join(stateDir, "workloads"));
    const files: BackendFiles | undefined = backendFiles(env.PULUMI_BACKEND_URL, env);
    const records = new Map<string, WorkloadRecord>();
    const save = async (record: WorkloadRecord) => {
        record.updatedAt = now();
        await store.put(record);
    };

    // ---- operations: one per workload at a time ----
    const running = new Map<string, Job>();

    /** This replica could not renew its lease in time: its operations stop before the others may take them over. */
    const fence = () => {
        for (const job of running.values()) {
            job.fenced = true;
            const child = job.child;
            if (!child || child.exitCode !== null || child.signalCode !== null) continue;
            try {
                killProcessTree(child.pid!);
            } catch {
                child.kill("SIGKILL");
            }
        }
    };
    /** Each confirmed renewal is passed on to the workers, which end on their own past it (worker.ts). */
    const renewed = (validForMs: number) => {
        for (const job of running.values()) if (job.child?.connected) job.child.send({ leaseValidForMs: validForMs });
    };
    const lease = bucket ? new ReplicaLease(bucket, self, leaseMs, fence, renewed) : undefined;
    const leases = bucket ? new LeaseObserver(bucket) : undefined;
    await lease?.start();

    /**
     * Whether the process that ran the record's operation is gone: this replica's own (not running here any more), one
     * of this host that no longer runs, or (replicas on an s3:// backend) one whose lease has expired (replicaLease.ts).
     * A file backend has one portal: another runner there is a previous run of it on another host, presumed alive.
     */
    const runnerGone = async (record: WorkloadRecord): Promise<boolean> => {
        const runner = record.runner;
        if (!runner) return true; // a record of a portal before runners were recorded: it stopped with that portal
        if (runner.replica === self.replica) return !running.has(record.id);
        if (runner.host === self.host && !isRunning(runner.pid)) return true;
        return leases ? leases.expired(runner.replica) : false;
    };

    /**
     * A record whose operation's process is gone is marked interrupted, with what its stack holds now (resources,
     * operations the killed run left pending), as GET reports it. The next apply or DELETE recovers the stack, once no
     * process of that run holds its lock any more (begin).
     */
    async function reconcile(record: WorkloadRecord): Promise<void> {
        if (!isTransient(record.status) || !(await runnerGone(record))) return;
        const operation = record.lastOperation?.operation ?? "apply";
        const startedBy = record.startedBy;
        const settled = (result: "succeeded" | "failed", error?: string) =>
            // The operation's end line, which the portal that ran it did not live to write.
            audit.record(startedBy, { action: operation === "preview" ? "create" : operation, workload: record.id, result, ...(error ? { error } : {}), settledAtStart: true });
        if (operation === "preview") {
            // A preview cut short: the workload was never created. Its stack (created before the CLI previewed, holding
            // nothing) goes with the record, unless a CLI of the killed run still holds it: then at the next sync.
            if (files && (await hasCheckpoint(files, PROJECT, record.id))) {
                if ((await liveLockHolders(files, PROJECT, record.id, leases && ((lockHost) => leases.hostGone(lockHost)))).length > 0) return;
                await removeStackFiles(env.PULUMI_BACKEND_URL, bucket, PROJECT, record.id);
                fs.rmSync(path.join(stacksDir, record.id), { recursive: true, force: true });
            }
            records.delete(record.id);
            await store.remove(record.id);
            settled("failed", "interrupted: the portal stopped while this preview was running; nothing was created");
            return;
        }
        const started = record.lastOperation ?? { operation: "apply" as const, result: "running" as const, startedAt: record.updatedAt };
        // The CLI may have finished before the portal could record it: its history then has the result.
        if (files && (await settleFromHistory(record, operation, started))) {
            const failed = record.lastOperation?.result === "failed";
            settled(failed ? "failed" : "succeeded", failed ? record.lastOperation?.error : undefined);
            return;
        }
        const error = "interrupted: the portal stopped while this operation was running";
        Object.assign(record, failedState(record.id, operation, "interrupted", true));
        record.lastOperation = { ...started, result: "failed", finishedAt: now(), error };
        const state = files ? await backendStackState(files, PROJECT, record.id) : undefined;
        if (state) record.lastOperation.state = state;
        delete record.runner;
        delete record.startedBy;
        await save(record);
        settled("failed", error);
    }

    /**
     * Records the result of the record's apply or destroy from the stack's history (stackHistory.ts), when the CLI
     * wrote it: a succeeded apply with the outputs its checkpoint holds, a succeeded destroy by removing the record
     * (as finish() does), a failed one as failed. Returns whether it did.
     */
    async function settleFromHistory(record: WorkloadRecord, operation: "apply" | "destroy", started: LastOperation): Promise<boolean> {
        const entry = entryOfOperation(await latestHistoryEntry(files!, PROJECT, record.id), operation, started.startedAt);
        const stackGone = operation === "destroy" && !(await hasCheckpoint(files!, PROJECT, record.id));
        if (!entry && !stackGone) return false;
        const finishedAt = entry?.endTime ? new Date(entry.endTime * 1000).toISOString() : now();
        const last: LastOperation = { ...started, finishedAt, ...(entry?.resourceChanges ? { changes: entry.resourceChanges } : {}) };
        delete record.runner;
        delete record.startedBy;
        if (stackGone || (entry!.result === "succeeded" && operation === "destroy")) {
            // The worker removes the stack after its destroy: gone, or destroyed, it is what a finished destroy leaves.
            records.delete(record.id);
            await store.remove(record.id);
            return true;
        }
        if (entry!.result === "succeeded") {
            const outputs = await backendStackOutputs(files!, PROJECT, record.id);
            if (!outputs) return false;
            Object.assign(record, { status: "applied", outputs, lastOperation: { ...last, result: "succeeded" } });
            delete record.recoverable;
            delete record.hint;
        } else {
            const error = `the ${operation} failed (its result read from the stack's history: the portal stopped before it recorded it; the operation's diagnostics were not kept)`;
            const state = await backendStackState(files!, PROJECT, record.id);
            Object.assign(record, failedState(record.id, operation, error), { lastOperation: { ...last, result: "failed", error, ...(state ? { state } : {}) } });
        }
        await save(record);
        return true;
    }

    /**
     * Reads the records again (other replicas write them too) and reconciles those whose runner is gone. Run under the
     * store's mutex: a decision taken on these records is written before another replica reads them.
     */
    async function sync(): Promise<void> {
        const listed = await store.list();
        const seen = new Set<string>();
        for (const record of listed) {
            seen.add(record.id);
            // An operation of this replica: its in-memory record is the one its job updates.
            if (!running.has(record.id)) records.set(record.id, record);
        }
        for (const id of [...records.keys()]) if (!seen.has(id) && !running.has(id)) records.delete(id);
        for (const record of [...records.values()]) await reconcile(record);
    }
    await store.exclusive(async () => {
        await sync();
        // Stacks no record owns (a preview killed before its record was written or removed): removed if they hold nothing.
        if (!files) return;
        const sweep = await removeOrphanStacks(
            files,
            PROJECT,
            (stack) => records.has(stack),
            async (stack) => {
                await removeStackFiles(env.PULUMI_BACKEND_URL, bucket, PROJECT, stack);
                if (/^[a-z0-9-]+$/.test(stack)) fs.rmSync(path.join(stacksDir, stack), { recursive: true, force: true });
            },
            leases && ((lockHost) => leases.hostGone(lockHost)),
        );
        if (sweep.kept.length > 0) process.stderr.write(`stacks without a workload record, holding resources or locked, left alone: ${sweep.kept.join(", ")}\n`);
    });
    const lastJobs = new Map<string, Job>();
    let serial = 0;
    let closing = false;

    function failedState(id: string, operation: Operation, error: string, interrupted = false): Pick<WorkloadRecord, "status" | "recoverable" | "hint"> {
        const retry = operation === "destroy" ? `DELETE /workloads/${id}` : `POST /workloads/${id}/apply`;
        return {
            status: "failed",
            recoverable: true,
            hint: interrupted
                ? `The ${operation} was interrupted. Retry ${retry}: the portal first removes the stale lock, clears operations the interrupted run left pending, and refreshes the stack from the cloud.`
                : operation === "destroy"
                    ? `The stack keeps every resource still in the cloud. Fix the cause (${error}) and retry ${retry}; the portal refreshes the stack first.`
                    : `Resources created before the failure are recorded in the stack; nothing is orphaned. Fix the cause and retry ${retry} (the portal refreshes the stack first), or DELETE /workloads/${id} to remove what was created.`,
        };
    }

    const settlingJobs = new Set<Promise<void>>();

    function startJob(record: WorkloadRecord, operation: Operation, recover: boolean, caller: Principal): Job {
        const job = new Job(++serial, operation, record.team);
        job.startedBy = caller;
        running.set(record.id, job);
        lastJobs.set(record.id, job);
        const spec: JobSpec = {
            operation,
            id: record.id,
            root: options.root,
            workDir: path.join(stacksDir, record.id),
            project: PROJECT,
            request: record.request,
            cluster: clusters.get(record.cluster) as ResolvedCluster,
            recover,
        };
        const settling: Promise<void> = (async () => {
            if (semaphore.busy) job.push({ event: "status", data: { status: "queued", operation } });
            await semaphore.acquire();
            let result: JobResult;
            try {
                job.push({ event: "status", data: { status: record.status, operation, message: `${operation} started` } });
                result = closing
                    ? { ok: false, kind: "failed", error: "the portal is shutting down", diagnostics: [] }
                    : job.fenced // queued when this replica fenced itself: never started
                        ? { ok: false, kind: "failed", error: "interrupted: this portal replica could not renew its lease", diagnostics: [], interrupted: true }
                        : await runWorker(job, spec);
            } finally {
                semaphore.release();
            }
            try {
                await finish(record, job, result);
            } catch (error) {
                // The record could not be written: say so on the stream rather than leave the workload busy.
                running.delete(record.id);
                const message = `the portal could not record the outcome: ${(error as Error).message}`;
                job.push({ event: "done", data: { id: record.id, operation, result: "failed", status: record.status, error: message } });
                if (!job.endAudited) audit.record(job.startedBy, { action: operation === "preview" ? "create" : operation, workload: record.id, result: "failed", error: message });
            }
        })();
        // close() waits for these: every operation's end is recorded (and its end line written) before the portal exits.
        settlingJobs.add(settling);
        void settling.finally(() => settlingJobs.delete(settling));
        return job;
    }

    function runWorker(job: Job, spec: JobSpec): Promise<JobResult> {
        return new Promise((resolve) => {
            let result: JobResult | undefined;
            let stderr = "";
            // Its own process group, so that stopping it also stops the CLI and plugins it started.
            const child = fork(workerPath, [], { env, stdio: ["ignore", "ignore", "pipe", "ipc"], detached: true });
            job.child = child;
            child.stderr?.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
            child.on("message", (message: WorkerMessage) => {
                if (message.type === "event") job.push(message.event);
                else result = message.result;
            });
            child.on("error", (error) => {
                // The worker could not be started (or messaged): nothing ran.
                resolve({ ok: false, kind: "failed", error: `the operation's worker failed: ${error.message}`, diagnostics: [], interrupted: true });
                child.kill();
            });
            child.on("exit", (code, signal) => {
                resolve(
                    result ?? {
                        ok: false,
                        kind: "failed",
                        error: `interrupted: the operation's worker ended without a result (${signal ?? `exit ${code}`})`,
                        diagnostics: stderr.trim() ? [stderr.trim()] : [],
                        interrupted: true,
                    },
                );
            });
            child.send({ job: spec });
            if (lease) child.send({ leaseValidForMs: lease.validForMs() });
        });
    }

    async function finish(record: WorkloadRecord, job: Job, result: JobResult): Promise<void> {
        if (job.fenced || lease?.fenced) {
            // Another replica may already have reconciled the record and started over (this replica may be resuming
            // from a freeze before its lease timer noticed): leave the record to reconcile().
            running.delete(record.id);
            const error = "interrupted: this portal replica could not renew its lease and stopped the operation; retry";
            job.push({ event: "done", data: { id: record.id, operation: job.operation, result: "failed", status: "failed", error } });
            job.endAudited = true;
            audit.record(job.startedBy, { action: job.operation === "preview" ? "create" : job.operation, workload: record.id, result: "failed", error });
            return;
        }
        if (options.holdBeforeRecordingForTests && job.operation !== "preview") {
            // Tests only: the window between the CLI's end and the record's write, held open for a kill.
            fs.writeFileSync(options.holdBeforeRecordingForTests, `${process.pid}\n`);
            await new Promise(() => undefined);
        }
        running.delete(record.id);
        delete record.runner;
        delete record.startedBy;
        const last: LastOperation = { ...(record.lastOperation as LastOperation), finishedAt: now() };
        let done: Record<string, unknown>;
        if (result.ok) {
            last.result = "succeeded";
            last.changes = "changes" in result ? result.changes : result.preview.changes;
            delete record.recoverable;
            delete record.hint;
            if (result.operation === "preview") {
                record.status = "previewed";
                record.preview = result.preview;
            } else if (result.operation === "apply") {
                record.status = "applied";
                record.outputs = result.outputs;
            }
            record.lastOperation = last;
            if (result.operation === "destroy") {
                records.delete(record.id);
                await store.remove(record.id);
                // The destroy's events stay available for a while to clients that follow it late.
                setTimeout(() => lastJobs.get(record.id) === job && lastJobs.delete(record.id), 10 * 60_000).unref();
                done = { operation: job.operation, result: "succeeded", status: "destroyed", changes: last.changes };
            } else {
                await save(record);
                done = {
                    operation: job.operation,
                    result: "succeeded",
                    status: record.status,
                    changes: last.changes,
                    ...(result.operation === "apply" ? { outputs: result.outputs } : {}),
                    ...(result.operation === "preview" ? { preview: result.preview, httpStatus: 201 } : {}),
                };
            }
        } else if (result.kind === "invalid" || job.operation === "preview") {
            // A rejected or failed preview keeps nothing: no record, no stack (the worker removed it).
            records.delete(record.id);
            await store.remove(record.id);
            done =
                result.kind === "invalid"
                    ? { operation: "preview", result: "failed", status: "rejected", httpStatus: 400, error: "the request is invalid", problems: result.problems }
                    : { operation: "preview", result: "failed", status: "rejected", httpStatus: 502, error: `preview failed: ${result.error}`, diagnostics: result.diagnostics };
        } else {
            Object.assign(last, { result: "failed", error: result.error, diagnostics: result.diagnostics, state: result.state });
            record.lastOperation = last;
            Object.assign(record, failedState(record.id, job.operation, result.error, result.interrupted));
            if (result.hint) record.hint = `${result.hint} ${record.hint}`;
            // Recoverable: the stack's state was read back after the failure, or the run was cut short (the next
            // operation clears the stale lock and pending operations and refreshes before it changes anything).
            record.recoverable = result.state !== undefined || result.interrupted === true;
            if (!record.recoverable) record.hint = `The stack's state could not be read after the failure: inspect it with \`pulumi stack export --stack ${record.id}\` in ${path.join(stacksDir, record.id)}. ${record.hint}`;
            await save(record);
            done = { operation: job.operation, result: "failed", status: "failed", error: result.error, recoverable: record.recoverable, hint: record.hint, state: result.state };
        }
        job.push({ event: "done", data: { id: record.id, ...done } });
        job.endAudited = true;
        audit.record(job.startedBy, {
            action: job.operation === "preview" ? "create" : job.operation,
            workload: record.id,
            result: result.ok ? "succeeded" : "failed",
            ...(result.ok ? {} : { error: typeof done.error === "string" ? done.error : result.kind === "invalid" ? "the request is invalid" : result.error }),
        });
    }

    /** Decides whether `operation` may start on `record` and records the decision: call under the store's mutex, after sync(). */
    async function begin(record: WorkloadRecord, operation: Operation, caller: Principal): Promise<Job> {
        const active = running.get(record.id);
        if (active) {
            throw new HttpError(409, { error: `workload ${record.id} is busy: ${active.operation === "apply" ? "an" : "a"} ${active.operation} is running; wait for it (GET ${links(record.id).events})`, id: record.id, status: record.status, links: links(record.id) });
        }
        if (isTransient(record.status) && record.runner) {
            // Another replica runs an operation on it (a gone one's record was reconciled by sync()).
            throw new HttpError(409, { error: `workload ${record.id} is busy: another portal replica (${record.runner.replica}) is running its ${record.lastOperation?.operation ?? "operation"}; wait for it (GET ${links(record.id).self})`, id: record.id, status: record.status, links: links(record.id) });
        }
        if (closing) throw new HttpError(503, { error: "the portal is shutting down" });
        if (lease?.fenced) throw new HttpError(503, { error: "this portal replica cannot renew its lease in the backend's bucket: retry (on another replica)" });
        if (operation !== "preview" && files) {
            // A CLI of a previous portal run (killed before its worker could stop it) may still be writing the stack:
            // wait for it rather than run a second update beside it or remove its lock.
            const holders = await liveLockHolders(files, PROJECT, record.id, leases && ((lockHost) => leases.hostGone(lockHost)));
            if (holders.length > 0) {
                const who = holders.map((h) => `pid ${h.pid} on ${h.hostname}`).join(", ");
                throw new HttpError(409, { error: `workload ${record.id}'s stack is locked by a process still running (${who}), left by a previous run of the portal: retry once it has ended`, id: record.id, status: record.status });
            }
            // No process of a killed run writes the stack any more: undo what its kill may have torn.
            if (record.status === "failed") removeTornAttributes(env.PULUMI_BACKEND_URL, PROJECT, record.id);
        }
        if (operation === "apply") {
            // Checked again: another team may have applied in the namespace since this workload's preview expired.
            const conflict = ownership.conflict(record, records.values(), true);
            if (conflict) throw new HttpError(409, { error: conflict.problem.message, ...(conflict.id ? { id: conflict.id } : {}), problems: [conflict.problem] });
            record.appliedAt ??= now();
        }
        if (operation === "destroy") {
            const blockers = ownership.blockersOfDestroy(record, records.values());
            if (blockers.length > 0) {
                const names = blockers.map((b) => `${b.id} (team ${b.team})`).join(", ");
                const problem: FieldProblem = { field: "namespace", message: `workload ${record.id} created namespace ${record.namespace}, which ${names} still use${blockers.length === 1 ? "s" : ""}: destroy ${blockers.length === 1 ? "it" : "them"} first` };
                throw new HttpError(409, { error: problem.message, workloads: blockers.map((b) => b.id), problems: [problem] });
            }
        }
        const recover = record.status === "failed";
        record.status = operation === "apply" ? "applying" : operation === "destroy" ? "destroying" : "previewing";
        record.lastOperation = { operation, result: "running", startedAt: now() };
        record.runner = self;
        // Who asked: the end line a restarted portal writes for an operation cut short names them (reconcile).
        record.startedBy = { name: caller.name, team: caller.team, role: caller.role };
        // A preview's record is written too, before its stack exists: replicas see it hold its namespace
        // (ownership.ts), and a portal killed mid-preview finds it at restart and removes the stack it left.
        await save(record);
        return startJob(record, operation, recover, caller);
    }

    // ---- HTTP ----
    const view = (r: WorkloadRecord) => ({
        id: r.id,
        status: r.status,
        team: r.team,
        cluster: r.cluster,
        namespace: r.namespace,
        serviceAccount: r.serviceAccount,
        ...(r.recoverable !== undefined ? { recoverable: r.recoverable, hint: redact(r.hint) } : {}),
        request: r.request,
        preview: r.preview,
        outputs: r.outputs,
        lastOperation: redact(r.lastOperation),
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        links: links(r.id),
    });

    function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
        auditReply(res, status);
        res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers });
        res.end(JSON.stringify(body, null, 2));
    }

    function stream(req: http.IncomingMessage, res: http.ServerResponse, job: Job): void {
        auditReply(res, 200);
        res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", Connection: "keep-alive", "X-Accel-Buffering": "no", "X-Content-Type-Options": "nosniff" });
        res.write("retry: 2000\n\n");
        const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
        const end = () => {
            clearInterval(heartbeat);
            stop();
            if (!res.writableEnded) res.end();
        };
        const stop = job.follow((entry) => {
            res.write(`id: ${entry.id}\nevent: ${entry.event.event}\ndata: ${JSON.stringify(redact(entry.event.data))}\n\n`);
            if (entry.event.event === "done") setImmediate(end);
        }, header(req, "last-event-id"));
        res.on("close", end);
        if (job.finished) setImmediate(end);
    }

    const header = (req: http.IncomingMessage, name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
    };
    const wantsStream = (req: http.IncomingMessage) => (header(req, "accept") ?? "").includes("text/event-stream");

    function authenticate(req: http.IncomingMessage): Principal {
        try {
            const principal = identities.authenticate(req);
            const context = auditContexts.get(req);
            if (context) context.principal = principal;
            return principal;
        } catch (error) {
            if (error instanceof AuthenticationError) throw new HttpError(401, { error: error.message });
            throw error;
        }
    }

    async function readJson(req: http.IncomingMessage): Promise<unknown> {
        if (!isJsonMediaType(header(req, "content-type"))) {
            throw new HttpError(415, { error: "send the request as Content-Type: application/json (optionally ; charset=utf-8)" }, true);
        }
        const chunks = await readBody(req, bodyTimeoutMs);
        try {
            return JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch (e) {
            throw new HttpError(400, { error: "the request is invalid", problems: [{ field: "body", message: `not JSON: ${(e as Error).message}` }] });
        }
    }

    /** Another team's workload is a 404 like a missing one: a member cannot learn which workloads exist. */
    function lookup(id: string, caller: Principal): WorkloadRecord {
        const record = WORKLOAD_ID.test(id) ? records.get(id) : undefined;
        // An id that is no workload id is not echoed: the reply (and the audit line) stay bounded whatever was sent.
        if (!record || !mayAccess(caller, record.team)) throw new HttpError(404, { error: WORKLOAD_ID.test(id) ? `no workload ${id}` : "no such workload" });
        return record;
    }

    async function createWorkload(req: http.IncomingMessage, res: http.ServerResponse, caller: Principal): Promise<void> {
        const body = await readJson(req);
        if (closing) throw new HttpError(503, { error: "the portal is shutting down" });
        const bodyTeam = typeof body === "object" && body !== null && Object.prototype.hasOwnProperty.call(body, "team") ? (body as { team: unknown }).team : undefined;
        if (caller.role === "member" && bodyTeam !== undefined && bodyTeam !== caller.team) {
            // Refused rather than overridden: a client that believes it acts for another team has a bug to see.
            throw new HttpError(403, { error: `you act for team ${caller.team}: leave team out of the request or give ${JSON.stringify(caller.team)}`, problems: [{ field: "team", message: `not your team (${caller.team})` }] });
        }
        const parsed = parseWorkloadRequest(body, clusters, policy, caller.role === "member" ? caller.team : undefined);
        if (parsed.problems) throw new HttpError(400, { error: "the request is invalid", problems: parsed.problems });
        const request = parsed.request;
        const id = workloadId(request);
        const context = auditContexts.get(req);
        if (context) context.workload = id;
        // Under the store's mutex, on records read again: the check and the claim are one step, across replicas too.
        const [record, job] = await exclusive(async () => {
            const existing = records.get(id);
            if (existing) {
                throw new HttpError(409, { error: `workload ${id} already exists (status ${existing.status}): apply it, or DELETE it first`, id, status: existing.status, links: links(id) });
            }
            const fresh: WorkloadRecord = {
                id,
                status: "previewing",
                team: request.team,
                cluster: request.cluster,
                namespace: request.namespace,
                serviceAccount: request.serviceAccount,
                request,
                createdAt: now(),
                updatedAt: now(),
            };
            // Another team's namespace, a service account taken, a namespace created by another workload of the team.
            const conflict = ownership.conflict(fresh, records.values());
            if (conflict) throw new HttpError(409, { error: conflict.problem.message, ...(conflict.id ? { id: conflict.id } : {}), problems: [conflict.problem] });
            records.set(id, fresh);
            try {
                return [fresh, await begin(fresh, "preview", caller)] as const;
            } catch (error) {
                records.delete(id);
                throw error;
            }
        });
        if (wantsStream(req)) return stream(req, res, job);
        const done = await new Promise<Record<string, unknown>>((resolve) => job.follow((e) => e.event.event === "done" && resolve(e.event.data)));
        if (done.status === "rejected") {
            const { httpStatus, operation: _o, result: _r, status: _s, id: _id, ...body } = done;
            return json(res, httpStatus as number, redact(body));
        }
        json(res, 201, view(record), { Location: `/workloads/${id}` });
    }

    /** Runs `fn` under the store's mutex on records read again (sync); a mutex that stays taken is a 503. */
    async function exclusive<R>(fn: () => Promise<R>): Promise<R> {
        try {
            return await store.exclusive(async () => {
                await sync();
                return fn();
            });
        } catch (error) {
            if (error instanceof MutexTimeout) throw new HttpError(503, { error: `${error.message}: another replica holds it; retry` });
            throw error;
        }
    }

    async function operate(req: http.IncomingMessage, res: http.ServerResponse, id: string, operation: "apply" | "destroy", caller: Principal): Promise<void> {
        const [record, job] = await exclusive(async () => {
            const record = lookup(id, caller);
            return [record, await begin(record, operation, caller)] as const;
        });
        if (wantsStream(req)) return stream(req, res, job);
        json(res, 202, { id: record.id, status: record.status, operation, links: links(record.id) }, { Location: links(record.id).events });
    }

    async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://portal");
        let parts: string[];
        try {
            parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
        } catch {
            throw new HttpError(404, { error: "not found" });
        }
        const method = req.method ?? "GET";
        if (url.pathname === "/healthz" && method === "GET") return json(res, 200, { ok: true });
        const caller = authenticate(req);
        // Replicas: what the others wrote since (a change request reads them again under the mutex).
        if (store.shared && method === "GET") await exclusive(async () => undefined);
        const allow = (...methods: string[]) => {
            if (!methods.includes(method)) throw new HttpError(405, { error: `use ${methods.join(" or ")}` });
        };
        if (parts[0] !== "workloads" || parts.length > 3) throw new HttpError(404, { error: "not found: see /workloads" });
        if (parts.length === 1) {
            allow("GET", "POST");
            if (method === "POST") return createWorkload(req, res, caller);
            const visible = [...records.values()].filter((r) => mayAccess(caller, r.team));
            return json(res, 200, { workloads: visible.map((r) => ({ id: r.id, status: r.status, team: r.team, cluster: r.cluster, namespace: r.namespace, serviceAccount: r.serviceAccount, links: links(r.id) })) });
        }
        const id = parts[1];
        if (parts.length === 2) {
            allow("GET", "DELETE");
            if (method === "DELETE") return operate(req, res, id, "destroy", caller);
            return json(res, 200, view(lookup(id, caller)));
        }
        if (parts[2] === "apply") {
            allow("POST");
            return operate(req, res, id, "apply", caller);
        }
        if (parts[2] === "events") {
            allow("GET");
            const job = WORKLOAD_ID.test(id) ? lastJobs.get(id) : undefined;
            if (job && mayAccess(caller, job.team)) return stream(req, res, job);
            // No operation since the portal started: the current status as the only event.
            const record = lookup(id, caller);
            const replay = new Job(0, record.lastOperation?.operation ?? "preview", record.team);
            replay.push({ event: "done", data: { id, operation: replay.operation, status: record.status, result: record.lastOperation?.result, replayed: true } });
            return stream(req, res, replay);
        }
        throw new HttpError(404, { error: "not found" });
    }

    /** Change requests are audited when their reply ends, whatever it was: what was asked, by whom, and the status. */
    function auditRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
        const parts = new URL(req.url ?? "/", "http://portal").pathname.split("/").filter(Boolean);
        const action: AuditAction | undefined =
            req.method === "POST" && parts.length === 1 && parts[0] === "workloads"
                ? "create"
                : req.method === "POST" && parts.length === 3 && parts[0] === "workloads" && parts[2] === "apply"
                    ? "apply"
                    : req.method === "DELETE" && parts.length === 2 && parts[0] === "workloads"
                        ? "destroy"
                        : undefined;
        if (!action) return;
        const context: AuditContext = { action, workload: action === "create" ? undefined : parts[1], recorded: false };
        auditContexts.set(req, context);
        replyContexts.set(res, context);
        res.once("close", () => {
            if (context.recorded) return;
            // A client gone before its reply is no refusal: while its request is handled (a create waits for its
            // preview), the line waits for the reply it would have had. Only a request whose handler ended without
            // replying is a 499.
            context.clientGone = true;
            if (context.handled) auditReply(res, res.headersSent ? res.statusCode : 499);
        });
    }

    /** The request's handler has returned: a request still without its line (its client went away) gets a 499. */
    function requestHandled(req: http.IncomingMessage, res: http.ServerResponse): void {
        const context = auditContexts.get(req);
        if (!context) return;
        context.handled = true;
        if (context.clientGone) auditReply(res, res.headersSent ? res.statusCode : 499);
    }

    /** Records a change request's line once, as its reply's status is written (an event stream's first, not last). */
    function auditReply(res: http.ServerResponse, status: number): void {
        const context = replyContexts.get(res);
        if (!context || context.recorded) return;
        context.recorded = true;
        audit.record(context.principal, {
            action: context.action,
            workload: context.workload ?? null,
            result: status >= 400 ? "refused" : "accepted",
            httpStatus: status,
            ...(context.error ? { error: context.error } : {}),
            ...(context.clientGone ? { clientGone: true } : {}),
        });
    }

    const server = http.createServer((req, res) => {
        auditRequest(req, res);
        const handled = route(req, res).catch((error) => {
            if (res.headersSent) return void res.end();
            const context = auditContexts.get(req);
            if (context) context.error = error instanceof HttpError ? error.message : "internal error";
            if (error instanceof HttpError) {
                if (error.closeConnection) {
                    // The unread rest of the body would be taken for the next request: end the connection once the
                    // reply is flushed (end() half-closes after pending writes), and drop it if the client lingers.
                    res.once("finish", () => {
                        req.socket.end();
                        setTimeout(() => req.socket.destroy(), 1000).unref();
                    });
                }
                return json(res, error.status, error.body, {
                    ...(error.status === 401 ? { "WWW-Authenticate": "Bearer" } : {}),
                    ...(error.closeConnection ? { Connection: "close" } : {}),
                });
            }
            json(res, 500, { error: `internal error: ${error instanceof Error ? error.message : String(error)}` });
        });
        void handled.finally(() => requestHandled(req, res));
    });
    server.requestTimeout = 0; // event streams and synchronous previews outlive the default
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

    return {
        url: `http://${host}:${address.port}`,
        async close() {
            closing = true;
            // Each worker's group gets SIGTERM; whatever descends from it still runs after the grace period, in any
            // process group, is SIGKILLed (processTree.ts): no plugin outlives the portal with its credentials.
            const stops = [...running.values()].map((job) => {
                const child = job.child;
                if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
                const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
                return Promise.all([exited, stopProcessTree(child.pid!, shutdownGraceMs, clock)]);
            });
            await Promise.all(stops);
            // The interrupted operations record their state and write their end lines.
            if (!options.holdBeforeRecordingForTests) await Promise.all([...settlingJobs]); // held there for good, by design
            await lease?.stop();
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            audit.close();
        },
    };
}
