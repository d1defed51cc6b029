/**
 * The portal's audit log: one JSON line per change request (accepted or refused) and per finished operation, appended
 * to a file opened with O_APPEND and never rewritten, truncated or rotated by the portal (rotate it with
 * copy-and-truncate tooling, or ship it to your log store). It names principals, never their tokens or secrets.
 */
import * as fs from "fs";
import type { Principal } from "./identity";

/** What was asked for: creating (and so previewing) a workload, applying it, destroying it. */
export type AuditAction = "create" | "apply" | "destroy";

/** One line of the audit log. */
export interface AuditEntry {
    /** ISO 8601, UTC. */
    time: string;
    /** The principal's name; `null` when the request was not authenticated. */
    principal: string | null;
    /** The principal's team and role (`null` when not authenticated). */
    team: string | null;
    role: string | null;
    action: AuditAction;
    /** The workload's id, when known (`null` for a create refused before its id could be computed). */
    workload: string | null;
    /**
     * `accepted`: the request started the operation (or, for a create, the preview succeeded); `refused`: it got a
     * 4xx or 5xx and changed nothing; `succeeded` / `failed`: an operation ended.
     */
    result: "accepted" | "refused" | "succeeded" | "failed";
    /** The HTTP status of the request (for `succeeded` / `failed`, the status the request that started it got). */
    httpStatus?: number;
    /** Why, for refusals and failures: the portal's error message (never request headers). */
    error?: string;
}

/** An append-only JSON-lines file. */
export class AuditLog {
    private fd: number | undefined;

    constructor(readonly file: string) {
        // O_APPEND: every write goes to the end of the file whatever else writes to it; nothing is ever overwritten.
        this.fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
    }

    /** Writes one entry as one line, synchronously: the line is in the file before the reply is sent on. */
    record(principal: Principal | undefined, entry: Omit<AuditEntry, "time" | "principal" | "team" | "role">): void {
        const line: AuditEntry = {
            time: new Date().toISOString(),
            principal: principal?.name ?? null,
            team: principal?.team ?? null,
            role: principal?.role ?? null,
            ...entry,
        };
        // One write per line: O_APPEND makes each write land whole at the end of the file. After close (a connection
        // cut while the portal stops), the line is still written: appendFileSync opens with O_APPEND too.
        if (this.fd !== undefined) fs.writeSync(this.fd, `${JSON.stringify(line)}\n`);
        else fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    }

    close(): void {
        if (this.fd !== undefined) fs.closeSync(this.fd);
        this.fd = undefined;
    }
}
