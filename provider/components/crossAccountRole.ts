import * as pulumi from "@pulumi/pulumi";
import { checkClusterArn, checkPolicyArn, checkRoleArn } from "../iam/arn";
import { CrossAccountRoleArgs } from "./crossAccountRoleArgs";
import { buildCrossAccountTrustPolicy } from "../iam/crossAccountTrust";
import { renderTrustPolicy } from "../iam/trustPolicy";
import { checkedManagedPolicyArns, createRole, createRolePermissions } from "./role";
import { checkExternalId } from "../iam/sts";
import { checkDnsLabel, checkDnsSubdomain } from "../kubernetes/rules";
import { checkAwsTags, checkMergedTags } from "../validation/awsTags";
import { inPartition, partitionReference } from "../iam/partition";
import { preparePermissionDocuments } from "../iam/permissionDocuments";
import { Problems, checkBoolean, checkOneOf } from "../validation/problems";
import { InputRules } from "../validation/inputRules";
import { checkShapeFirst } from "../validation/shape";
import { checkPermissionInputs, checkRoleSettings } from "../validation/workload";

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
        // Types first: the rules below assume well-typed values (values known later are type-checked as they resolve).
        const shape = checkShapeFirst(component, CROSSACCOUNTROLE_TYPE, args);
        // From here on the args as the shape check hands them on: every Output wrapped in its type check.
        args = shape.args;
        const rules = new InputRules(component);
        const problems = rules.problems;
        const mode = args.trustMode ?? "sessionTags";
        checkOneOf(problems, "trustMode", args.trustMode, ["sessionTags", "externalId"]);
        // One role cannot span partitions (see `../iam/partition`): every ARN is held to the first plain one's.
        const partition = partitionReference(givenArns(args));
        if (!Array.isArray(args.sourceRoleArns) || args.sourceRoleArns.length === 0) {
            problems.add("sourceRoleArns", "required: the ARNs of the Pod Identity roles allowed to chain into this role (e.g. a PodIdentityWorkload's roleArn)");
        }
        // Every input that may come from another resource is checked through `rules`: now when plain, else as it
        // resolves; only what they return is used below, so the role's trust and attachments never see a refused value.
        const sourceRoleArns = rules.checkEach("sourceRoleArns", args.sourceRoleArns, inPartition(partition, checkRoleArn)) ?? [];
        let clusterArns: pulumi.Input<string>[] | undefined;
        let externalId: pulumi.Input<string> | undefined;
        if (mode === "sessionTags") {
            for (const key of ["clusterArns", "namespaces", "serviceAccounts"] as const) {
                if (!Array.isArray(args[key]) || args[key]!.length === 0) {
                    problems.add(key, `required with trustMode "sessionTags": without it any ${key === "clusterArns" ? "cluster" : key === "namespaces" ? "namespace" : "service account"} behind the source roles could chain in`);
                }
            }
            clusterArns = rules.checkEach("clusterArns", args.clusterArns, inPartition(partition, checkClusterArn));
            (args.namespaces ?? []).forEach((ns, i) => checkDnsLabel(problems, `namespaces[${i}]`, ns));
            (args.serviceAccounts ?? []).forEach((sa, i) => checkDnsSubdomain(problems, `serviceAccounts[${i}]`, sa));
            if (args.externalId !== undefined) {
                problems.add("externalId", `applies to trustMode "externalId" only: drop it, or switch trustMode`);
            }
        } else {
            if (args.externalId === undefined) {
                problems.add("externalId", EXTERNAL_ID_REQUIRED);
            }
            externalId = rules.check("externalId", args.externalId, checkRequiredExternalId);
            for (const key of ["clusterArns", "namespaces", "serviceAccounts"] as const) {
                if (args[key] !== undefined) {
                    problems.add(key, `applies to trustMode "sessionTags" only: with session tags disabled no such tags reach this role`);
                }
            }
        }
        checkRoleSettings(problems, name, args.role ?? {}, true);
        const permissionsBoundary = rules.check("role.permissionsBoundary", args.role?.permissionsBoundary, inPartition(partition, checkPolicyArn));
        checkPermissionInputs(args, problems);
        const managedPolicyArns = checkedManagedPolicyArns(rules, args.managedPolicyArns, inPartition(partition, checkPolicyArn));
        checkAwsTags(problems, "tags", args.tags, "iam");
        checkMergedTags(problems, [{ path: "tags", tags: args.tags }, { path: "role.tags", tags: args.role?.tags }], "iam");
        checkBoolean(problems, "allowFullAccess", args.allowFullAccess);
        // Documents are rendered once, here: plain ones are checked before the component registers anything.
        const documents = preparePermissionDocuments(rules, args, {
            // Callers are Pod Identity sessions; ABAC on their transitive tags works as in the source account.
            sessionTagsDisabled: mode === "externalId",
            allowFullAccess: args.allowFullAccess,
            partition,
        });
        shape.addMissing(problems);
        rules.throwIfAny();
        // Registered only once the inputs are valid: a rejected component leaves nothing half-registered.
        super(CROSSACCOUNTROLE_TYPE, name, {}, opts);

        this.trustPolicy = pulumi.output(
            rules.whenKnown({ sourceRoleArns, clusterArns: clusterArns ?? [], externalId }, (_check, resolved) =>
                renderTrustPolicy(
                    component,
                    buildCrossAccountTrustPolicy({
                        sourceRoleArns: resolved.sourceRoleArns,
                        mode,
                        clusterArns: resolved.clusterArns,
                        namespaces: args.namespaces,
                        serviceAccounts: args.serviceAccounts,
                        externalId: resolved.externalId,
                    }),
                ),
            ),
        );
        const role = createRole(this, name, args.role, {
            trustPolicy: this.trustPolicy,
            defaultDescription: "Chained into from EKS Pod Identity roles of another account",
            permissionsBoundary,
            tags: args.tags,
        });
        const permissions = createRolePermissions(this, name, rules, role, { managedPolicyArns, documents });
        this.roleArn = role.arn;
        this.roleName = role.name;
        this.permissionsPolicy = permissions.permissionsPolicy;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName, trustPolicy: this.trustPolicy, permissionsPolicy: this.permissionsPolicy });
    }
}

const EXTERNAL_ID_REQUIRED = `required with trustMode "externalId": e.g. the workload's externalId output (native mode)`;

/** `externalId`'s rule in externalId mode: given (not empty), and one STS accepts. */
function checkRequiredExternalId(problems: Problems, path: string, value: string): void {
    if (value === "") {
        problems.add(path, EXTERNAL_ID_REQUIRED);
    } else {
        checkExternalId(problems, path, value);
    }
}

/** Every plain ARN the user gives, for the partition they must share (see `../iam/partition`). */
function givenArns(args: CrossAccountRoleArgs): { path: string; arn: unknown }[] {
    const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
    return [
        ...list(args.clusterArns).map((arn, i) => ({ path: `clusterArns[${i}]`, arn })),
        ...list(args.sourceRoleArns).map((arn, i) => ({ path: `sourceRoleArns[${i}]`, arn })),
        ...list(args.managedPolicyArns).map((arn, i) => ({ path: `managedPolicyArns[${i}]`, arn })),
        { path: "role.permissionsBoundary", arn: args.role?.permissionsBoundary },
    ].filter((entry) => typeof entry.arn === "string");
}
