/**
 * An operation as the portal runs it: its event log (replayed to clients that follow late) and the limit on how many
 * run at once.
 */
import type { ChildProcess } from "child_process";
import type { Principal } from "./identity";
import type { Operation, PortalEvent } from "./protocol";

/** An operation's event log: replayed to late subscribers, followed live until `done`. */
export class Job {
    readonly events: { id: string; event: PortalEvent }[] = [];
    private readonly listeners = new Set<(e: { id: string; event: PortalEvent }) => void>();
    finished = false;
    child?: ChildProcess;
    /** Who asked for the operation: the audit log's line for its end names them too. */
    startedBy?: Principal;
    /** Its end line is in the audit log: written once, whichever path ended it. */
    endAudited = false;
    /** Stopped by this replica's fence: the others may have taken the workload over, its outcome is not recorded. */
    fenced = false;

    /** `team`: the workload's, so that only its team (and admins) may follow the operation. */
    constructor(readonly serial: number, readonly operation: Operation, readonly team: string) {}

    push(event: PortalEvent): void {
        if (this.finished) return;
        const entry = { id: `${this.serial}.${this.events.length + 1}`, event };
        this.events.push(entry);
        for (const listener of this.listeners) listener(entry);
        if (event.event === "done") {
            this.finished = true;
            this.listeners.clear();
        }
    }

    /** Replays events after `lastEventId` (if of this job), then follows; returns an unsubscribe function. */
    follow(listener: (e: { id: string; event: PortalEvent }) => void, lastEventId?: string): () => void {
        const [serial, seq] = (lastEventId ?? "").split(".").map(Number);
        const skip = serial === this.serial && Number.isInteger(seq) ? seq : 0;
        for (const entry of this.events.slice(skip)) listener(entry);
        if (this.finished) return () => undefined;
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
}

/** At most `limit` holders at once; the others wait in order. */
export class Semaphore {
    private active = 0;
    private readonly waiting: (() => void)[] = [];
    constructor(private readonly limit: number) {}
    get busy(): boolean {
        return this.active >= this.limit;
    }
    async acquire(): Promise<void> {
        if (this.active < this.limit) {
            this.active++;
            return;
        }
        await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    release(): void {
        const next = this.waiting.shift();
        if (next) next();
        else this.active--;
    }
}
