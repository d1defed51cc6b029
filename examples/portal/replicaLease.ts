/**
 * Replicas' leases on an `s3://` backend: how a replica tells that another one, possibly on another host, is gone.
 *
 * Each replica renews its heartbeat, the object `portal/replicas/<replica>.json`, every sixth of its lease. The others
 * hold a replica gone once its heartbeat has stayed the same version for a whole lease, timed on their own clock from
 * when they first saw that version, or once it is absent. Its runs are then interrupted (server.ts reconciles them)
 * and the CLI locks left on its host are stale (stackLock.ts).
 *
 * That is safe only if a replica that cannot renew stops writing stacks before the others can see its lease expire:
 * a replica fences itself (stops its workers, refuses new operations) once two thirds of its lease have passed since it
 * sent its last renewal that S3 confirmed, a third of the lease before any other replica can count it gone (those
 * count from when they first saw a version, which is no earlier than when it was sent). Its workers also end on their
 * own at that point unless the replica confirms a renewal to them (worker.ts), so a replica frozen as a whole (a
 * paused VM, SIGSTOP) is fenced too.
 *
 * Clocks: each replica measures only durations on its own monotonic clock (clock.ts); wall-clock times in
 * the heartbeat are for operators. What is assumed is that clocks run at the same rate within a few percent over a
 * lease (drift, not offset: skewed or stepped wall clocks do not matter), and that stopping the workers (SIGKILL) takes
 * less than the remaining third.
 */
import { Clock, systemClock } from "./clock";
import type { S3Bucket } from "./s3";

/** Default lease of a replica's heartbeat (`PORTAL_REPLICA_LEASE_MS`). */
export const REPLICA_LEASE_MS = 30_000;
/** The shortest lease accepted: its last third must cover the workers' 250 ms poll of their deadline (worker.ts) and a late fence tick, with room to spare. */
export const MIN_REPLICA_LEASE_MS = 3_000;

const PREFIX = "portal/replicas/";
const keyOf = (replica: string) => `${PREFIX}${encodeURIComponent(replica)}.json`;

/** What a replica's heartbeat object holds. */
export interface Heartbeat {
    replica: string;
    host: string;
    pid: number;
    /** Its lease: how long others wait, once its heartbeat stops changing, before they count it gone. */
    leaseMs: number;
    /** Counts renewals: each version differs (and so does its ETag). */
    renewal: number;
    /** Wall-clock times of the renewal and of the lease's end, for an operator reading the bucket; not compared. */
    renewedAt: string;
    expiresAt: string;
    /** Written by a replica that stopped cleanly, its workers ended: gone at once. */
    stopped?: boolean;
}

/** Renewals and fencing of this replica's lease. */
export function fenceAfterMs(leaseMs: number): number {
    return Math.floor((leaseMs * 2) / 3);
}

export function checkLeaseMs(leaseMs: number, source: string): number {
    if (!Number.isInteger(leaseMs) || leaseMs < MIN_REPLICA_LEASE_MS) {
        throw new Error(`${source} must be a whole number of milliseconds, at least ${MIN_REPLICA_LEASE_MS} (got ${leaseMs}); the default is ${REPLICA_LEASE_MS}`);
    }
    return leaseMs;
}

export interface LeaseHolder {
    replica: string;
    host: string;
    pid: number;
}

/**
 * This replica's lease. `onFence` runs once when the replica must stop its workers; `onRenew` after each confirmed
 * renewal, with how long the replica may keep running operations from now on.
 */
export class ReplicaLease {
    private confirmedAt = -Infinity;
    private renewal = 0;
    private stopTicking?: () => void;
    private fencedNow = false;

    constructor(
        private readonly bucket: S3Bucket,
        private readonly holder: LeaseHolder,
        readonly leaseMs: number,
        private readonly onFence: () => void,
        private readonly onRenew: (validForMs: number) => void = () => undefined,
        private readonly clock: Clock = systemClock,
    ) {}

    /** Writes the first heartbeat (a replica that cannot does not start), then renews it every sixth of the lease. */
    async start(): Promise<void> {
        if (!(await this.renew())) throw new Error(`could not write this replica's heartbeat ${keyOf(this.holder.replica)}`);
        this.stopTicking = this.clock.every(Math.max(100, Math.floor(this.leaseMs / 6)), () => void this.tick());
    }

    /** Whether the replica has fenced itself (no confirmed renewal for two thirds of the lease). */
    get fenced(): boolean {
        return this.fencedNow || this.validForMs() <= 0;
    }

    /** How long the replica may still run operations without a further confirmed renewal. */
    validForMs(): number {
        return this.confirmedAt + fenceAfterMs(this.leaseMs) - this.clock.monotonic();
    }

    private async tick(): Promise<void> {
        if (!this.fencedNow && this.validForMs() <= 0) {
            this.fencedNow = true;
            this.onFence();
        }
        await this.renew();
    }

    /** One renewal; renewals may overlap (a slow one does not hold back the next). */
    private async renew(): Promise<boolean> {
        const sentAt = this.clock.monotonic();
        const renewal = ++this.renewal;
        const renewedAt = this.clock.now();
        const heartbeat: Heartbeat = {
            ...this.holder,
            leaseMs: this.leaseMs,
            renewal,
            renewedAt: new Date(renewedAt).toISOString(),
            expiresAt: new Date(renewedAt + this.leaseMs).toISOString(),
        };
        try {
            if (!(await this.bucket.put(keyOf(this.holder.replica), JSON.stringify(heartbeat)))) return false;
        } catch {
            return false; // S3 unreachable: the next tick retries; the fence counts from the last confirmed one
        }
        if (sentAt > this.confirmedAt) this.confirmedAt = sentAt;
        if (this.fencedNow && this.validForMs() > 0) this.fencedNow = false; // renewed again: may run new operations
        if (!this.fencedNow) this.onRenew(this.validForMs());
        return true;
    }

    /**
     * Stops renewing and marks the heartbeat stopped (call once the replica's workers have ended): the others count it
     * gone at once. The object stays (a few hundred bytes per replica run) so that locks its host's CLIs left are
     * still known to be stale.
     */
    async stop(): Promise<void> {
        this.stopTicking?.();
        this.fencedNow = true;
        const stoppedAt = new Date(this.clock.now()).toISOString();
        const heartbeat: Heartbeat = { ...this.holder, leaseMs: this.leaseMs, renewal: ++this.renewal, renewedAt: stoppedAt, expiresAt: stoppedAt, stopped: true };
        await this.bucket.put(keyOf(this.holder.replica), JSON.stringify(heartbeat)).catch(() => undefined);
    }
}

/**
 * A worker's end of its replica's lease (worker.ts): after each renewal S3 confirmed, the replica tells its workers how
 * long they may still run; a worker that hears nothing more by then ends its run itself, as its replica may be frozen
 * and the others about to take the workload over. Timed on the worker's own clock from when the word arrived.
 */
export class LeaseDeadline {
    /** No word yet: a portal on a file backend has no lease, and its workers end only with it. */
    private endsAt = Infinity;

    constructor(private readonly clock: Clock = systemClock) {}

    /** The replica confirmed a renewal: the worker may run `validForMs` more. */
    extend(validForMs: number): void {
        this.endsAt = this.clock.monotonic() + validForMs;
    }

    get passed(): boolean {
        return this.clock.monotonic() > this.endsAt;
    }
}

/** Other replicas' leases, as one replica sees them. */
export class LeaseObserver {
    /** Per replica: the heartbeat version last seen and when (this process's monotonic clock) it was first seen. */
    private readonly seen = new Map<string, { etag: string; since: number }>();

    constructor(
        private readonly bucket: S3Bucket,
        private readonly clock: Clock = systemClock,
    ) {}

    /** Whether `replica`'s lease has expired: its heartbeat is absent, or has not changed for a whole lease. */
    async expired(replica: string): Promise<boolean> {
        const object = await this.bucket.get(keyOf(replica));
        if (!object) return true;
        let leaseMs = REPLICA_LEASE_MS;
        try {
            const heartbeat = JSON.parse(object.body) as Heartbeat;
            if (heartbeat.stopped === true) return true;
            leaseMs = Number(heartbeat.leaseMs) || REPLICA_LEASE_MS;
        } catch {
            // unreadable: the default lease
        }
        const seen = this.seen.get(replica);
        if (!seen || seen.etag !== object.etag) {
            this.seen.set(replica, { etag: object.etag, since: this.clock.monotonic() });
            return false;
        }
        return this.clock.monotonic() - seen.since >= leaseMs;
    }

    /**
     * Whether every replica that recorded `host` has an expired lease (and one did): the processes such a replica
     * started there (CLIs holding stack locks) were ended by its fence. Undefined when no replica recorded that host.
     */
    async hostGone(host: string): Promise<boolean | undefined> {
        const keys = (await this.bucket.list(PREFIX)).filter((key) => key.endsWith(".json"));
        const onHost: string[] = [];
        for (const key of keys) {
            const object = await this.bucket.get(key);
            try {
                const heartbeat = JSON.parse(object?.body ?? "") as Heartbeat;
                if (heartbeat.host === host) onHost.push(heartbeat.replica);
            } catch {
                // removed meanwhile or unreadable: not a replica of that host
            }
        }
        if (onHost.length === 0) return undefined;
        for (const replica of onHost) if (!(await this.expired(replica))) return false;
        return true;
    }
}
