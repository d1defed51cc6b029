import * as pulumi from "@pulumi/pulumi";
import { checkClusterArn, checkRoleArn } from "../iam/arn";
import { CrossAccountRoleArgs } from "./crossAccountRoleArgs";
import { buildCrossAccountTrustPolicy } from "../iam/crossAccountTrust";
import { renderTrustPolicy } from "../iam/trustPolicy";
import { createRole, createRolePermissions } from "./role";
import { checkExternalId } from "../iam/sts";
import { checkDnsLabel, checkDnsSubdomain } from "../kubernetes/rules";
import { checkAwsTags, checkMergedTags } from "../validation/awsTags";
import { PartitionReference, checkPartition, checkSamePartition } from "../iam/partition";
import { preparePermissionDocuments } from "../iam/permissionDocuments";
import { Problems, checkBoolean, checkOneOf, describe, isPlain } from "../validation/problems";
import { checkShapeFirst } from "../validation/shape";
import { checkPermissionInputs, checkPolicyArn, checkRoleSettings } from "../validation/workload";

export const CROSSACCOUNTROLE_TYPE = "eks-pod-identity:index:CrossAccountRole";

/**
 * A role in another account (account B) that Pod Identity roles of account A chain into, created through the
 * caller's provider for account B (`{ provider: accountB }`). Its trust names account A, narrowed by
 * `aws:PrincipalArn` to the source roles, and pins the callers by their transitive session tags or an external id.
 */
export class CrossAccountRole extends pulumi.ComponentResource {
    /** ARN of the role, for a workload's `crossAccount.targets[].roleArn`. */
    public readonly roleArn: pulumi.Output<string>;
    /** Name of the role. */
    public readonly roleName: pulumi.Output<string>;
    /** The rendered trust policy JSON. */
    public readonly trustPolicy: pulumi.Output<string>;
    /** The inline policy JSON rendered from `policyStatements`; undefined without statements. */
    public readonly permissionsPolicy: pulumi.Output<string | undefined>;

    constructor(name: string, args: CrossAccountRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = `CrossAccountRole "${name}"`;
        const problems = new Problems();
        // Types first: the rules below assume well-typed values.
        const addMissing = checkShapeFirst(component, CROSSACCOUNTROLE_TYPE, args);
        const mode = args.trustMode ?? "sessionTags";
        checkOneOf(problems, "trustMode", args.trustMode, ["sessionTags", "externalId"]);
        if (!Array.isArray(args.sourceRoleArns) || args.sourceRoleArns.length === 0) {
            problems.add("sourceRoleArns", "required: the ARNs of the Pod Identity roles allowed to chain into this role (e.g. a PodIdentityWorkload's roleArn)");
        }
        (Array.isArray(args.sourceRoleArns) ? args.sourceRoleArns : []).forEach((arn, i) => {
            if (typeof arn === "string") {
                checkRoleArn(problems, `sourceRoleArns[${i}]`, arn);
            }
        });
        if (mode === "sessionTags") {
            for (const key of ["clusterArns", "namespaces", "serviceAccounts"] as const) {
                if (!Array.isArray(args[key]) || args[key]!.length === 0) {
                    problems.add(key, `required with trustMode "sessionTags": without it any ${key === "clusterArns" ? "cluster" : key === "namespaces" ? "namespace" : "service account"} behind the source roles could chain in`);
                }
            }
            (args.clusterArns ?? []).forEach((arn, i) => {
                if (typeof arn === "string") {
                    checkClusterArn(problems, `clusterArns[${i}]`, arn);
                }
            });
            (args.namespaces ?? []).forEach((ns, i) => checkDnsLabel(problems, `namespaces[${i}]`, ns));
            (args.serviceAccounts ?? []).forEach((sa, i) => checkDnsSubdomain(problems, `serviceAccounts[${i}]`, sa));
            if (args.externalId !== undefined) {
                problems.add("externalId", `applies to trustMode "externalId" only: drop it, or switch trustMode`);
            }
        } else {
            if (args.externalId === undefined || args.externalId === "") {
                problems.add("externalId", `required with trustMode "externalId": e.g. the workload's externalId output (native mode)`);
            } else if (isPlain(args.externalId)) {
                checkExternalId(problems, "externalId", args.externalId);
            }
            for (const key of ["clusterArns", "namespaces", "serviceAccounts"] as const) {
                if (args[key] !== undefined) {
                    problems.add(key, `applies to trustMode "sessionTags" only: with session tags disabled no such tags reach this role`);
                }
            }
        }
        checkRoleSettings(problems, name, args.role ?? {}, true);
        if (typeof args.role?.permissionsBoundary === "string") {
            checkPolicyArn(problems, "role.permissionsBoundary", args.role.permissionsBoundary);
        }
        checkPermissionInputs(args, problems);
        (args.managedPolicyArns ?? []).forEach((arn, i) => {
            if (typeof arn === "string") {
                checkPolicyArn(problems, `managedPolicyArns[${i}]`, arn);
            }
        });
        checkAwsTags(problems, "tags", args.tags, "iam");
        checkMergedTags(problems, [{ path: "tags", tags: args.tags }, { path: "role.tags", tags: args.role?.tags }], "iam");
        checkBoolean(problems, "allowFullAccess", args.allowFullAccess);
        const partition = checkSamePartition(problems, givenArns(args));
        // Documents are rendered once, here: plain ones are checked before the component registers anything.
        const documents = preparePermissionDocuments(problems, component, args, {
            // Callers are Pod Identity sessions; ABAC on their transitive tags works as in the source account.
            sessionTagsDisabled: mode === "externalId",
            allowFullAccess: args.allowFullAccess,
            partition,
        });
        addMissing(problems);
        problems.throwIfAny(component);
        // Registered only once the inputs are valid: a rejected component leaves nothing half-registered.
        super(CROSSACCOUNTROLE_TYPE, name, {}, opts);

        // ARNs known only now are checked as they resolve, before the role (whose trust policy needs them) registers.
        const sourceRoleArns = pulumi.all(args.sourceRoleArns).apply((arns) => {
            const check = new Problems();
            arns.forEach((arn, i) => {
                if (typeof arn !== "string") {
                    check.add(`sourceRoleArns[${i}]`, `expected a string, got ${describe(arn)}`);
                } else {
                    checkRoleArn(check, `sourceRoleArns[${i}]`, arn);
                }
            });
            check.throwIfAny(component);
            return arns;
        });
        // Values that were Outputs skipped the shape check: their types, ARN shape and partition are checked as they resolve.
        const clusterArns = pulumi.all(args.clusterArns ?? []).apply((arns) => {
            const check = new Problems();
            arns.forEach((arn, i) => (typeof arn === "string" ? checkClusterArn(check, `clusterArns[${i}]`, arn) : check.add(`clusterArns[${i}]`, `expected a string, got ${describe(arn)}`)));
            checkSamePartition(check, [...givenArns(args), ...arns.map((arn, i) => ({ path: `clusterArns[${i}]`, arn })).filter((entry) => typeof entry.arn === "string")]);
            check.throwIfAny(component);
            return arns;
        });
        this.trustPolicy = pulumi
            .all([sourceRoleArns, clusterArns, args.externalId])
            .apply(([sources, clusterArns, externalId]) => {
                const late = new Problems();
                if (mode === "externalId" && !isPlain(args.externalId)) {
                    if (typeof externalId === "string") {
                        checkExternalId(late, "externalId", externalId);
                    } else {
                        late.add("externalId", `expected a string, got ${describe(externalId)}`);
                    }
                }
                late.throwIfAny(component);
                const document = buildCrossAccountTrustPolicy({
                    sourceRoleArns: sources,
                    mode,
                    clusterArns,
                    namespaces: args.namespaces,
                    serviceAccounts: args.serviceAccounts,
                    externalId,
                });
                return renderTrustPolicy(component, document);
            });
        const role = createRole(this, name, args.role, {
            trustPolicy: this.trustPolicy,
            defaultDescription: "Chained into from EKS Pod Identity roles of another account",
            tags: args.tags,
        });
        const permissions = createRolePermissions(this, name, component, role, {
            managedPolicyArns: (args.managedPolicyArns ?? []).map((arn, i) => (isPlain(arn) ? arn : checkedLater(component, `managedPolicyArns[${i}]`, arn, partition))),
            documents,
        });
        this.roleArn = role.arn;
        this.roleName = role.name;
        this.permissionsPolicy = permissions.permissionsPolicy;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, trustPolicy: this.trustPolicy, permissionsPolicy: this.permissionsPolicy });
    }
}

/** Every plain ARN the user gives: one role cannot span partitions (see `../iam/partition`). */
function givenArns(args: CrossAccountRoleArgs): { path: string; arn: unknown }[] {
    const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
    return [
        ...list(args.clusterArns).map((arn, i) => ({ path: `clusterArns[${i}]`, arn })),
        ...list(args.sourceRoleArns).map((arn, i) => ({ path: `sourceRoleArns[${i}]`, arn })),
        ...list(args.managedPolicyArns).map((arn, i) => ({ path: `managedPolicyArns[${i}]`, arn })),
        { path: "role.permissionsBoundary", arn: args.role?.permissionsBoundary },
    ].filter((entry) => typeof entry.arn === "string");
}

/** A policy ARN from another resource, checked (shape, partition) as it resolves, before its attachment registers. */
function checkedLater(component: string, path: string, arn: pulumi.Input<string>, partition: PartitionReference | undefined): pulumi.Output<string> {
    return pulumi.output(arn).apply((resolved) => {
        const check = new Problems();
        checkPolicyArn(check, path, resolved);
        checkPartition(check, path, resolved, partition);
        check.throwIfAny(component);
        return resolved;
    });
}
