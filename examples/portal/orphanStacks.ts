/**
 * Stacks no record owns. A preview creates its stack before the CLI previews it; a portal killed meanwhile (SIGKILL,
 * OOM) leaves a stack behind whose record the restarted portal removes (a preview created nothing in the cloud). The
 * portal removes such stacks at start: those that hold no resources and no pending operation, and whose lock no live
 * process holds. A stack holding resources without a record is never removed: it is reported for an operator.
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import type { BackendFiles } from "./backendFiles";
import { backendStackState } from "./checkpoint";
import type { S3Bucket } from "./s3";
import { liveLockHolders } from "./stackLock";

/** The stacks of `project` in the backend (names of `.pulumi/stacks/<project>/<stack>.json`). */
export async function backendStacks(files: BackendFiles, project: string): Promise<string[]> {
    return (await files.list(`.pulumi/stacks/${project}`)).filter((name) => name.endsWith(".json")).map((name) => name.slice(0, -".json".length));
}

/** Where a stack's files live in a DIY backend: its checkpoint (and backups, attributes), history, backups, locks. */
const stackPrefixes = (project: string, stack: string) => [
    `.pulumi/stacks/${project}/${stack}.json`,
    `.pulumi/history/${project}/${stack}/`,
    `.pulumi/backups/${project}/${stack}/`,
    `.pulumi/locks/organization/${project}/${stack}/`,
];

/** Removes a stack's files from a `file://` backend's folder or an `s3://` backend's bucket (what `pulumi stack rm` removes). */
export async function removeStackFiles(backendUrl: string, bucket: S3Bucket | undefined, project: string, stack: string): Promise<void> {
    if (bucket) {
        for (const prefix of stackPrefixes(project, stack)) for (const key of await bucket.list(prefix)) await bucket.delete(key);
        return;
    }
    if (!backendUrl.startsWith("file://")) return;
    const root = fileURLToPath(backendUrl.split("?")[0]);
    const [checkpoint, ...dirs] = stackPrefixes(project, stack);
    const stacksDir = path.join(root, path.dirname(checkpoint));
    for (const name of fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : []) {
        // <stack>.json, .json.bak, .json.attrs, .json.gz…, never another stack whose name starts with this one's.
        if (name === `${stack}.json` || name.startsWith(`${stack}.json.`)) fs.rmSync(path.join(stacksDir, name), { force: true });
    }
    for (const dir of dirs) fs.rmSync(path.join(root, dir), { recursive: true, force: true });
}

/** What removeOrphanStacks found. */
export interface OrphanSweep {
    removed: string[];
    /** Stacks without a record that hold resources (or are locked by a live process): left alone. */
    kept: string[];
}

/**
 * Removes the stacks of `project` that `hasRecord` says no record owns and that hold nothing. Call under the records'
 * mutex, after the records were read: a preview's record is written before its stack is created.
 */
export async function removeOrphanStacks(
    files: BackendFiles,
    project: string,
    hasRecord: (stack: string) => boolean,
    remove: (stack: string) => Promise<void>,
    hostGone?: (host: string) => Promise<boolean | undefined>,
): Promise<OrphanSweep> {
    const sweep: OrphanSweep = { removed: [], kept: [] };
    for (const stack of await backendStacks(files, project)) {
        if (hasRecord(stack)) continue;
        const state = await backendStackState(files, project, stack);
        const empty = state !== undefined && state.resources === 0 && state.pendingOperations.length === 0;
        if (!empty || (await liveLockHolders(files, project, stack, hostGone)).length > 0) {
            sweep.kept.push(stack);
            continue;
        }
        await remove(stack);
        sweep.removed.push(stack);
    }
    return sweep;
}
