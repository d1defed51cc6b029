import test from "ava";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as library from "../provider";
import { PackageSchema, SchemaGenerator, renderSchema } from "../provider/tools/schema/generate-schema";

/**
 * The package schema is generated from the TypeScript args and outputs (`npm test` also fails when the committed
 * provider/plugin/schema.json differs from a fresh generation). Here: the generator's mapping on small sources written for
 * the purpose, its refusals, and the properties the committed schema must have for SDK generation.
 */

const ROOT = path.join(__dirname, "..", "..");

/**
 * The type tokens of the components provider/index.ts exports: the `<NAME>_TYPE` constants, and the exported
 * ComponentResource classes that lack one (so a new component is caught whether or not its token was added).
 */
function exportedComponentTypes(): { tokens: string[]; classesWithoutType: string[] } {
    const exports: Record<string, unknown> = library;
    const tokens = Object.entries(exports)
        .filter(([name, value]) => name.endsWith("_TYPE") && typeof value === "string")
        .map(([, token]) => token as string)
        .sort();
    const classesWithoutType = Object.entries(exports)
        .filter(([, value]) => typeof value === "function" && value.prototype instanceof pulumi.ComponentResource)
        .map(([name]) => name)
        .filter((name) => typeof exports[`${name.toUpperCase()}_TYPE`] !== "string");
    return { tokens, classesWithoutType };
}
const committed: PackageSchema = JSON.parse(fs.readFileSync(path.join(ROOT, "provider", "plugin", "schema.json"), "utf8"));

/** A throw-away project under out/ (so @pulumi/pulumi resolves) with the given provider/index.ts. */
function project(name: string, source: string): string {
    const dir = path.join(ROOT, "out", "schema-test", name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "provider"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "fixture", version: "1.2.3", description: "A fixture", license: "Apache-2.0", repository: "https://github.com/acme/pulumi-fixture" }));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, module: "commonjs", target: "ES2022", skipLibCheck: true, types: [] } }));
    fs.writeFileSync(path.join(dir, "provider", "index.ts"), source);
    return dir;
}

const HEADER = `import * as pulumi from "@pulumi/pulumi";
/** A whole number. */
export type Integer = number;
`;

const component = (argsBody: string, outputs = "/** An output. */\n    public readonly out: pulumi.Output<string>;", extra = "") => `${HEADER}
${extra}
/** The args. */
export interface ThingArgs {
${argsBody}
}
export const THING_TYPE = "eks-pod-identity:index:Thing";
/** A thing. */
export class Thing extends pulumi.ComponentResource {
    ${outputs}
    constructor(name: string, args: ThingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(THING_TYPE, name, {}, opts);
        this.out = pulumi.output("x");
    }
}
`;

test("maps inputs, plain values, integers, enums, maps, unions, JSON and component references", (t) => {
    const dir = project(
        "mapping",
        component(
            `    /** A name. */
    name: pulumi.Input<string>;
    /** A count. */
    count?: Integer;
    /** A ratio. */
    ratio?: number;
    /** Mode. */
    mode?: "a" | "b";
    /** Tags. */
    tags?: Record<string, pulumi.Input<string>>;
    /** Port number or name. */
    port?: Integer | string;
    /** A document. */
    document?: pulumi.Input<string | Record<string, unknown>>;
    /** Settings. */
    settings?: Settings;
    /** Inline. */
    inline?: {
        /** Depth. */
        depth: Integer;
    };
    /** Other thing. */
    other?: Thing;
    /** Items. */
    items?: pulumi.Input<string>[];`,
            undefined,
            `/** Settings of a thing. */
export interface Settings {
    /** Level. */
    level?: Level;
}
/** A level. */
export type Level = "low" | "high";`,
        ),
    );
    const schema = new SchemaGenerator(dir).generate();
    const inputs = schema.resources["eks-pod-identity:index:Thing"].inputProperties;
    t.deepEqual(inputs.name, { type: "string", description: "A name." });
    t.deepEqual(inputs.count, { type: "integer", plain: true, description: "A count." });
    t.deepEqual(inputs.ratio, { type: "number", plain: true, description: "A ratio." });
    t.deepEqual(inputs.mode, { $ref: "#/types/eks-pod-identity:index:ThingArgsMode", plain: true, description: "Mode." });
    t.deepEqual(schema.types["eks-pod-identity:index:ThingArgsMode"], { description: "Mode.", type: "string", enum: [{ value: "a" }, { value: "b" }] });
    t.deepEqual(inputs.tags, { type: "object", additionalProperties: { type: "string" }, plain: true, description: "Tags." });
    t.deepEqual(inputs.port, { oneOf: [{ type: "integer" }, { type: "string" }], plain: true, description: "Port number or name." });
    t.deepEqual(inputs.document, { $ref: "pulumi.json#/Any", description: "A document." });
    t.deepEqual(inputs.settings, { $ref: "#/types/eks-pod-identity:index:Settings", plain: true, description: "Settings." });
    t.deepEqual(schema.types["eks-pod-identity:index:Level"], { description: "A level.", type: "string", enum: [{ value: "low" }, { value: "high" }] });
    t.deepEqual(schema.types["eks-pod-identity:index:ThingArgsInline"], {
        description: "Inline.",
        type: "object",
        properties: { depth: { type: "integer", plain: true, description: "Depth." } },
        required: ["depth"],
    });
    t.deepEqual(inputs.other, { $ref: "#/resources/eks-pod-identity:index:Thing", plain: true, description: "Other thing." });
    t.deepEqual(inputs.items, { type: "array", items: { type: "string" }, plain: true, description: "Items." });
    t.deepEqual(schema.resources["eks-pod-identity:index:Thing"].requiredInputs, ["name"]);
    t.deepEqual(schema.resources["eks-pod-identity:index:Thing"].properties, { out: { type: "string", description: "An output." } });
    t.deepEqual(schema.resources["eks-pod-identity:index:Thing"].required, ["out"]);
    t.is(schema.version, "1.2.3");
});

test("a new input is picked up: the committed schema then no longer matches", (t) => {
    const before = renderSchema(new SchemaGenerator(project("before", component("    /** A name. */\n    name: string;"))).generate());
    const after = renderSchema(new SchemaGenerator(project("after", component("    /** A name. */\n    name: string;\n    /** New. */\n    added?: boolean;"))).generate());
    t.not(before, after);
    t.true(after.includes('"added"'));
});

test("an undocumented property, an unsupported type or another package's resource fails the build, each named", (t) => {
    const dir = project(
        "refusals",
        component(
            `    name: string;
    /** Callback. */
    run?: () => void;
    /** An SDK resource. */
    parent?: pulumi.CustomResource;`,
            "public readonly out: pulumi.Output<string>;",
        ),
    );
    const error = t.throws(() => new SchemaGenerator(dir).generate());
    t.regex(error!.message, /Thing\.name: the property has no JSDoc description/);
    t.regex(error!.message, /Thing\.run: unsupported type `\(\) => void`/);
    t.regex(error!.message, /Thing\.parent: .*CustomResource/);
    t.regex(error!.message, /Thing\.out: the output has no JSDoc description/);
});

// ---- the committed schema ----

function walk(spec: any, where: string, visit: (spec: any, where: string) => void): void {
    visit(spec, where);
    if (spec.items) walk(spec.items, `${where}[]`, visit);
    if (spec.additionalProperties) walk(spec.additionalProperties, `${where}{}`, visit);
    (spec.oneOf ?? []).forEach((s: any, i: number) => walk(s, `${where}|${i}`, visit));
}

function allProperties(schema: PackageSchema): [string, any][] {
    const out: [string, any][] = [];
    for (const [token, resource] of Object.entries(schema.resources)) {
        for (const [k, v] of Object.entries(resource.inputProperties)) out.push([`${token} input ${k}`, v]);
        for (const [k, v] of Object.entries(resource.properties)) out.push([`${token} output ${k}`, v]);
    }
    for (const [token, type] of Object.entries(schema.types)) {
        for (const [k, v] of Object.entries((type as any).properties ?? {})) out.push([`${token}.${k}`, v]);
    }
    return out;
}

test("the committed schema: the package's components, all described, integers as integers, enums as enums", (t) => {
    t.is(committed.name, "eks-pod-identity");
    const exported = exportedComponentTypes();
    t.deepEqual(exported.classesWithoutType, [], "every exported component class has its <NAME>_TYPE token");
    t.deepEqual(exported.tokens, [
        "eks-pod-identity:index:CrossAccountRole",
        "eks-pod-identity:index:PodIdentityAgent",
        "eks-pod-identity:index:PodIdentityWorkload",
        "eks-pod-identity:index:WellKnownPolicySet",
    ]);
    const committedComponents = Object.entries(committed.resources).filter(([, r]) => r.isComponent).map(([token]) => token).sort();
    t.deepEqual(committedComponents, exported.tokens, "the schema has exactly the components the package exports");
    const undescribed = [
        ...Object.entries(committed.resources).filter(([, r]) => !r.description).map(([k]) => k),
        ...Object.entries(committed.types).filter(([, ty]) => !ty.description).map(([k]) => k),
        ...allProperties(committed).filter(([, p]) => !p.description).map(([k]) => k),
    ];
    t.deepEqual(undescribed, []);
    const types = (token: string) => (committed.types[`eks-pod-identity:index:${token}`] as any).properties;
    t.is(types("WorkloadSettings").replicas.type, "integer");
    t.is(types("RoleSettings").maxSessionDuration.type, "integer");
    t.is(types("ContainerPort").containerPort.type, "integer");
    t.deepEqual(types("HttpGetAction").port.oneOf, [{ type: "integer" }, { type: "string" }]);
    t.deepEqual((committed.types["eks-pod-identity:index:ResolveConflicts"] as any).enum.map((e: any) => e.value), ["NONE", "OVERWRITE", "PRESERVE"]);
    t.deepEqual((committed.types["eks-pod-identity:index:SessionTagName"] as any).enum.length, 6);
    t.is(types("WorkloadAgentSettings").waitFor.$ref, "#/resources/eks-pod-identity:index:PodIdentityAgent");
});

test("the committed schema: every $ref resolves inside the package or to pulumi.json; no other package is referenced", (t) => {
    const refs: string[] = [];
    for (const [where, property] of allProperties(committed)) {
        walk(property, where, (spec) => spec.$ref && refs.push(spec.$ref));
    }
    t.true(refs.length > 20);
    const unresolved = refs.filter((ref) => {
        if (ref === "pulumi.json#/Any") return false;
        if (ref.startsWith("#/types/")) return !committed.types[ref.slice(8)];
        if (ref.startsWith("#/resources/")) return !committed.resources[ref.slice(12)];
        return true;
    });
    t.deepEqual(unresolved, []);
    t.deepEqual((committed as any).dependencies, undefined);
});

test("the committed schema: language sections for the SDKs", (t) => {
    t.deepEqual(Object.keys(committed.language).sort(), ["csharp", "go", "java", "nodejs", "python"]);
    t.regex((committed.language.go as any).importBasePath, /\/sdk\/go\/ekspodidentity$/);
    t.is((committed.language.python as any).packageName, "pulumi_eks_pod_identity");
});
