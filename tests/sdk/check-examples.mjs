#!/usr/bin/env node
// Static checks of the example programs that no compiler covers (run by check.sh, step "yaml"):
//  - every examples/<language>/Pulumi.yaml parses and names a runtime;
//  - examples/yaml/Pulumi.yaml's PodIdentityWorkload properties match provider/plugin/schema.json: known names, required
//    inputs present, enum values and value shapes (nested types included), outputs that exist;
//  - the five examples export the same stack outputs, each an output of the component.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const schema = JSON.parse(fs.readFileSync(path.join(root, "provider/plugin/schema.json"), "utf8"));
const token = "eks-pod-identity:index:PodIdentityWorkload";
const component = schema.resources[token];
const errors = [];

const languages = ["typescript", "python", "go", "java", "yaml"];
const projects = {};
for (const language of languages) {
    const file = path.join(root, "examples", language, "Pulumi.yaml");
    try {
        projects[language] = parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        errors.push(`examples/${language}/Pulumi.yaml: ${e.message}`);
        continue;
    }
    const runtime = projects[language]?.runtime;
    if (!projects[language]?.name || !(typeof runtime === "string" || typeof runtime?.name === "string")) {
        errors.push(`examples/${language}/Pulumi.yaml: needs a name and a runtime`);
    }
}

const interpolation = /^\$\{[^}]+\}$/;

function check(value, spec, where) {
    if (typeof value === "string" && interpolation.test(value)) return; // a config value or an output
    if (spec.$ref !== undefined) {
        if (spec.$ref === "pulumi.json#/Any") return;
        const type = schema.types[spec.$ref.replace(/^#\/types\//, "")];
        if (type === undefined) return void errors.push(`${where}: unknown type ${spec.$ref}`);
        if (type.enum !== undefined) {
            const allowed = type.enum.map((e) => e.value);
            if (!allowed.includes(value)) errors.push(`${where}: ${JSON.stringify(value)} is not one of ${allowed.join(", ")}`);
            return;
        }
        return checkObject(value, type.properties ?? {}, type.required ?? [], where);
    }
    switch (spec.type) {
        case "string":
            if (typeof value !== "string") errors.push(`${where}: expected a string`);
            return;
        case "boolean":
            if (typeof value !== "boolean") errors.push(`${where}: expected a boolean`);
            return;
        case "integer":
        case "number":
            if (typeof value !== "number" || (spec.type === "integer" && !Number.isInteger(value))) {
                errors.push(`${where}: expected ${spec.type === "integer" ? "an integer" : "a number"}`);
            }
            return;
        case "array":
            if (!Array.isArray(value)) return void errors.push(`${where}: expected a list`);
            return value.forEach((item, i) => check(item, spec.items, `${where}[${i}]`));
        case "object":
            if (value === null || typeof value !== "object" || Array.isArray(value)) {
                return void errors.push(`${where}: expected a map`);
            }
            return Object.entries(value).forEach(([k, v]) => check(v, spec.additionalProperties ?? {}, `${where}.${k}`));
        default:
            return;
    }
}

function checkObject(value, properties, required, where) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return void errors.push(`${where}: expected an object`);
    }
    for (const key of required) if (!(key in value)) errors.push(`${where}: ${key} is required`);
    for (const [key, v] of Object.entries(value)) {
        if (properties[key] === undefined) errors.push(`${where}.${key}: not a property of the schema`);
        else check(v, properties[key], `${where}.${key}`);
    }
}

// The YAML program against the schema.
const yamlProgram = projects.yaml ?? {};
const workloads = Object.entries(yamlProgram.resources ?? {}).filter(([, r]) => r?.type === token);
if (workloads.length !== 1) errors.push(`examples/yaml/Pulumi.yaml: expected one resource of type ${token}`);
for (const [name, resource] of workloads) {
    checkObject(resource.properties ?? {}, component.inputProperties, component.requiredInputs ?? [],
        `examples/yaml/Pulumi.yaml resources.${name}.properties`);
}
const yamlOutputs = new Set();
for (const [key, expr] of Object.entries(yamlProgram.outputs ?? {})) {
    const m = /^\$\{([^.}]+)\.([^}]+)\}$/.exec(String(expr));
    if (m === null || !workloads.some(([n]) => n === m[1])) {
        errors.push(`examples/yaml/Pulumi.yaml outputs.${key}: expected \${<workload>.<output>}`);
    } else if (component.properties[m[2]] === undefined) {
        errors.push(`examples/yaml/Pulumi.yaml outputs.${key}: ${m[2]} is not an output of ${token}`);
    }
    yamlOutputs.add(key);
}

// Exported output names, language by language.
const exportPatterns = {
    "typescript/program.ts": /^\s*(\w+): workload\.\w+,?$/gm,
    "python/workload_program.py": /pulumi\.export\("(\w+)"/g,
    "go/workload/program.go": /ctx\.Export\("(\w+)"/g,
    "java/src/main/java/example/WorkloadProgram.java": /ctx\.export\("(\w+)"/g,
};
const expected = [...yamlOutputs].sort().join(", ");
for (const [file, pattern] of Object.entries(exportPatterns)) {
    const text = fs.readFileSync(path.join(root, "examples", file), "utf8");
    const names = [...text.matchAll(pattern)].map((m) => m[1]);
    for (const n of names) {
        if (component.properties[n] === undefined) errors.push(`examples/${file}: exports ${n}, not an output of ${token}`);
    }
    const got = [...new Set(names)].sort().join(", ");
    if (got !== expected) errors.push(`examples/${file}: exports {${got}}, examples/yaml exports {${expected}}`);
}

if (errors.length > 0) {
    console.error(`examples: ${errors.length} problem(s):\n  ${errors.join("\n  ")}`);
    process.exit(1);
}
console.log(`examples: ${languages.length} Pulumi.yaml parse; examples/yaml matches the schema; ` +
    `${yamlOutputs.size} outputs exported alike in every language`);
