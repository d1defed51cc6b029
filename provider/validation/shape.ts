import * as pulumi from "@pulumi/pulumi";
import { EnumTypeSpec, ObjectTypeSpec, PackageSchema, PropertySpec, TypeSpec, schemaText } from "../plugin/packageSchema";
import { InputProblem, Problems, describe, inputError, keyPath } from "./problems";

/**
 * The shape check: every input value against the type its args interface declares, as the committed schema records
 * it (the schema is generated from those interfaces, so it is the one machine-readable source of the types). It
 * runs first in every component, so the specific checks after it only ever see well-typed values: null, a wrong
 * primitive, a string where a map is expected, an unknown key or an enum value outside the enum is reported here, at
 * the path the user wrote, instead of crashing a rule or being spread into garbage.
 *
 * Values that are Outputs or Promises are reported where a plain value is declared. Where the type accepts an Input
 * they are checked as they resolve, by this same check: the component is handed them wrapped (`checkShapeFirst`), so
 * an Output that resolves to a value of the wrong type fails with the message a plain value of that type gets, at
 * the same path, before any rule of the component (`inputRules.ts`) sees it.
 */

let schema: PackageSchema | undefined;

/** The committed schema, read and parsed once per process, on the first component constructed. */
export function packageSchema(): PackageSchema {
    schema ??= JSON.parse(schemaText()) as PackageSchema;
    return schema;
}

/** An object's declared properties and required keys: a resource's inputs or an object type. */
export interface ObjectShape {
    properties: Record<string, PropertySpec>;
    required: string[];
    /** Why a key is rejected although it looks plausible (e.g. the platform file's cluster keys). */
    refused?: Record<string, string>;
}

/** The inputs of a component, by its type token (`eks-pod-identity:index:PodIdentityWorkload`). */
export function resourceShape(token: string): ObjectShape {
    const resource = packageSchema().resources[token];
    if (!resource) {
        throw new Error(`no resource ${token} in the package schema`);
    }
    return { properties: resource.inputProperties, required: resource.requiredInputs };
}

/**
 * What the shape check found: values of the wrong type, and required keys left out. They are kept apart because
 * a missing key crashes nothing: the component's rules run and say best what to give, and the shape check's
 * "required" stands in only where no rule spoke.
 */
export interface ShapeFindings {
    problems: Problems;
    missing: InputProblem[];
    /**
     * The component whose inputs these are: when given, every Output or Promise where an Input is declared is
     * replaced by one that runs this check as it resolves (failing with the component's input error).
     */
    component?: string;
}

/**
 * Runs the shape check of a component's args before any of its rules: throws the input error at once when a value
 * is ill-typed (the rules assume well-typed values). Returns the args to use from then on (every Output or Promise
 * where an Input is declared wrapped in this same check, run as it resolves; everything else as given), and what adds
 * the required keys the rules did not report, to call with the rules' problems before throwing them.
 */
export function checkShapeFirst<T>(component: string, token: string, args: T): { args: T; addMissing: (problems: Problems) => void } {
    const found: ShapeFindings = { problems: new Problems(), missing: [], component };
    const typed = checkObject(found, "", args, resourceShape(token)) as T;
    if (found.problems.list.length > 0) {
        throw inputError(component, [...found.problems.list, ...found.missing]);
    }
    const addMissing = (problems: Problems) => {
        for (const m of found.missing) {
            if (!problems.list.some((p) => p.propertyPath === m.propertyPath)) {
                problems.add(m.propertyPath, m.reason);
            }
        }
    };
    return { args: typed, addMissing };
}

/**
 * Checks a plain object against a shape (under `path`, when it sits inside a larger document). Returns the object,
 * or a copy with its Outputs wrapped when `found.component` is set.
 */
export function checkObject(found: ShapeFindings, path: string, value: unknown, shape: ObjectShape): unknown {
    const problems = found.problems;
    if (!isPlainObject(value)) {
        const defaults = shape.required.length === 0 ? " (give {} for the defaults)" : "";
        problems.add(path === "" ? "args" : path, `expected an object with ${keyList(shape.properties)}${defaults}, got ${describeValue(value)}`);
        return value;
    }
    const checked: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
        const itemPath = path === "" ? key : keyPath(path, key);
        const spec = shape.properties[key];
        checked[key] = item;
        if (shape.refused?.[key] !== undefined) {
            problems.add(itemPath, shape.refused[key]);
        } else if (spec === undefined) {
            problems.add(itemPath, `unknown input${suggestion(key, Object.keys(shape.properties))}: use ${keyList(shape.properties, true)}`);
        } else if (item !== undefined) {
            checked[key] = checkValue(found, itemPath, item, spec, shape.required.includes(key));
        }
    }
    for (const key of shape.required) {
        if (value[key] === undefined && shape.refused?.[key] === undefined) {
            found.missing.push({ propertyPath: path === "" ? key : keyPath(path, key), reason: missingReason(shape.properties[key]) });
        }
    }
    return sameEntries(value, checked) ? value : checked;
}

/** Checks one value against its declared type. Returns the value, with its Outputs wrapped when `found.component` is set. */
function checkValue(found: ShapeFindings, path: string, value: unknown, spec: TypeSpec, required: boolean): unknown {
    const problems = found.problems;
    if (value === null) {
        problems.add(path, `null is not allowed: give ${expected(spec)}${required ? "" : ", or leave the key out"}`);
        return value;
    }
    if (isEventual(value)) {
        if (spec.plain) {
            problems.add(path, `expected ${expected(spec)} known when the program runs, got ${value instanceof Promise ? "a Promise" : "an Output"}: this input decides which resources exist`);
            return value;
        }
        return found.component === undefined ? value : checkedOnceKnown(found.component, path, value as pulumi.Input<unknown>, spec, required);
    }
    if (spec.$ref === "pulumi.json#/Any") {
        return value;
    }
    if (spec.$ref?.startsWith("#/resources/")) {
        if (!pulumi.Resource.isInstance(value) && !isPlainObject(value)) {
            problems.add(path, `expected ${expected(spec)}, got ${describeValue(value)}`);
        }
        return value;
    }
    if (spec.$ref?.startsWith("#/types/")) {
        const type = namedType(spec.$ref);
        if ("enum" in type) {
            checkEnum(problems, path, value, type);
            return value;
        }
        return checkObject(found, path, value, { properties: type.properties, required: type.required ?? [] });
    }
    if (spec.oneOf) {
        // Well-typed when one alternative takes it; the problem names every alternative.
        if (!spec.oneOf.some((alternative) => matches(value, alternative))) {
            problems.add(path, `expected ${expected(spec)}, got ${describeValue(value)}`);
        }
        return value;
    }
    switch (spec.type) {
        case "string":
            return report(problems, path, typeof value === "string", spec, value);
        case "boolean":
            return report(problems, path, typeof value === "boolean", spec, value);
        case "number":
            return report(problems, path, typeof value === "number" && Number.isFinite(value), spec, value);
        case "integer":
            return report(problems, path, typeof value === "number" && Number.isInteger(value), spec, value);
        case "array": {
            if (!Array.isArray(value)) {
                return report(problems, path, false, spec, value);
            }
            // A hole or `undefined` in a list is a missing element, not an omitted key.
            const checked: unknown[] = [];
            for (let i = 0; i < value.length; i++) {
                const item = value[i];
                if (item === undefined) {
                    problems.add(`${path}[${i}]`, `expected ${expected(spec.items ?? {})}, got nothing: remove the empty element`);
                    checked.push(item);
                } else {
                    checked.push(checkValue(found, `${path}[${i}]`, item, spec.items ?? {}, true));
                }
            }
            return checked.every((item, i) => item === value[i]) ? value : checked;
        }
        case "object": {
            if (!isPlainObject(value)) {
                return report(problems, path, false, spec, value);
            }
            const checked: Record<string, unknown> = {};
            for (const [key, item] of Object.entries(value)) {
                checked[key] = item !== undefined && spec.additionalProperties ? checkValue(found, keyPath(path, key), item, spec.additionalProperties, true) : item;
            }
            return sameEntries(value, checked) ? value : checked;
        }
        default:
            return value;
    }
}

/**
 * A value the shape check met as an Output or Promise, where the declared type accepts one: the same check, run as it
 * resolves, failing with the component's input error (so nothing reading it registers). A value that resolves to
 * nothing is refused too: the component has already built its resources on the input being given.
 */
function checkedOnceKnown(component: string, path: string, value: pulumi.Input<unknown>, spec: TypeSpec, required: boolean): pulumi.Output<unknown> {
    return (pulumi.output(value) as pulumi.Output<unknown>).apply((resolved: unknown) => {
        const found: ShapeFindings = { problems: new Problems(), missing: [] };
        if (resolved === undefined) {
            const element = /\[\d+\]$/.test(path);
            found.problems.add(
                path,
                required && !element
                    ? missingReason(spec)
                    : `expected ${expected(spec)}, got nothing (the value given resolved to none): ${element ? "remove the empty element" : "give a value, or leave the key out"}`,
            );
        } else {
            checkValue(found, path, resolved, spec, required);
        }
        if (found.problems.list.length > 0) {
            throw inputError(component, found.problems.list);
        }
        return resolved;
    });
}

/** Why a required key is missing: what to give, and what it is for. */
function missingReason(spec: TypeSpec | PropertySpec | undefined): string {
    return `required: give ${expected(spec ?? {})}${purpose(spec as PropertySpec | undefined)}`;
}

function sameEntries(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
    return Object.keys(a).every((key) => a[key] === b[key]);
}

function report(problems: Problems, path: string, ok: boolean, spec: TypeSpec, value: unknown): unknown {
    if (!ok) {
        problems.add(path, `expected ${expected(spec)}, got ${describeValue(value)}`);
    }
    return value;
}

function checkEnum(problems: Problems, path: string, value: unknown, type: EnumTypeSpec): void {
    const allowed = type.enum.map((e) => e.value);
    if (typeof value !== "string" || !allowed.includes(value)) {
        const hint = typeof value === "string" ? suggestion(value, allowed) : "";
        problems.add(path, `${describeValue(value)} is not allowed${hint}: use one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
    }
}

/** Whether a value has the declared type, without reporting (for `oneOf`). */
function matches(value: unknown, spec: TypeSpec): boolean {
    const scratch: ShapeFindings = { problems: new Problems(), missing: [] };
    checkValue(scratch, "", value, spec, true);
    return scratch.problems.list.length === 0 && scratch.missing.length === 0;
}

function namedType(ref: string): ObjectTypeSpec | EnumTypeSpec {
    const type = packageSchema().types[ref.slice("#/types/".length)];
    if (!type) {
        throw new Error(`no type ${ref} in the package schema`);
    }
    return type;
}

/** What a type expects, in words: "a string", "a list of strings", "a map of strings", "one of ...". */
export function expected(spec: TypeSpec): string {
    if (spec.$ref === "pulumi.json#/Any") {
        return "a value";
    }
    if (spec.$ref?.startsWith("#/resources/")) {
        return `a ${spec.$ref.split(":").pop()} resource`;
    }
    if (spec.$ref?.startsWith("#/types/")) {
        const type = namedType(spec.$ref);
        return "enum" in type ? `one of ${type.enum.map((e) => JSON.stringify(e.value)).join(", ")}` : `an object with ${keyList(type.properties)}`;
    }
    if (spec.oneOf) {
        return spec.oneOf.map(expected).join(" or ");
    }
    switch (spec.type) {
        case "string":
            return "a string";
        case "boolean":
            return "true or false";
        case "number":
            return "a number";
        case "integer":
            return "a whole number";
        case "array":
            return `a list of ${plural(spec.items ?? {})}`;
        case "object":
            return `a map of ${plural(spec.additionalProperties ?? {})} (key: value)`;
        default:
            return "a value";
    }
}

function plural(spec: TypeSpec): string {
    const single = expected(spec);
    if (spec.type === "string" || spec.type === "number") {
        return single.replace(/^an? /, "") + "s";
    }
    if (spec.type === "integer") {
        return "whole numbers";
    }
    return single.startsWith("one of") ? `values (${single})` : single.replace(/^an? /, "");
}

/** The first sentence of a property's description, which says what to give. */
function purpose(spec: PropertySpec | undefined): string {
    const first = spec?.description?.split(/(?<=\.)\s/)[0]?.replace(/\s*Required\.?$/, "").replace(/\.$/, "");
    return first ? ` (${first.replace(/`/g, "")})` : "";
}

/** The keys of an object type, for messages; all of them where the user must find the one meant. */
function keyList(properties: Record<string, unknown>, all = false): string {
    const keys = Object.keys(properties);
    return all || keys.length <= 12 ? `the keys ${keys.join(", ")}` : `keys such as ${keys.slice(0, 12).join(", ")}, …`;
}

/**
 * ` (did you mean "x"?)` for a near miss: same letters in another case, at most two edits away, or the start of a
 * longer key (`initialDelay` for `initialDelaySeconds`).
 */
export function suggestion(given: string, known: string[]): string {
    const lower = given.toLowerCase();
    const best = known
        .map((k) => ({ k, d: k.toLowerCase() === lower ? 0 : lower.length >= 4 && k.toLowerCase().startsWith(lower) ? 1 : editDistance(lower, k.toLowerCase()) }))
        .filter(({ k, d }) => d <= Math.min(2, Math.floor(k.length / 3)))
        .sort((a, b) => a.d - b.d)[0];
    return best ? ` (did you mean "${best.k}"?)` : "";
}

function editDistance(a: string, b: string): number {
    if (Math.abs(a.length - b.length) > 2) {
        return 3;
    }
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) {
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        row = next;
    }
    return row[b.length];
}

/** A value known only later: an Output or a Promise. */
function isEventual(value: unknown): boolean {
    return pulumi.Output.isInstance(value) || value instanceof Promise;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isEventual(value) && !pulumi.Resource.isInstance(value);
}

function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    if (typeof value === "number" && !Number.isInteger(value)) {
        return `the number ${value}`;
    }
    return describe(value);
}
