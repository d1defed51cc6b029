/**
 * The result of a stack's last update, read from a DIY backend's history without the CLI: a portal that died after the
 * CLI finished (history and checkpoint written) but before it saved its record learns there, on reconciliation, that
 * the operation succeeded or failed, instead of reporting it interrupted.
 *
 * At the end of each update, refresh or destroy, the CLI writes `.pulumi/history/<project>/<stack>/<stack>-<t>.history.json`
 * (`<t>`: the time of writing in Unix nanoseconds), beside a copy of the checkpoint, in a local folder and an S3 bucket
 * alike (checked with CLI 3.248: `{"kind":"update"|"destroy"|"refresh",…,"startTime":<Unix s>,"endTime":<Unix s>,
 * "result":"succeeded"|"failed","resourceChanges":{…}}`). A preview writes none.
 */
import type { BackendFiles } from "./backendFiles";

export interface HistoryEntry {
    kind: string;
    result: string;
    /** Unix seconds, as the CLI records them. */
    startTime: number;
    endTime?: number;
    resourceChanges?: Record<string, number>;
    /** When the CLI wrote the entry, Unix nanoseconds (from its name). */
    writtenAtNs: bigint;
}

/** The newest history entry of `stack`; undefined when it has none (or it cannot be read). */
export async function latestHistoryEntry(files: BackendFiles, project: string, stack: string): Promise<HistoryEntry | undefined> {
    const dir = `.pulumi/history/${project}/${stack}`;
    let newest: { name: string; ns: bigint } | undefined;
    for (const name of await files.list(dir)) {
        const match = /-(\d+)\.history\.json$/.exec(name);
        if (!match || !name.startsWith(`${stack}-`)) continue;
        const ns = BigInt(match[1]);
        if (!newest || ns > newest.ns) newest = { name, ns };
    }
    if (!newest) return undefined;
    try {
        const entry = JSON.parse((await files.read(`${dir}/${newest.name}`)) ?? "");
        if (typeof entry.kind !== "string" || typeof entry.result !== "string" || typeof entry.startTime !== "number") return undefined;
        return { kind: entry.kind, result: entry.result, startTime: entry.startTime, endTime: entry.endTime, resourceChanges: entry.resourceChanges, writtenAtNs: newest.ns };
    } catch {
        return undefined;
    }
}

/**
 * The entry that records the portal's `operation` started at `startedAt` (ISO time, the portal's clock: the same host's
 * as the CLI it ran), if the newest entry is one: of its kind (`pulumi up` → `update`, `pulumi destroy` → `destroy`),
 * started in or after the operation's second, written after it started, and finished. An older entry, or a refresh
 * of an interrupted recovery, says nothing about this operation.
 */
export function entryOfOperation(entry: HistoryEntry | undefined, operation: "apply" | "destroy", startedAt: string): HistoryEntry | undefined {
    const startedMs = Date.parse(startedAt);
    if (!entry || Number.isNaN(startedMs)) return undefined;
    if (entry.kind !== (operation === "apply" ? "update" : "destroy")) return undefined;
    if (entry.startTime < Math.floor(startedMs / 1000) || entry.writtenAtNs < BigInt(startedMs) * 1_000_000n) return undefined;
    return entry.result === "succeeded" || entry.result === "failed" ? entry : undefined;
}
