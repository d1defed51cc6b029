import * as pulumi from "@pulumi/pulumi";
import type { PackageSchema, PropertySpec, ResourceSpec, TypeSpec } from "./packageSchema";
import { InputProblem, inputError } from "../validation/problems";

/**
 * Turns the inputs a Construct call deserialized into the shapes the component classes expect, guided by the
 * committed schema. Over the wire any property may arrive wrapped in an Output (it had dependencies or was secret,
 * or the caller's SDK resolved nested outputs to the top); the components take `pulumi.Input` only where their
 * TypeScript args say so (`plain` is absent in the schema) and plain values everywhere else. So:
 *
 * - where an Input is accepted, values are passed on as they are (dependencies and secrecy intact);
 * - where a plain value is expected, an Output is resolved; its Input-typed leaves are re-wrapped so they keep the
 *   Output's dependencies and secrecy; an unknown value there (preview) is an input error naming the property,
 *   since it decides which resources exist.
 */
export async function normalizeInputs(component: string, resource: ResourceSpec, schema: PackageSchema, inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const problems: InputProblem[] = [];
    const walker = new Walker(schema, problems);
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
        const spec = resource.inputProperties[key];
        result[key] = spec ? await walker.value(value, spec, key, undefined) : value;
    }
    if (problems.length > 0) {
        throw inputError(component, problems);
    }
    return result;
}

/** The Output a plain value was unwrapped from, when it carried dependencies or secrecy. */
type Carrier = pulumi.Output<unknown> | undefined;

class Walker {
    constructor(
        private readonly schema: PackageSchema,
        private readonly problems: InputProblem[],
    ) {}

    async value(value: unknown, spec: TypeSpec | PropertySpec, path: string, carrier: Carrier): Promise<unknown> {
        if (value === undefined || value === null) {
            return value;
        }
        if (pulumi.Output.isInstance(value)) {
            if (!spec.plain) {
                return value;
            }
            const output = value as pulumi.Output<unknown>;
            const known = await (output as any).isKnown;
            if (!known) {
                this.problems.push({
                    propertyPath: path,
                    reason: "is not known yet (it comes from a resource that is not created until apply): this input decides which resources exist, so give a value known at preview",
                });
                return undefined;
            }
            const inner = await (output as any).promise();
            const secret = await pulumi.isSecret(output);
            const dependencies = await pulumi.getAllResources(output as any);
            return this.value(inner, spec, path, secret || dependencies.size > 0 ? output : carrier);
        }
        if (!spec.plain) {
            // An Input-typed leaf inside a value unwrapped from an Output: keep that Output's dependencies and secrecy.
            return carrier ? carrier.apply(() => value) : value;
        }
        if (spec.$ref === "pulumi.json#/Any") {
            return this.resolveDeep(value, path);
        }
        if (spec.$ref?.startsWith("#/resources/")) {
            return value;
        }
        if (spec.$ref?.startsWith("#/types/")) {
            const type = this.schema.types[spec.$ref.slice("#/types/".length)];
            if (type && "properties" in type && typeof value === "object" && !Array.isArray(value)) {
                const out: Record<string, unknown> = {};
                for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
                    const propertySpec = type.properties[key];
                    out[key] = propertySpec ? await this.value(item, propertySpec, `${path}.${key}`, carrier) : item;
                }
                return out;
            }
            return value; // enums, and shapes the component's own validation reports
        }
        if (spec.type === "array" && spec.items && Array.isArray(value)) {
            const out: unknown[] = [];
            for (let i = 0; i < value.length; i++) {
                out.push(await this.value(value[i], spec.items, `${path}[${i}]`, carrier));
            }
            return out;
        }
        if (spec.type === "object" && spec.additionalProperties && typeof value === "object" && !Array.isArray(value)) {
            const out: Record<string, unknown> = {};
            for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
                out[key] = await this.value(item, spec.additionalProperties, `${path}.${key}`, carrier);
            }
            return out;
        }
        return value;
    }

    /** A plain JSON value (e.g. add-on configuration) with every nested Output resolved. */
    private async resolveDeep(value: unknown, path: string): Promise<unknown> {
        if (pulumi.Output.isInstance(value)) {
            const output = value as pulumi.Output<unknown>;
            if (!(await (output as any).isKnown)) {
                this.problems.push({ propertyPath: path, reason: "is not known yet: give a value known at preview" });
                return undefined;
            }
            return this.resolveDeep(await (output as any).promise(), path);
        }
        if (Array.isArray(value)) {
            return Promise.all(value.map((item, i) => this.resolveDeep(item, `${path}[${i}]`)));
        }
        if (value !== null && typeof value === "object") {
            const out: Record<string, unknown> = {};
            for (const [key, item] of Object.entries(value)) {
                out[key] = await this.resolveDeep(item, `${path}.${key}`);
            }
            return out;
        }
        return value;
    }
}
