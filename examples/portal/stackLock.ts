/**
 * The fence between portal runs. A portal that was killed may leave a Pulumi CLI of its run still writing a stack;
 * the next run must not start an operation on that stack (nor remove its lock with `pulumi cancel`) until that process
 * is gone. In-memory state cannot tell (it died with the old run), so the fence is the backend's own lock: a file
 * backend keeps it at `.pulumi/locks/organization/<project>/<stack>/<id>.json` with the holder's pid and host.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fileURLToPath } from "url";

/** A process holding a stack's lock. */
export interface LockHolder {
    pid: number;
    hostname: string;
    timestamp?: string;
}

/** Whether `pid` is a running process here (a zombie, waiting for its parent to reap it, writes nothing: not running). */
export function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    try {
        // /proc/<pid>/stat: "<pid> (<comm>) <state> …"; the command may contain spaces and parentheses.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        return true; // no /proc (macOS): kill(pid, 0) succeeded
    }
}

/**
 * Lock holders of `stack` that are still running on this host. Only a `file://` backend can be checked this way;
 * for others this returns none (their locks name hosts and pids the portal cannot probe: run one portal per backend).
 * A lock of another host is reported as live: the portal cannot tell whether its process still runs.
 */
export function liveLockHolders(backendUrl: string, project: string, stack: string): LockHolder[] {
    if (!backendUrl.startsWith("file://")) return [];
    const root = path.join(fileURLToPath(backendUrl.split("?")[0]), ".pulumi", "locks");
    const holders: LockHolder[] = [];
    // Project-scoped layout (current CLIs) and the legacy one (stacks without a project).
    for (const dir of [path.join(root, "organization", project, stack), path.join(root, stack)]) {
        let files: string[];
        try {
            files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
        } catch {
            continue;
        }
        for (const file of files) {
            let lock: LockHolder;
            try {
                lock = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
            } catch {
                continue; // removed while read, or half-written: not a holder to wait for
            }
            if (lock.hostname !== os.hostname() || isRunning(lock.pid)) holders.push({ pid: lock.pid, hostname: lock.hostname, timestamp: lock.timestamp });
        }
    }
    return holders;
}
