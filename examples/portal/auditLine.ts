/**
 * What an audit line may hold. Everything in a line that came with a request (a workload id from the path, a principal
 * named by the proxy, an error message quoting the request) is checked before it is written: a value that is not a
 * valid identifier is written as INVALID, never echoed, and a line is at most MAX_AUDIT_LINE_BYTES. So an
 * unauthenticated client cannot make the log grow by more than one bounded line per request, nor forge lines.
 */
import { WORKLOAD_ID } from "./api";
import { PRINCIPAL_NAME, TEAM_NAME } from "./identity";

/** What an invalid identifier is logged as. */
export const INVALID = "<invalid>";
/** The longest line written, newline included. */
export const MAX_AUDIT_LINE_BYTES = 2048;
/** The longest `error` kept (longer ones are cut and marked `…`). */
const MAX_ERROR_CHARS = 512;

const checked = (value: string | null | undefined, pattern: RegExp): string | null => (value === null || value === undefined ? null : pattern.test(value) ? value : INVALID);

/** A principal's name as logged: null, a valid name, or INVALID. */
export const loggedPrincipal = (name: string | null | undefined) => checked(name, PRINCIPAL_NAME);
/** A team as logged: null, a valid team name, or INVALID. */
export const loggedTeam = (team: string | null | undefined) => checked(team, TEAM_NAME);
/** A role as logged: null, member, admin, or INVALID. */
export const loggedRole = (role: string | null | undefined) => checked(role, /^(member|admin)$/);
/** A workload id as logged: null, a valid workload id (api.ts WORKLOAD_ID), or INVALID. */
export const loggedWorkload = (id: string | null | undefined) => checked(id, WORKLOAD_ID);

/** An error message as logged: control characters replaced, at most MAX_ERROR_CHARS. */
export function loggedError(message: string): string {
    // eslint-disable-next-line no-control-regex
    const clean = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ");
    return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS - 1)}…` : clean;
}

/** One JSON line (with its newline) of at most MAX_AUDIT_LINE_BYTES: a too long `error` is cut further. */
export function boundedLine(entry: Record<string, unknown>): string {
    let line = `${JSON.stringify(entry)}\n`;
    for (let keep = MAX_ERROR_CHARS; Buffer.byteLength(line) > MAX_AUDIT_LINE_BYTES && typeof entry.error === "string" && keep > 0; keep = Math.floor(keep / 2)) {
        line = `${JSON.stringify({ ...entry, error: `${(entry.error as string).slice(0, keep)}…` })}\n`;
    }
    // Every other field is a checked identifier, a number or a fixed word: only a bug could get here.
    if (Buffer.byteLength(line) > MAX_AUDIT_LINE_BYTES) line = `${JSON.stringify({ time: entry.time, action: entry.action, result: entry.result, error: "audit line too long: dropped" })}\n`;
    return line;
}
