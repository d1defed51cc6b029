/**
 * What a stack holds, read from a file backend's checkpoint without the CLI: used at start to report, for an operation
 * the previous run did not see finish, the state its stack was left in (the same data `pulumi stack export` prints).
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import type { StackState } from "./protocol";

/** The stack's state in a `file://` backend; undefined for other backends or a stack without a checkpoint. */
export function fileBackendStackState(backendUrl: string, project: string, stack: string): StackState | undefined {
    if (!backendUrl.startsWith("file://")) return undefined;
    const file = path.join(fileURLToPath(backendUrl.split("?")[0]), ".pulumi", "stacks", project, `${stack}.json`);
    let latest: { resources?: any[]; pending_operations?: any[] } | undefined;
    try {
        latest = JSON.parse(fs.readFileSync(file, "utf8")).checkpoint?.latest;
    } catch {
        return undefined; // no checkpoint (or a compressed one): the record keeps saying "interrupted" only
    }
    return {
        resources: (latest?.resources ?? []).filter((r) => r.custom && !String(r.type).startsWith("pulumi:providers:")).length,
        pendingOperations: (latest?.pending_operations ?? []).map((p) => `${p.type} ${p.resource?.urn}`),
    };
}
