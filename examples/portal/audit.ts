/**
 * The portal's audit log: one JSON line per change request (accepted or refused) and exactly one per operation's end,
 * appended to a file opened with O_APPEND, never rewritten, and rotated at a size cap (auditFile.ts). It names
 * principals, never their tokens or secrets; what a request brings (path segments, names) is checked before it is
 * written and lines are bounded (auditLine.ts). Unauthenticated refusals, which anyone can send, are logged one by
 * one only up to a burst per window; the rest of the window's are one summary line, so they cannot flood the log.
 */
import { Clock, systemClock } from "./clock";
import { AUDIT_KEEP, AUDIT_MAX_BYTES, RotatingFile } from "./auditFile";
import { boundedLine, loggedError, loggedPrincipal, loggedRole, loggedTeam, loggedWorkload } from "./auditLine";
import type { Principal } from "./identity";

/** What was asked for: creating (and so previewing) a workload, applying it, destroying it. */
export type AuditAction = "create" | "apply" | "destroy";

/** One line of the audit log. */
export interface AuditEntry {
    /** ISO 8601, UTC. */
    time: string;
    /** The principal's name; `null` when the request was not authenticated; `<invalid>` never happens for a principal the portal accepted. */
    principal: string | null;
    /** The principal's team and role (`null` when not authenticated). */
    team: string | null;
    role: string | null;
    /** `null` only on a summary line. */
    action: AuditAction | null;
    /** The workload's id, when known (`null` for a create refused before its id was computed; `<invalid>` for a path segment that is no id). */
    workload: string | null;
    /**
     * `accepted`: the request started the operation (or, for a create, the preview succeeded); `refused`: it got a
     * 4xx or 5xx and changed nothing; `succeeded` / `failed`: an operation ended.
     */
    result: "accepted" | "refused" | "succeeded" | "failed";
    /** The HTTP status of the request (for `succeeded` / `failed`, the status the request that started it got). */
    httpStatus?: number;
    /** Why, for refusals and failures: the portal's error message (never request headers), cut to a bounded length. */
    error?: string;
    /** The client went away before its reply: the line carries the reply it would have had (the operation ran on). */
    clientGone?: boolean;
    /** The operation's end was settled by a later portal start (the portal that ran it stopped first). */
    settledAtStart?: boolean;
    /** A summary line: how many unauthenticated refusals were counted, not logged one by one, in the last window. */
    unauthenticatedRefused?: number;
    windowSeconds?: number;
}

/** How the audit log is bounded. */
export interface AuditLogLimits {
    /** Size at which the file is rotated to `<file>.1`. Default 64 MiB (`PORTAL_AUDIT_MAX_BYTES`). */
    maxBytes?: number;
    /** Rotated files kept. Default 5 (`PORTAL_AUDIT_KEEP`). */
    keep?: number;
    /** Window of the unauthenticated refusals' summary. Default 60 s (`PORTAL_AUDIT_UNAUTHENTICATED_WINDOW_MS`). */
    unauthenticatedWindowMs?: number;
    /** Unauthenticated refusals logged one by one per window before the rest are counted. Default 20. */
    unauthenticatedBurst?: number;
}

/** Default window of the unauthenticated refusals' summary. */
export const AUDIT_UNAUTHENTICATED_WINDOW_MS = 60_000;
/** Default number of unauthenticated refusals logged one by one per window. */
export const AUDIT_UNAUTHENTICATED_BURST = 20;

/** What a caller gives for a line: the rest (time, who) the log fills in. */
export type AuditRecord = Omit<AuditEntry, "time" | "principal" | "team" | "role">;

/** An append-only, size-capped JSON-lines file. */
export class AuditLog {
    private readonly out: RotatingFile;
    private readonly windowMs: number;
    private readonly burst: number;
    private loggedInWindow = 0;
    private countedInWindow = 0;
    private readonly stopWindow: () => void;

    constructor(readonly file: string, limits: AuditLogLimits = {}, private readonly clock: Clock = systemClock) {
        this.out = new RotatingFile(file, limits.maxBytes ?? AUDIT_MAX_BYTES, limits.keep ?? AUDIT_KEEP);
        this.windowMs = limits.unauthenticatedWindowMs ?? AUDIT_UNAUTHENTICATED_WINDOW_MS;
        this.burst = limits.unauthenticatedBurst ?? AUDIT_UNAUTHENTICATED_BURST;
        this.stopWindow = clock.every(this.windowMs, () => this.endWindow());
    }

    /** Writes one entry as one line, synchronously: the line is in the file before the reply is sent on. */
    record(principal: Principal | undefined, entry: AuditRecord): void {
        if (!principal && entry.result === "refused") {
            // Anyone can send these: past the window's burst they are counted, and summarised when the window ends.
            if (this.loggedInWindow >= this.burst) return void this.countedInWindow++;
            this.loggedInWindow++;
        }
        this.write({
            principal: loggedPrincipal(principal?.name),
            team: loggedTeam(principal?.team),
            role: loggedRole(principal?.role),
            ...entry,
            workload: loggedWorkload(entry.workload),
            ...(entry.error !== undefined ? { error: loggedError(entry.error) } : {}),
        });
    }

    /** Writes the window's summary (if anything was counted) and ends the log; later lines are still appended. */
    close(): void {
        this.stopWindow();
        this.endWindow();
        this.out.close();
    }

    private endWindow(): void {
        if (this.countedInWindow > 0) {
            const seconds = Math.round(this.windowMs / 1000);
            this.write({
                principal: null,
                team: null,
                role: null,
                action: null,
                workload: null,
                result: "refused",
                error: `${this.countedInWindow} more unauthenticated requests refused in the last ${seconds} s (past the first ${this.burst}, counted, not logged one by one)`,
                unauthenticatedRefused: this.countedInWindow,
                windowSeconds: seconds,
            });
        }
        this.loggedInWindow = 0;
        this.countedInWindow = 0;
    }

    private write(entry: Omit<AuditEntry, "time">): void {
        this.out.append(boundedLine({ time: new Date(this.clock.now()).toISOString(), ...entry }));
    }
}
