import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as YAML from "yaml";
import { PODIDENTITYWORKLOAD_TYPE, PodIdentityWorkload } from "../components/podIdentityWorkload";
import { PodIdentityWorkloadArgs } from "../components/podIdentityWorkloadArgs";
import { InputProblem, Problems, inputError, describe } from "../validation/problems";
import { ObjectShape, ShapeFindings, checkObject, resourceShape } from "../validation/shape";

/**
 * The platform-stack program: one PodIdentityWorkload per entry of a workloads file, on the cluster named in
 * stack config. `pulumi up` runs it through the root Pulumi.yaml; `npm run plan` runs it offline.
 */

export const PLATFORM_PROJECT = "eks-pod-identity-platform";
export const DEFAULT_WORKLOADS_FILE = "examples/platform/workloads.yaml";

/** One entry of the workloads file: a component name plus the component's inputs, cluster excluded. */
export type PlatformWorkloadSpec = Omit<PodIdentityWorkloadArgs, "clusterName" | "clusterArn" | "agent"> & { name: string };

export interface PlatformSpec {
    /** Inputs applied to every workload unless it sets them itself (shallow merge; tags are merged). */
    defaults?: Partial<PlatformWorkloadSpec>;
    workloads: PlatformWorkloadSpec[];
}

export interface PlatformConfig {
    clusterName: string;
    clusterArn?: string;
    region?: string;
    kubeconfig?: string;
    workloadsFile: string;
}

/** Inputs a workloads file cannot set: they come from stack config or from the cluster stack. */
const STACK_KEYS = ["clusterName", "clusterArn", "agent"] as const satisfies readonly (keyof PodIdentityWorkloadArgs)[];

/**
 * The declared type of a workloads-file entry: the component's inputs (from the committed schema, like the
 * component's own shape check) without the stack's keys, plus its `name`. Defaults need no key; an entry needs
 * what the component requires unless the defaults give it.
 */
function entryShape(defaults: Record<string, unknown> | undefined): ObjectShape {
    const inputs = resourceShape(PODIDENTITYWORKLOAD_TYPE);
    const refused: Record<string, string> = Object.fromEntries(STACK_KEYS.map((key) => [key, "unknown input in a workloads file: the cluster comes from stack config (clusterName, clusterArn) and the agent from the cluster stack; remove it"]));
    if (defaults === undefined) {
        return { properties: inputs.properties, required: [], refused: { ...refused, name: "cannot be a default: every workload needs its own name" } };
    }
    return {
        properties: { ...inputs.properties, name: { type: "string", plain: true, description: "The component name (also the default service account name)." } },
        required: ["name", ...inputs.required.filter((key) => !(key in refused) && defaults[key] === undefined)],
        refused,
    };
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Shape-checks one entry (or the defaults) against the component's declared inputs; reasons name the workload. */
function checkEntry(problems: InputProblem[], path: string, entry: unknown, shape: ObjectShape, workload?: string): void {
    const found: ShapeFindings = { problems: new Problems(), missing: [] };
    checkObject(found, path, entry, shape);
    problems.push(...[...found.problems.list, ...found.missing].map((p) => ({ propertyPath: p.propertyPath, reason: workload ? `${p.reason} (workload "${workload}")` : p.reason })));
}

/** Parses and shape-checks a workloads file; each problem names the entry and key. */
export function parsePlatformSpec(text: string, file: string): PlatformSpec {
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        throw inputError(`workloads file ${file}`, [{ propertyPath: "(file)", reason: `is not valid YAML: ${(e as Error).message}` }]);
    }
    const problems: InputProblem[] = [];
    const add = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
        add("(file)", `expected a mapping with a "workloads" list, got ${describe(doc)}`);
        throw inputError(`workloads file ${file}`, problems);
    }
    const spec = doc as Record<string, unknown>;
    for (const key of Object.keys(spec)) {
        if (key !== "workloads" && key !== "defaults") {
            add(key, `unknown key: a workloads file has "defaults" and "workloads"`);
        }
    }
    if (spec.defaults !== undefined) {
        if (typeof spec.defaults !== "object" || spec.defaults === null || Array.isArray(spec.defaults)) {
            add("defaults", `expected a mapping, got ${describe(spec.defaults)}`);
        } else {
            checkEntry(problems, "defaults", spec.defaults, entryShape(undefined));
        }
    }
    if (!Array.isArray(spec.workloads) || spec.workloads.length === 0) {
        add("workloads", "expected a non-empty list of workloads");
    } else {
        const names = new Set<string>();
        spec.workloads.forEach((entry, i) => {
            if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
                add(`workloads[${i}]`, `expected a mapping, got ${describe(entry)}`);
                return;
            }
            const e = entry as Record<string, unknown>;
            const defaults = isMapping(spec.defaults) ? spec.defaults : {};
            checkEntry(problems, `workloads[${i}]`, e, entryShape(defaults), typeof e.name === "string" ? e.name : undefined);
            if (e.name === "") {
                add(`workloads[${i}].name`, "required: the component name (also the default service account name)");
            } else if (typeof e.name !== "string") {
                return;
            } else if (names.has(e.name)) {
                add(`workloads[${i}].name`, `"${e.name}" is used twice: names must be unique in a stack`);
            } else {
                names.add(e.name);
            }
        });
    }
    if (problems.length > 0) {
        throw inputError(`workloads file ${file}`, problems);
    }
    return spec as unknown as PlatformSpec;
}

export function loadPlatformSpec(file: string): PlatformSpec {
    return parsePlatformSpec(fs.readFileSync(file, "utf8"), file);
}

export function readPlatformConfig(): PlatformConfig {
    const config = new pulumi.Config(PLATFORM_PROJECT);
    return {
        clusterName: config.require("clusterName"),
        clusterArn: config.get("clusterArn"),
        region: config.get("region"),
        kubeconfig: config.get("kubeconfig"),
        workloadsFile: config.get("workloadsFile") ?? DEFAULT_WORKLOADS_FILE,
    };
}

/** Declares every workload of the spec; returns them by name. */
export function deployPlatform(config: PlatformConfig, spec: PlatformSpec): Record<string, PodIdentityWorkload> {
    const providers: Record<string, pulumi.ProviderResource> = {};
    if (config.region) {
        providers.aws = new aws.Provider("aws", { region: config.region as aws.Region });
    }
    if (config.kubeconfig) {
        providers.kubernetes = new k8s.Provider("kubernetes", { kubeconfig: config.kubeconfig });
    }
    const defaults = spec.defaults ?? {};
    const workloads: Record<string, PodIdentityWorkload> = {};
    spec.workloads.forEach((entry, i) => {
        const { name, ...inputs } = { ...defaults, ...entry } as PlatformWorkloadSpec;
        const tags = defaults.tags || entry.tags ? { ...defaults.tags, ...entry.tags } : undefined;
        try {
            // The component reads the cluster through the same kubeconfig as the provider (see PodIdentityWorkloadArgs.kubeconfig).
            const kubeconfig = config.kubeconfig ? { kubeconfig: config.kubeconfig } : {};
            workloads[name] = new PodIdentityWorkload(name, { ...inputs, ...kubeconfig, tags, clusterName: config.clusterName, clusterArn: config.clusterArn }, { providers });
        } catch (e) {
            throw inFile(e, config.workloadsFile, i, name);
        }
    });
    return workloads;
}

/**
 * A component's input error, restated for the file it came from: the paths under the entry (`workloads[2].role.name`)
 * and the workload named, so the error points at the YAML the user wrote. Other errors pass unchanged.
 */
function inFile(error: unknown, file: string, index: number, name: string): unknown {
    if (!pulumi.InputPropertiesError.isInstance(error)) {
        return error;
    }
    const problems = error.errors.map((p) => ({ propertyPath: `workloads[${index}].${p.propertyPath}`, reason: `${p.reason} (workload "${name}")` }));
    return inputError(`workloads file ${file}`, problems);
}

/** The program behind the root Pulumi.yaml: stack outputs per workload. */
export function platformProgram() {
    const config = readPlatformConfig();
    const workloads = deployPlatform(config, loadPlatformSpec(config.workloadsFile));
    return Object.fromEntries(
        Object.entries(workloads).map(([name, w]) => [
            name,
            { roleArn: w.roleArn, associationId: w.associationId, namespace: w.namespace, serviceAccountName: w.serviceAccountName, deploymentName: w.deploymentName },
        ]),
    );
}
