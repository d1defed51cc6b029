import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as YAML from "yaml";
import { PodIdentityWorkload } from "../components/podIdentityWorkload";
import { PodIdentityWorkloadArgs } from "../components/podIdentityWorkloadArgs";
import { InputProblem, inputError, describe } from "../validation/problems";

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

// `satisfies` keeps this list equal to the args interface: a new input that is not added here fails to compile.
const WORKLOAD_KEYS = Object.keys({
    name: true,
    namespace: true,
    createNamespace: true,
    namespaceLabels: true,
    serviceAccountName: true,
    createServiceAccount: true,
    roleArn: true,
    role: true,
    trust: true,
    managedPolicyArns: true,
    policyStatements: true,
    inlinePolicies: true,
    wellKnownPolicies: true,
    allowFullAccess: true,
    association: true,
    workload: true,
    crossAccount: true,
    tags: true,
} satisfies Record<keyof PlatformWorkloadSpec, true>);

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
    const checkKeys = (path: string, entry: Record<string, unknown>) => {
        for (const key of Object.keys(entry)) {
            if (!WORKLOAD_KEYS.includes(key)) {
                add(`${path}.${key}`, `unknown input: use one of ${WORKLOAD_KEYS.join(", ")} (the cluster comes from stack config)`);
            }
        }
    };
    if (spec.defaults !== undefined) {
        if (typeof spec.defaults !== "object" || spec.defaults === null || Array.isArray(spec.defaults)) {
            add("defaults", `expected a mapping, got ${describe(spec.defaults)}`);
        } else {
            checkKeys("defaults", spec.defaults as Record<string, unknown>);
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
            checkKeys(`workloads[${i}]`, e);
            if (typeof e.name !== "string" || e.name === "") {
                add(`workloads[${i}].name`, "required: the component name (also the default service account name)");
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
    for (const entry of spec.workloads) {
        const { name, ...inputs } = { ...defaults, ...entry } as PlatformWorkloadSpec;
        const tags = defaults.tags || entry.tags ? { ...defaults.tags, ...entry.tags } : undefined;
        workloads[name] = new PodIdentityWorkload(
            name,
            { ...inputs, tags, clusterName: config.clusterName, clusterArn: config.clusterArn },
            { providers },
        );
    }
    return workloads;
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
