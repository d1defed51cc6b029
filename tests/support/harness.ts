import * as pulumi from "@pulumi/pulumi";
import { OfflineEngine, RecordedResource, startOfflineEngine } from "../../provider/tools/plan/engine";
import { addonArnOf, clusterArnOf, podIdentityAssociationArnOf, podIdentityAssociationIdOf, policyArnOf, providerIdOf, roleArnOf } from "./awsIds";

/**
 * Runs component code under the recording engine with AWS-like answers: the stand-in for the cloud boundary in
 * unit tests. Resources get ARNs and ids shaped like AWS's, derived from their inputs, so tests can check that
 * outputs are wired from the right resource. Generated names end in a fixed "abc1234" where AWS (or Pulumi's
 * autonaming) would pick something unique, so tests can spell the expected name.
 */

export function cloudState(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    const inputs = args.inputs;
    switch (args.type) {
        case "aws:iam/role:Role": {
            const name = inputs.name ?? `${inputs.namePrefix ?? args.name + "-"}abc1234`;
            return { id: name, state: { ...inputs, name, arn: roleArnOf(name, inputs.path ?? "/") } };
        }
        case "aws:iam/policy:Policy": {
            const name = inputs.name ?? `${args.name}-abc1234`;
            return { id: name, state: { ...inputs, name, arn: policyArnOf(name, inputs.path ?? "/") } };
        }
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
            const id = podIdentityAssociationIdOf(args.name.replace(/[^a-z0-9]/g, ""));
            return {
                id: providerIdOf.podIdentityAssociation(inputs.clusterName, id),
                state: { ...inputs, associationId: id, associationArn: podIdentityAssociationArnOf(inputs.clusterName, id), externalId: "ext-0000" },
            };
        }
        case "aws:eks/cluster:Cluster": {
            const name = inputs.name ?? `${args.name}-0123456`;
            return { id: name, state: { ...inputs, name, arn: clusterArnOf(name), version: "1.31" } };
        }
        case "aws:eks/addon:Addon":
            return { id: providerIdOf.addon(inputs.clusterName, inputs.addonName), state: { ...inputs, arn: addonArnOf(inputs.clusterName, inputs.addonName) } };
        default:
            return { id: `${args.name}-id`, state: inputs };
    }
}

export interface Run extends OfflineEngine {
    /**
     * Errors the program failed with after construction (a rejected input stops its resource from registering and
     * ends a real `pulumi up` with this error); collected here instead of crashing the test process.
     */
    failures: Error[];
    /** The recorded resource with this name; fails loudly when absent. */
    get(name: string): RecordedResource;
    has(name: string): boolean;
    /** Names of the resources whose parent is the named resource. */
    childrenOf(name: string): string[];
    /** Names of the dependencies (explicit and through inputs) of the named resource, parent excluded. */
    dependenciesOf(name: string): string[];
}

export interface RunOptions {
    preview?: boolean;
    kubernetesVersion?: string;
}

export async function run<T>(program: () => T, options: RunOptions = {}): Promise<Run & { result: T }> {
    const engine = startOfflineEngine({
        preview: options.preview ?? false,
        newResource: (args) => {
            const { id, state } = cloudState(args);
            return options.preview ? { id: undefined, state: args.inputs } : { id, state };
        },
        call: ({ token, inputs }) => {
            if (token === "aws:eks/getCluster:getCluster") {
                return { name: inputs.name, arn: clusterArnOf(inputs.name), version: options.kubernetesVersion ?? "1.31" };
            }
            if (token === "aws:eks/getAddonVersion:getAddonVersion") {
                return { addonName: inputs.addonName, kubernetesVersion: inputs.kubernetesVersion, version: `v1.3.4-eksbuild.${inputs.kubernetesVersion === "1.31" ? 1 : 2}` };
            }
            throw new Error(`unexpected call ${token}`);
        },
    });
    const failures: Error[] = [];
    const collect = (e: unknown) => failures.push(e as Error);
    const previous = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", collect);
    let result: T;
    try {
        result = program();
        await engine.settle();
    } finally {
        process.off("unhandledRejection", collect);
        previous.forEach((listener) => process.on("unhandledRejection", listener));
    }
    if (failures.length > 0) {
        // A failed program leaves its dependants' promises pending for good; forget them so the next test's
        // leak check (and the runtime's exit check) only sees its own.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK-internal module without types
        require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
    }
    const byName = (name: string) => engine.resources.find((r) => r.name === name);
    const urnName = (urn: string) => engine.resources.find((r) => r.urn === urn)?.name ?? urn;
    return Object.assign(engine, {
        result,
        failures,
        get(name: string) {
            const r = byName(name);
            if (!r) {
                throw new Error(`no resource named ${name}; have ${engine.resources.map((x) => x.name).join(", ")}`);
            }
            return r;
        },
        has: (name: string) => byName(name) !== undefined,
        childrenOf(name: string) {
            const parent = this.get(name).urn;
            return engine.resources.filter((r) => r.parent === parent).map((r) => r.name);
        },
        dependenciesOf(name: string) {
            const r = this.get(name);
            const all = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
            all.delete(r.parent ?? "");
            return [...all].map(urnName).sort();
        },
    });
}

/** Runs the program with `pulumi.log.warn` captured: without an engine the SDK prints `warning: [runtime] …` via console.warn. */
export async function runWarned<T>(program: () => T, options?: Parameters<typeof run>[1]) {
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (...parts: unknown[]) => {
        const line = parts.map(String).join(" ");
        if (line.startsWith("warning: [runtime] ")) warnings.push(line.slice("warning: [runtime] ".length));
        else original(...parts);
    };
    try {
        const r = await run(program, options);
        return Object.assign(r, { warnings });
    } finally {
        console.warn = original;
    }
}

/** Resolves a known Output in tests; rejects with the Output's error. */
export function value<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as any).promise();
}

/** Resolves to the error an Output was rejected with, or fails when it resolves. */
export async function rejection(output: pulumi.Output<unknown>): Promise<Error> {
    try {
        await (output as any).promise();
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected the output to be rejected, but it resolved");
}

/**
 * A value given as an Output that is unknown during a preview, as an attribute of a resource not created yet is; in
 * an update, the same input resolves to the value (use `pulumi.output(value)` there).
 */
export function unknownAtPreview<T>(): pulumi.Output<T> {
    // The SDK's own constructor for an Output with no value yet (what the engine hands a program for an unknown).
    const OutputImpl = pulumi.Output as unknown as new (...args: unknown[]) => pulumi.Output<T>;
    return new OutputImpl(new Set(), Promise.resolve(undefined), Promise.resolve(false), Promise.resolve(false), Promise.resolve(new Set()));
}
