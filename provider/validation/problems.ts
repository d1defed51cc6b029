import * as pulumi from "@pulumi/pulumi";

/**
 * Input validation shared by every component. Validators never throw on their own: they record a problem
 * (the input's path, what is wrong, how to fix it) so that one preview reports every mistake at once.
 */

export interface InputProblem {
    /** The input's path as the user wrote it, e.g. `role.maxSessionDuration` or `policyStatements[2].actions[0]`. */
    propertyPath: string;
    /** What is wrong and how to fix it. */
    reason: string;
}

export class Problems {
    readonly list: InputProblem[] = [];

    /** Records a problem; the same problem found twice (two rules, or a rule run twice) is reported once. */
    add(propertyPath: string, reason: string): void {
        if (!this.list.some((p) => p.propertyPath === propertyPath && p.reason === reason)) {
            this.list.push({ propertyPath, reason });
        }
    }

    /** Throws one error listing every problem, formatted for both the CLI and component-provider callers. */
    throwIfAny(component: string): void {
        if (this.list.length > 0) {
            throw inputError(component, this.list);
        }
    }
}

export function inputError(component: string, problems: InputProblem[]): Error {
    const lines = problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
    return new pulumi.InputPropertiesError({
        message: `${component} has invalid inputs:\n${lines.join("\n")}`,
        errors: problems,
    });
}

/**
 * `prefix.key`; a key that would make the path ambiguous (empty, with whitespace, brackets or quotes, or starting or
 * ending with a dot) is quoted instead: `prefix[""]`, `prefix["a b"]`.
 */
export function keyPath(prefix: string, key: string): string {
    return key === "" || /[\s[\]"]/.test(key) || /^\.|\.$/.test(key) ? `${prefix}[${JSON.stringify(key)}]` : `${prefix}.${key}`;
}

/** `prefix.key`, or `key` at the top level. */
export function joinPath(prefix: string, key: string): string {
    return prefix === "" ? key : `${prefix}.${key}`;
}

/** True when the value needs no resolution: a plain value, not a promise or Output. */
export function isPlain<T>(value: pulumi.Input<T> | undefined): value is T {
    return value === undefined || !(pulumi.Output.isInstance(value) || value instanceof Promise);
}

/** True when nothing inside the value (at any depth) is a promise or Output: it can be checked in full now. */
export function isDeeplyPlain(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return false;
    }
    if (Array.isArray(value)) {
        return value.every(isDeeplyPlain);
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).every(isDeeplyPlain);
    }
    return true;
}

export function checkIntegerRange(problems: Problems, path: string, value: number | undefined, min: number, max: number, unit = ""): void {
    if (value === undefined) {
        return;
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        problems.add(path, `${JSON.stringify(value)} is out of range: use a whole number from ${min} to ${max}${unit ? " " + unit : ""}`);
    }
}

export function checkStringMap(problems: Problems, path: string, value: unknown): void {
    if (value === undefined) {
        return;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.add(path, `expected a map of strings, got ${describe(value)}`);
        return;
    }
    for (const [key, item] of Object.entries(value)) {
        if (typeof item !== "string" && !pulumi.Output.isInstance(item)) {
            problems.add(`${path}.${key}`, `expected a string, got ${describe(item)}`);
        }
    }
}

export function describe(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a list";
    }
    if (typeof value === "string") {
        return `the string ${JSON.stringify(value)}`;
    }
    return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

export function checkOneOf<T extends string>(problems: Problems, path: string, value: unknown, allowed: readonly T[]): void {
    if (value !== undefined && !allowed.includes(value as T)) {
        problems.add(path, `${describe(value)} is not allowed: use one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    }
}

export function checkBoolean(problems: Problems, path: string, value: unknown): void {
    if (value !== undefined && typeof value !== "boolean") {
        problems.add(path, `expected true or false, got ${describe(value)}`);
    }
}
