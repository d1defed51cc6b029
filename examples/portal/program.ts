/**
 * The workload's Pulumi program, and the component's own validation of a request before any stack exists.
 * Both construct the same `PodIdentityWorkload` from the same arguments: validation runs it under the SDK's mock
 * monitor (provider/tools/plan/engine.ts), so a request the component would reject at preview is a 400 naming the field,
 * and the documents the component renders (trust policy, inline policies) are shown without touching the cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import { PodIdentityWorkload } from "../../provider/components/podIdentityWorkload";
import { RecordedResource, startOfflineEngine } from "../../provider/tools/plan/engine";
import { FieldProblem, ResolvedCluster, WorkloadRequest, componentArgs, requestField } from "./api";
import { parseDocument } from "./outputs";
import { protectedBuckets } from "./protectedBuckets";

/** The stack outputs of a workload (see README: `outputs`). */
export function workloadProgram(request: WorkloadRequest, cluster: ResolvedCluster, id: string): () => Promise<Record<string, unknown>> {
    return async () => {
        // The worker runs with the portal's environment: its backend bucket is the one to deny (protectedBuckets.ts).
        const w = new PodIdentityWorkload(id, componentArgs(request, cluster, id, protectedBuckets(process.env)));
        const configFile = request.crossAccount !== undefined && request.crossAccount.mode !== "native";
        // Only what this request can produce: an undefined stack output is a warning on every run.
        return {
            roleArn: w.roleArn,
            roleName: w.roleName,
            associationArn: w.associationArn,
            associationId: w.associationId,
            namespace: w.namespace,
            serviceAccountName: w.serviceAccountName,
            trustPolicy: w.trustPolicy,
            awsProfiles: w.awsProfiles,
            ...(request.policyStatements ? { permissionsPolicy: w.permissionsPolicy } : {}),
            ...(request.workload ? { deploymentName: w.deploymentName } : {}),
            ...(configFile ? { awsConfigFile: w.awsConfigFile, defaultAwsProfile: w.defaultAwsProfile, podSpecFragment: w.podSpecFragment } : {}),
            ...(request.crossAccount?.mode === "native" ? { externalId: w.externalId } : {}),
        };
    };
}

/** The IAM documents the workload's role gets. */
export interface RenderedPolicies {
    /** The role's trust policy. */
    trustPolicy?: unknown;
    /** Inline policies by name (`permissions` from policyStatements, `cross-account` for role chaining). */
    inlinePolicies: Record<string, unknown>;
    /** Managed policies attached. */
    managedPolicyArns: string[];
}

export type Validation = { ok: true; policies: RenderedPolicies } | { ok: false; problems: FieldProblem[] } | { ok: false; error: string };

/**
 * Runs the component once under the mock monitor, as an update would (AWS-assigned values are given the shapes AWS
 * would return, in the cluster's account), so that every check the component makes, including those on resolved
 * values, runs. Uses the process-global Pulumi runtime: call it once per process, before any inline program.
 */
export async function validateWithComponent(request: WorkloadRequest, cluster: ResolvedCluster, id: string): Promise<Validation> {
    const partition = cluster.arn.split(":")[1];
    const engine = startOfflineEngine({
        preview: false,
        project: "eks-pod-identity-portal",
        stack: id,
        newResource: ({ type, name, inputs }) => {
            if (type === "aws:iam/role:Role") {
                const roleName = inputs.name ?? `${inputs.namePrefix ?? `${name}-`}0000000`;
                return { id: roleName, state: { ...inputs, name: roleName, arn: `arn:${partition}:iam::${cluster.accountId}:role${inputs.path ?? "/"}${roleName}` } };
            }
            if (type === "aws:eks/podIdentityAssociation:PodIdentityAssociation") {
                return { id: `${inputs.clusterName},a-0000000000000000`, state: { ...inputs, associationId: "a-0000000000000000", associationArn: "", externalId: "" } };
            }
            return { id: `${name}-id`, state: inputs };
        },
        call: ({ token, inputs }) => {
            if (token === "aws:eks/getCluster:getCluster") return { name: inputs.name, arn: cluster.arn };
            throw new Error(`validation cannot answer ${token}`);
        },
    });
    const failures: unknown[] = [];
    const collect = (e: unknown) => failures.push(e);
    process.on("unhandledRejection", collect);
    try {
        try {
            await workloadProgram(request, cluster, id)();
        } catch (e) {
            failures.push(e);
        }
        await engine.settle();
    } finally {
        process.off("unhandledRejection", collect);
    }
    if (failures.length > 0) {
        // A rejected program leaves its dependants pending for good: forget them, they are not this process's leaks.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- an SDK-internal module without types, needed on this failure path only
        require("@pulumi/pulumi/runtime/debuggable").leakedPromises();
        const inputErrors = failures.filter((f): f is pulumi.InputPropertiesError => pulumi.InputPropertiesError.isInstance(f));
        if (inputErrors.length === 0) {
            const first = failures[0];
            return { ok: false, error: first instanceof Error ? first.message : String(first) };
        }
        const problems: FieldProblem[] = [];
        for (const failure of inputErrors) {
            for (const p of failure.errors ?? []) {
                const problem = { field: requestField(p.propertyPath), message: p.reason };
                if (!problems.some((q) => q.field === problem.field && q.message === problem.message)) problems.push(problem);
            }
        }
        return { ok: false, problems };
    }
    return { ok: true, policies: renderedPolicies(engine.resources) };
}

/** The documents as registered with the engine, parsed. */
export function renderedPolicies(resources: RecordedResource[]): RenderedPolicies {
    const policies: RenderedPolicies = { inlinePolicies: {}, managedPolicyArns: [] };
    for (const r of resources) {
        if (r.type === "aws:iam/role:Role") policies.trustPolicy = parseDocument(r.inputs.assumeRolePolicy);
        if (r.type === "aws:iam/rolePolicy:RolePolicy") policies.inlinePolicies[r.inputs.name] = parseDocument(r.inputs.policy);
        if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") policies.managedPolicyArns.push(r.inputs.policyArn);
    }
    return policies;
}
