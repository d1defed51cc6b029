/**
 * What a stack holds, read from a DIY backend's checkpoint without the CLI: used to report, for an operation a
 * previous run (or another replica) did not see finish, the state its stack was left in (the same data
 * `pulumi stack export` prints).
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import type { BackendFiles } from "./backendFiles";
import { workloadOutputs } from "./outputs";
import type { StackState } from "./protocol";

/** Where the CLI keeps a stack's checkpoint in a DIY backend (the project-scoped layout of current CLIs). */
export const checkpointPath = (project: string, stack: string) => `.pulumi/stacks/${project}/${stack}.json`;

/** Whether the stack has a checkpoint: a stack a preview never created, or a destroy removed, has none. */
export async function hasCheckpoint(files: BackendFiles, project: string, stack: string): Promise<boolean> {
    return (await files.read(checkpointPath(project, stack))) !== undefined;
}

interface LatestDeployment {
    resources?: any[];
    pending_operations?: any[];
}

/** The checkpoint's latest deployment; undefined without a (readable, uncompressed) checkpoint. */
async function latestDeployment(files: BackendFiles, project: string, stack: string): Promise<LatestDeployment | undefined> {
    try {
        const text = await files.read(checkpointPath(project, stack));
        return text === undefined ? undefined : (JSON.parse(text).checkpoint?.latest ?? {});
    } catch {
        return undefined; // unreadable: the record keeps saying "interrupted" only
    }
}

/** The stack's state; undefined for a stack without a (readable, uncompressed) checkpoint. */
export async function backendStackState(files: BackendFiles, project: string, stack: string): Promise<StackState | undefined> {
    const latest = await latestDeployment(files, project, stack);
    if (!latest) return undefined;
    return {
        resources: (latest.resources ?? []).filter((r) => r.custom && !String(r.type).startsWith("pulumi:providers:")).length,
        pendingOperations: (latest.pending_operations ?? []).map((p) => `${p.type} ${p.resource?.urn}`),
    };
}

/**
 * The stack's outputs as the portal reports them: the root stack resource's (`pulumi:pulumi:Stack`) outputs in the
 * checkpoint, which `pulumi stack output` prints too. A secret output is kept in the checkpoint encrypted with the
 * stack's secrets provider, which the portal does not hold a decrypter for: it is left out (the next apply reports it).
 * Undefined without a readable checkpoint.
 */
export async function backendStackOutputs(files: BackendFiles, project: string, stack: string): Promise<Record<string, unknown> | undefined> {
    const latest = await latestDeployment(files, project, stack);
    if (!latest) return undefined;
    const resources: { type?: string; outputs?: Record<string, unknown> }[] = latest.resources ?? [];
    // The engine's marker of a secret value in a serialized state ("4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270").
    const isSecret = (value: unknown) => typeof value === "object" && value !== null && (value as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return workloadOutputs(Object.fromEntries(Object.entries(root?.outputs ?? {}).filter(([, value]) => !isSecret(value))));
}

/**
 * Removes the attribute files of a stack's checkpoint and locks in a `file://` backend that a killed CLI left torn;
 * returns their paths. The file backend (gocloud.dev's fileblob) writes each object through a temp file renamed into
 * place, but its attributes beside it (`<file>.attrs`) in place: created empty, then filled (gocloud.dev v0.46
 * blob/fileblob/attrs.go, setAttrs). A CLI killed in between leaves an empty `.attrs`, and every later command on the
 * stack fails with "failed to load checkpoint: EOF". Without the file fileblob uses default attributes, so removing an
 * unreadable one loses nothing. Call only once no process of the killed run holds the stack's lock.
 */
export function removeTornAttributes(backendUrl: string, project: string, stack: string): string[] {
    if (!backendUrl.startsWith("file://")) return []; // S3 writes an object and its metadata in one request
    const root = fileURLToPath(backendUrl.split("?")[0]);
    const dirs = [path.join(root, ".pulumi", "stacks", project), path.join(root, ".pulumi", "locks", "organization", project, stack)];
    const removed: string[] = [];
    for (const dir of dirs) {
        let names: string[];
        try {
            names = fs.readdirSync(dir);
        } catch {
            continue;
        }
        for (const name of names.filter((n) => n.endsWith(".attrs") && (dir !== dirs[0] || n.startsWith(`${stack}.json`)))) {
            const file = path.join(dir, name);
            try {
                JSON.parse(fs.readFileSync(file, "utf8"));
            } catch {
                fs.rmSync(file, { force: true });
                removed.push(file);
            }
        }
    }
    return removed;
}
