/**
 * The bad-input corpus: tables of inputs with the property paths their errors must name and a fragment of the
 * reason that says how to fix it, and inputs that look unusual but are valid. One file per component (and one for
 * the platform file); a new rule's cases are appended to its table, the runner needs no change.
 */

/** A rejected input: every path in `paths` must be reported, the first with a reason matching `fix`. */
export interface BadCase {
    args: Record<string, unknown>;
    paths: string[];
    fix: RegExp;
}

/** A valid input that must be accepted. */
export interface GoodCase {
    title: string;
    args: Record<string, unknown>;
}

export interface Corpus {
    component: "PodIdentityWorkload" | "PodIdentityAgent" | "CrossAccountRole" | "WellKnownPolicySet";
    bad: BadCase[];
    good: GoodCase[];
}

/** `base` with the value at `path` (`a.b[0].c`) replaced; `undefined` removes the key. A copy: `base` is untouched. */
export function withValue(base: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const copy = structuredClone(base);
    const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== "");
    let target: any = copy;
    keys.slice(0, -1).forEach((key, i) => {
        target[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
        target = target[key];
    });
    const last = keys[keys.length - 1];
    if (value === undefined) {
        delete target[last];
    } else {
        target[last] = value;
    }
    return copy;
}

/**
 * Rows `[path, value, fix]` (the error is expected at `path`) or `[path, value, fix, reportedAt]` (elsewhere, e.g. a
 * rule on the enclosing object) applied to `base`.
 */
export type Row = [string, unknown, RegExp] | [string, unknown, RegExp, string | string[]];

export function rows(base: Record<string, unknown>, table: Row[]): BadCase[] {
    return table.map(([path, value, fix, reportedAt]) => ({
        args: withValue(base, path, value),
        paths: reportedAt === undefined ? [path] : Array.isArray(reportedAt) ? reportedAt : [reportedAt],
        fix,
    }));
}

/** Fixes named by the shape check's reasons. */
export const NULL = /null is not allowed: give/;
export const STRING = /expected a string, got/;
export const BOOLEAN = /expected true or false, got/;
export const INTEGER = /expected a whole number, got/;
export const LIST = /expected a list of/;
export const MAP = /expected a map of strings \(key: value\), got/;
export const OBJECT = /expected an object with (the )?keys/;
export const ONE_OF = /is not allowed.*: use one of/;
export const UNKNOWN = /unknown input/;
export const REQUIRED = /required/;
