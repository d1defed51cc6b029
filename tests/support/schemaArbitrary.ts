import * as pulumi from "@pulumi/pulumi";
import * as fc from "fast-check";
import type { PropertySpec, TypeSpec } from "../../provider/plugin/packageSchema";
import { packageSchema } from "../../provider/validation/shape";
import { ACCOUNT, clusterArnOf, policyArnOf, roleArnOf } from "./awsIds";

/**
 * Random component args generated from the committed schema, so the generator follows every input added to the args
 * interfaces. Mostly well-typed values (drawn from plausible strings, so a fair share is accepted), and at random
 * positions anything JSON can hold instead (null, a wrong primitive, a list or map where none belongs) or a
 * misspelt key: the inputs users actually send.
 */

const ARNS = [roleArnOf("app"), policyArnOf("shared"), "arn:aws:iam::aws:policy/ReadOnlyAccess", clusterArnOf("prod"), "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/*", "*"];
const WORDS = ["prod", "app", "apps", "a.b.c", "web-1", "nginx", "s3:GetObject", "Allow", "/", "/team/", "", "x".repeat(64), ACCOUNT, "us-east-1"];

/** Plausible strings for a property, by its name: ARNs for `...Arn(s)`, names and words otherwise, sometimes anything. */
function stringFor(key: string): fc.Arbitrary<string> {
    const pool = /arn/i.test(key) ? ARNS : WORDS;
    return fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 4 }, { arbitrary: fc.string({ maxLength: 12 }), weight: 1 });
}

/** Anything JSON holds, small: what a YAML file or another language's SDK may put where a typed value belongs. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -5, max: 70000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 8 }),
    fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxKeys: 3, noNullPrototype: true }),
);

/** What to generate: `outputs` wraps some values in Outputs (not for a YAML document). */
interface Options {
    outputs: boolean;
}

/**
 * A well-typed value of `spec` most of the time, any JSON value sometimes; where the input accepts an Output, now and
 * then either of them wrapped in one (known only as the program runs, so checked once it resolves).
 */
function valueOf(o: Options, spec: TypeSpec, key: string, depth: number): fc.Arbitrary<unknown> {
    const plain = fc.oneof({ arbitrary: typed(o, spec, key, depth), weight: 8 }, { arbitrary: anyJson, weight: 1 });
    return spec.plain || !o.outputs ? plain : fc.oneof({ arbitrary: plain, weight: 4 }, { arbitrary: plain.map((value) => pulumi.output(value)), weight: 1 });
}

function typed(o: Options, spec: TypeSpec, key: string, depth: number): fc.Arbitrary<unknown> {
    if (spec.$ref === "pulumi.json#/Any") {
        return fc.jsonValue({ maxDepth: 2 });
    }
    if (spec.$ref?.startsWith("#/resources/")) {
        return fc.constant(undefined);
    }
    if (spec.$ref?.startsWith("#/types/")) {
        const type = packageSchema().types[spec.$ref.slice("#/types/".length)];
        return "enum" in type ? fc.constantFrom(...type.enum.map((e) => e.value)) : objectOf(o, type.properties, type.required ?? [], depth + 1);
    }
    if (spec.oneOf) {
        return fc.oneof(...spec.oneOf.map((alternative) => typed(o, alternative, key, depth)));
    }
    switch (spec.type) {
        case "string":
            return stringFor(key);
        case "boolean":
            return fc.boolean();
        case "integer":
            return fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 70000 }), fc.constantFrom(3600, 43200, 1000));
        case "number":
            return fc.double({ noNaN: true, noDefaultInfinity: true });
        case "array":
            return fc.array(valueOf(o, spec.items ?? {}, key, depth + 1), { maxLength: depth > 2 ? 1 : 3 });
        case "object":
            return fc.dictionary(fc.constantFrom("team", "kubernetes.io/os", "a b", "AWS_REGION", "aws:x"), valueOf(o, spec.additionalProperties ?? {}, key, depth + 1), { maxKeys: 3, noNullPrototype: true });
        default:
            return fc.constant(undefined);
    }
}

/**
 * An object of the given properties: each optional key present now and then, required keys usually present, and
 * sometimes a key that is not declared (a typo of a declared one).
 */
function objectOf(o: Options, properties: Record<string, PropertySpec>, required: string[], depth: number): fc.Arbitrary<Record<string, unknown>> {
    const keys = Object.keys(properties);
    const entries = keys.map((key) => sometimes(valueOf(o, properties[key], key, depth).map((value) => [key, value] as const), required.includes(key) ? 10 : 1, required.includes(key) ? 1 : 3));
    const typo = sometimes(fc.constantFrom(...keys).map((key) => [key.toUpperCase() + "x", "x"] as const), 1, 15);
    return fc.tuple(fc.tuple(...entries), typo).map(([present, extra]) => {
        const out: Record<string, unknown> = {};
        for (const entry of [...present, extra]) {
            if (entry !== undefined && entry[1] !== undefined) {
                out[entry[0]] = entry[1];
            }
        }
        return out;
    });
}

/** `arbitrary` or undefined, in the ratio present : absent. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, present: number, absent: number): fc.Arbitrary<T | undefined> {
    return fc.oneof({ arbitrary: fc.constant(undefined), weight: absent }, { arbitrary, weight: present });
}

/**
 * Random args of a component, by its type token, over the inputs it declares: half of them entirely random, half a
 * valid `base` with one input replaced by a random one (so that accepted args, and rules past the shape check, are
 * reached as often as rejected ones).
 */
export function argsOf(token: string, base: Record<string, unknown>, options: Options = { outputs: true }): fc.Arbitrary<Record<string, unknown>> {
    const resource = packageSchema().resources[token];
    const random = objectOf(options, resource.inputProperties, resource.requiredInputs, 0);
    const oneChanged = fc.tuple(random, fc.nat()).map(([args, pick]) => {
        const keys = Object.keys(args);
        return keys.length === 0 ? { ...base } : { ...base, [keys[pick % keys.length]]: args[keys[pick % keys.length]] };
    });
    return fc.oneof(random, oneChanged);
}
