import * as pulumi from "@pulumi/pulumi";

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
