import * as fs from "fs";

/** Processes descended from `root`, from /proc (none where there is no /proc: the process group still ends). */
export function descendantsOf(root: number): number[] {
    const children = new Map<number, number[]>();
    let entries: string[];
    try {
        entries = fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
    } catch {
        return [];
    }
    for (const entry of entries) {
        try {
            // "<pid> (<comm>) <state> <ppid> …": the command may contain spaces and parentheses.
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // ended meanwhile
        }
    }
    const found: number[] = [];
    for (let queue = [root]; queue.length > 0; ) {
        const next = children.get(queue.shift() as number) ?? [];
        found.push(...next);
        queue = queue.concat(next);
    }
    return found;
}

/**
 * SIGKILLs `root`'s descendants, then `root`'s process group (`root` leads it: forked detached). Descendants first:
 * the CLI starts its plugins in process groups of their own, which the group's kill would miss.
 */
export function killProcessTree(root: number): void {
    for (const pid of descendantsOf(root)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    process.kill(-root, "SIGKILL");
}

/** `<state> <ppid> … <starttime>` of /proc/<pid>/stat; undefined when the process is gone (or there is no /proc). */
function statOf(pid: number): { state: string; startTime: string } | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // Field 3 is the state, field 22 the start time (proc(5)); fields[0] here is field 3.
        return { state: fields[0], startTime: fields[19] };
    } catch {
        return undefined;
    }
}

/**
 * The processes descended from one root, remembered as they are seen: a process whose parent dies is reparented (to
 * init or a subreaper) and can no longer be found from the root, so each scan also walks from every process seen
 * before. A process is remembered with its start time, so a pid reused by an unrelated process is never signalled.
 */
export class DescendantTracker {
    private readonly seen = new Map<number, string>();

    constructor(readonly root: number) {}

    /** Adds the descendants of the root and of every remembered process still running. */
    scan(): void {
        for (const from of [this.root, ...this.alive()]) {
            for (const pid of descendantsOf(from)) {
                const stat = statOf(pid);
                if (stat && !this.seen.has(pid)) this.seen.set(pid, stat.startTime);
            }
        }
    }

    /** Remembered processes that still run (same pid and start time, not a zombie waiting to be reaped). */
    alive(): number[] {
        return [...this.seen].filter(([pid, startTime]) => {
            const stat = statOf(pid);
            return stat !== undefined && stat.startTime === startTime && stat.state !== "Z";
        }).map(([pid]) => pid);
    }

    /** Every remembered process seen so far, running or not. */
    get pids(): number[] {
        return [...this.seen.keys()];
    }

    /**
     * SIGKILLs the remembered processes still running. They are stopped (SIGSTOP) first, and their children looked for
     * again until none is new: a process killed while it forks would leave a child no scan has seen.
     */
    killAlive(): void {
        for (let fresh = this.alive(); fresh.length > 0; ) {
            signal(fresh, "SIGSTOP");
            const known = new Set(this.seen.keys());
            this.scan();
            fresh = this.alive().filter((pid) => !known.has(pid));
        }
        signal(this.alive(), "SIGKILL");
    }
}

function signal(pids: number[], name: NodeJS.Signals): void {
    for (const pid of pids) {
        try {
            process.kill(pid, name);
        } catch {
            // ended meanwhile
        }
    }
}

/** What stopProcessTree waits on: the process's own clock (clock.ts), so that tests need not depend on load. */
export interface GraceClock {
    monotonic(): number;
    sleep(ms: number): Promise<void>;
}

/**
 * Stops a worker and everything it started, on shutdown: SIGTERM to its process group (the worker, the CLI and the
 * language host: the CLI cancels and closes its plugins), then, once `graceMs` has passed, SIGKILL to every
 * descendant still running, whatever its process group or session: the CLI starts its plugins in process groups of
 * their own, and a plugin whose CLI died first was seen to run on for good, credentials in its environment.
 * Descendants are recorded before the SIGTERM and while the tree runs, so that those reparented on their parent's
 * death are still found. Resolves once nothing of the tree runs (early, if it all ends within the grace period).
 */
export async function stopProcessTree(root: number, graceMs: number, clock: GraceClock, pollMs = 100): Promise<number[]> {
    const tracker = new DescendantTracker(root);
    tracker.scan();
    try {
        process.kill(-root, "SIGTERM");
    } catch {
        try {
            process.kill(root, "SIGTERM");
        } catch {
            // already gone
        }
    }
    const rootAlive = () => {
        const stat = statOf(root);
        return stat !== undefined && stat.state !== "Z";
    };
    for (const until = clock.monotonic() + graceMs; clock.monotonic() < until; await clock.sleep(pollMs)) {
        tracker.scan();
        if (!rootAlive() && tracker.alive().length === 0) return tracker.pids;
    }
    tracker.scan();
    tracker.killAlive();
    try {
        process.kill(-root, "SIGKILL");
    } catch {
        // the group has ended
    }
    // A SIGKILL takes effect once the process is next scheduled: wait for that (a process in uninterruptible sleep
    // may take longer; after 50 polls the caller goes on).
    for (let polls = 0; polls < 50 && tracker.alive().length > 0; polls++) await clock.sleep(pollMs);
    return tracker.pids;
}
