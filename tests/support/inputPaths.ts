import * as pulumi from "@pulumi/pulumi";
import type { TypeSpec } from "../../provider/plugin/packageSchema";
import { packageSchema } from "../../provider/validation/shape";

/**
 * Whether an input error's property path points at what the user wrote: a value present in the input, or a key
 * missing from an object present in the input ("required"). Paths are the components' notation: `a.b`, `a[0]`,
 * `a["key with space"]`; a map key may itself contain dots (`nodeSelector.kubernetes.io/os`), so object keys are
 * matched against the rest of the path rather than split on dots.
 */
export function pathInInput(input: unknown, path: string): boolean {
    return resolves(input, path.replace(/^\./, ""), true);
}

function resolves(value: unknown, rest: string, top: boolean): boolean {
    if (rest === "") {
        return true;
    }
    // A value given as an output (or promise) is checked as it resolves: whatever lies under it, the user wrote it.
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return true;
    }
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
        return Array.isArray(value) && Number(index[1]) < value.length && resolves(value[Number(index[1])], rest.slice(index[0].length), false);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return false;
    }
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
    if (quoted) {
        const key = JSON.parse(quoted[1]) as string;
        return key in value ? resolves((value as Record<string, unknown>)[key], rest.slice(quoted[0].length), false) : isLast(rest.slice(quoted[0].length));
    }
    const body = top ? rest : rest.startsWith(".") ? rest.slice(1) : undefined;
    if (body === undefined) {
        return false;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [key, item] of entries) {
        if (body === key || ((body.startsWith(key + ".") || body.startsWith(key + "[")) && resolves(item, body.slice(key.length), false))) {
            return true;
        }
    }
    // A required key left out: the path names it under an object the user wrote.
    return /^[^.[\]]+$/.test(body);
}

function isLast(rest: string): boolean {
    return rest === "";
}

/** A property path's segments as far as they can be told apart without the value: a key (maybe dotted) or an index. */
type Step = { index: number } | { key: string } | { rest: string };

/** The next segment of `rest` (after the leading `.` of a key) against the keys an object has, longest first. */
function nextStep(rest: string, keys: string[], top: boolean): { step: Step; rest: string } | undefined {
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
        return { step: { index: Number(index[1]) }, rest: rest.slice(index[0].length) };
    }
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
    if (quoted) {
        return { step: { key: JSON.parse(quoted[1]) as string }, rest: rest.slice(quoted[0].length) };
    }
    const body = top ? rest : rest.startsWith(".") ? rest.slice(1) : undefined;
    if (body === undefined) {
        return undefined;
    }
    const key = [...keys].sort((a, b) => b.length - a.length).find((k) => body === k || body.startsWith(`${k}.`) || body.startsWith(`${k}[`));
    return key === undefined ? { step: { rest: body }, rest: "" } : { step: { key }, rest: body.slice(key.length) };
}

/**
 * `input` with the value at `path` (the components' notation) replaced by `replace(value)`: the containers on the way
 * copied, everything else shared. Throws when the path does not lead to a value of `input`.
 */
export function withValueAt(input: unknown, path: string, replace: (value: unknown) => unknown, top = true): unknown {
    if (path === "") {
        return replace(input);
    }
    const keys = typeof input === "object" && input !== null && !Array.isArray(input) ? Object.keys(input) : [];
    const next = nextStep(path, keys, top);
    if (next && "index" in next.step && Array.isArray(input) && next.step.index < input.length) {
        const copy = [...input];
        copy[next.step.index] = withValueAt(input[next.step.index], next.rest, replace, false);
        return copy;
    }
    if (next && "key" in next.step && keys.includes(next.step.key)) {
        const object = input as Record<string, unknown>;
        return { ...object, [next.step.key]: withValueAt(object[next.step.key], next.rest, replace, false) };
    }
    throw new Error(`no value at ${path} in ${JSON.stringify(input)}`);
}

/** The value at `path` (the components' notation), or undefined. */
export function valueAt(input: unknown, path: string): unknown {
    let found: unknown;
    try {
        withValueAt(input, path, (value) => (found = value));
    } catch {
        return undefined;
    }
    return found;
}

/** What a component declares at a path of its args: the schema's type there, and the path's pattern (`a[].b`, `m.*`). */
export interface Declared {
    pattern: string;
    spec: TypeSpec;
}

/** The declared type at `path` of a component's args (by its type token), or undefined when it declares none there. */
export function declaredAt(token: string, path: string): Declared | undefined {
    return declaredIn(packageSchema().resources[token].inputProperties, path, "", true);
}

function declaredIn(properties: Record<string, TypeSpec>, path: string, pattern: string, top: boolean): Declared | undefined {
    const next = nextStep(path, Object.keys(properties), top);
    if (!next || !("key" in next.step) || properties[next.step.key] === undefined) {
        return undefined;
    }
    const key = next.step.key;
    return declaredBelow(properties[key], next.rest, pattern === "" ? key : `${pattern}.${key}`);
}

function declaredBelow(spec: TypeSpec, rest: string, pattern: string): Declared | undefined {
    if (rest === "") {
        return { pattern, spec };
    }
    if (spec.$ref?.startsWith("#/types/")) {
        const type = packageSchema().types[spec.$ref.slice("#/types/".length)];
        return "properties" in type ? declaredIn(type.properties, rest, pattern, false) : undefined;
    }
    const index = /^\[(\d+)\]/.exec(rest);
    if (spec.type === "array" && index) {
        return declaredBelow(spec.items ?? {}, rest.slice(index[0].length), `${pattern}[]`);
    }
    // A map's values are leaves (strings, or anything): the rest is the key.
    if (spec.type === "object" && spec.additionalProperties && /^(\.|\[")/.test(rest)) {
        return { pattern: `${pattern}.*`, spec: spec.additionalProperties };
    }
    return undefined;
}

/**
 * Every place a component's args accept a value known only later (an Output or Promise): the leaves declared as
 * `pulumi.Input`, by pattern (`trust.clusterArns[]`, `workload.env.*`). These are the inputs the components check
 * now or as they resolve.
 */
export function laterInputPatterns(token: string): string[] {
    const found: string[] = [];
    const visit = (spec: TypeSpec, pattern: string, seen: string[]): void => {
        if (!spec.plain) {
            found.push(pattern);
            return;
        }
        if (spec.$ref?.startsWith("#/types/")) {
            const name = spec.$ref.slice("#/types/".length);
            const type = packageSchema().types[name];
            if ("properties" in type && !seen.includes(name)) {
                Object.entries(type.properties).forEach(([key, property]) => visit(property, `${pattern}.${key}`, [...seen, name]));
            }
        } else if (spec.type === "array" && spec.items) {
            visit(spec.items, `${pattern}[]`, seen);
        } else if (spec.type === "object" && spec.additionalProperties) {
            visit(spec.additionalProperties, `${pattern}.*`, seen);
        }
    };
    for (const [key, property] of Object.entries(packageSchema().resources[token].inputProperties)) {
        visit(property, key, []);
    }
    return found.sort();
}
