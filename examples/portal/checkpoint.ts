/**
 * What a stack holds, read from a DIY backend's checkpoint without the CLI: used to report, for an operation a
 * previous run (or another replica) did not see finish, the state its stack was left in (the same data
 * `pulumi stack export` prints).
 */
import type { BackendFiles } from "./backendFiles";
import type { StackState } from "./protocol";

/** The stack's state; undefined for a stack without a (readable, uncompressed) checkpoint. */
export async function backendStackState(files: BackendFiles, project: string, stack: string): Promise<StackState | undefined> {
    let latest: { resources?: any[]; pending_operations?: any[] } | undefined;
    try {
        const text = await files.read(`.pulumi/stacks/${project}/${stack}.json`);
        if (text === undefined) return undefined;
        latest = JSON.parse(text).checkpoint?.latest;
    } catch {
        return undefined; // unreadable: the record keeps saying "interrupted" only
    }
    return {
        resources: (latest?.resources ?? []).filter((r) => r.custom && !String(r.type).startsWith("pulumi:providers:")).length,
        pendingOperations: (latest?.pending_operations ?? []).map((p) => `${p.type} ${p.resource?.urn}`),
    };
}
