/**
 * Where the portal keeps its workload records (team, namespace, status, outputs…), and the mutex under which a replica
 * decides (ownership checks, "is an operation running?") and writes its decision.
 *
 * - One portal on a `file://` backend: one JSON file per record in `<stateDir>/workloads`; the mutex is in-process.
 * - Replicas on an `s3://` backend: one object per record under `portal/workloads/` in the backend's own bucket, so
 *   every replica reads the same records; the mutex is the object `portal/mutex.json`, created with a conditional
 *   write (`If-None-Match: *`: S3 creates it for one writer and answers 412 to the others). A holder that died leaves
 *   it to expire after `MUTEX_LEASE_MS`; the next replica takes it over with `If-Match` on the expired version, so two
 *   replicas cannot both take it over either. The holder releases it with a conditional delete (`If-Match` on the
 *   version it wrote), so every transition is conditional: a holder that stalled past its lease, whose mutex was taken
 *   over meanwhile, neither deletes nor overwrites its successor's.
 *
 * Objects rather than stack tags: a record holds previews and outputs (IAM documents) that are larger than a tag value
 * is meant to be, exists before its stack does, and must be replaced conditionally, which tags cannot.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Clock, systemClock } from "./clock";
import { S3Bucket } from "./s3";

export interface RecordStore<T extends { id: string }> {
    /** Whether other processes (replicas) write these records too: the caller then re-reads before it decides. */
    readonly shared: boolean;
    list(): Promise<T[]>;
    put(record: T): Promise<void>;
    remove(id: string): Promise<void>;
    /** Runs `fn` holding the mutex: no other holder (in this process or another replica) runs meanwhile. */
    exclusive<R>(fn: () => Promise<R>): Promise<R>;
}

/** One `fn` at a time in this process. */
class LocalMutex {
    private tail: Promise<unknown> = Promise.resolve();
    run<R>(fn: () => Promise<R>): Promise<R> {
        const result = this.tail.then(fn, fn);
        this.tail = result.catch(() => undefined);
        return result;
    }
}

export class FileRecordStore<T extends { id: string }> implements RecordStore<T> {
    readonly shared = false;
    private readonly mutex = new LocalMutex();
    constructor(private readonly dir: string) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    async list(): Promise<T[]> {
        return fs.readdirSync(this.dir).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(fs.readFileSync(path.join(this.dir, f), "utf8")));
    }
    async put(record: T): Promise<void> {
        const file = path.join(this.dir, `${record.id}.json`);
        fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2), { mode: 0o600 });
        fs.renameSync(`${file}.tmp`, file);
    }
    async remove(id: string): Promise<void> {
        fs.rmSync(path.join(this.dir, `${id}.json`), { force: true });
    }
    exclusive<R>(fn: () => Promise<R>): Promise<R> {
        return this.mutex.run(fn);
    }
}

/** How long a replica may hold the bucket's mutex before another may take it over (decisions take milliseconds). */
export const MUTEX_LEASE_MS = 30_000;
/** How long a replica waits for the mutex before its request is refused with 503. */
const MUTEX_WAIT_MS = 20_000;

export class MutexTimeout extends Error {}

export class BucketRecordStore<T extends { id: string }> implements RecordStore<T> {
    readonly shared = true;
    private readonly local = new LocalMutex();
    private static readonly PREFIX = "portal/workloads/";
    private static readonly MUTEX = "portal/mutex.json";

    /**
     * `holder`: names this replica in the mutex object (for an operator reading the bucket). `leaseMs`: how long the
     * mutex is this replica's before another may take it over. `clock`: reads the mutex's expiry (a wall-clock time,
     * written by whichever replica holds it) and times the waits between attempts.
     */
    constructor(
        private readonly bucket: S3Bucket,
        private readonly holder: string,
        private readonly leaseMs = MUTEX_LEASE_MS,
        private readonly clock: Clock = systemClock,
    ) {}

    async list(): Promise<T[]> {
        const keys = (await this.bucket.list(BucketRecordStore.PREFIX)).filter((k) => k.endsWith(".json"));
        const objects = await Promise.all(keys.map((k) => this.bucket.get(k)));
        return objects.filter((o) => o !== undefined).map((o) => JSON.parse(o!.body));
    }
    async put(record: T): Promise<void> {
        await this.bucket.put(`${BucketRecordStore.PREFIX}${record.id}.json`, JSON.stringify(record, null, 2));
    }
    async remove(id: string): Promise<void> {
        await this.bucket.delete(`${BucketRecordStore.PREFIX}${id}.json`);
    }

    exclusive<R>(fn: () => Promise<R>): Promise<R> {
        return this.local.run(async () => {
            const etag = await this.acquire();
            try {
                return await fn();
            } finally {
                await this.release(etag);
            }
        });
    }

    /** Takes the mutex; returns the ETag of the version this replica wrote (its proof of holding it). */
    private async acquire(): Promise<string> {
        // The token makes each holder's version distinct (its ETag), even two written in the same millisecond.
        const token = randomUUID();
        const body = () => JSON.stringify({ holder: this.holder, token, expiresAt: new Date(this.clock.now() + this.leaseMs).toISOString() });
        const deadline = this.clock.now() + MUTEX_WAIT_MS;
        for (let attempt = 0; ; attempt++) {
            const created = await this.bucket.put(BucketRecordStore.MUTEX, body(), { ifNoneMatch: "*" });
            if (created) return created;
            const current = await this.bucket.get(BucketRecordStore.MUTEX);
            if (current) {
                let expiresAt = 0;
                try {
                    expiresAt = Date.parse(JSON.parse(current.body).expiresAt);
                } catch {
                    // unreadable: treat as expired
                }
                const taken = expiresAt > this.clock.now() ? undefined : await this.bucket.put(BucketRecordStore.MUTEX, body(), { ifMatch: current.etag });
                if (taken) return taken;
            }
            if (this.clock.now() > deadline) throw new MutexTimeout(`the records' mutex (${BucketRecordStore.MUTEX}) stayed held for ${MUTEX_WAIT_MS} ms`);
            await this.clock.sleep(Math.min(200, 10 * 2 ** attempt) * (0.5 + Math.random()));
        }
    }

    /**
     * Deletes the mutex only if it is still the version this replica wrote (`If-Match`: S3 user guide, "How to perform
     * conditional deletes"). One that another replica took over once the lease expired has another ETag: S3 answers
     * 412 and the successor keeps it.
     */
    private async release(etag: string): Promise<void> {
        await this.bucket.delete(BucketRecordStore.MUTEX, { ifMatch: etag });
    }
}
