/**
 * The fence between portal runs. A portal that was killed may leave a Pulumi CLI of its run still writing a stack;
 * the next run must not start an operation on that stack (nor remove its lock with `pulumi cancel`) until that process
 * is gone. In-memory state cannot tell (it died with the old run), so the fence is the backend's own lock.
 */
import * as fs from "fs";
import * as os from "os";
import type { BackendFiles } from "./backendFiles";

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
 * Lock holders of `stack` that may still write it: the CLI keeps its lock at
 * `.pulumi/locks/organization/<project>/<stack>/<id>.json` with the holder's pid and host, in a local folder or a
 * bucket alike (backendFiles.ts). A holder on this host is live while its pid runs. This host cannot probe one on
 * another host: it is live unless `hostGone` (replicas' leases, replicaLease.ts) says that every portal replica of
 * that host has an expired lease, which means their fences ended the CLIs they ran there. Without `hostGone` (one
 * portal on a file backend), or for a host no replica recorded (someone's own CLI), it is live.
 */
export async function liveLockHolders(files: BackendFiles, project: string, stack: string, hostGone?: (host: string) => Promise<boolean | undefined>): Promise<LockHolder[]> {
    const holders: LockHolder[] = [];
    // Project-scoped layout (current CLIs) and the legacy one (stacks without a project).
    for (const dir of [`.pulumi/locks/organization/${project}/${stack}`, `.pulumi/locks/${stack}`]) {
        for (const file of (await files.list(dir)).filter((f) => f.endsWith(".json"))) {
            let lock: LockHolder;
            try {
                lock = JSON.parse((await files.read(`${dir}/${file}`)) ?? "");
            } catch {
                continue; // removed while read, or half-written: not a holder to wait for
            }
            const live = lock.hostname === os.hostname() ? isRunning(lock.pid) : (await hostGone?.(lock.hostname)) !== true;
            if (live) holders.push({ pid: lock.pid, hostname: lock.hostname, timestamp: lock.timestamp });
        }
    }
    return holders;
}
