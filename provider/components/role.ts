import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IAM_LIMITS, checkPolicyDocument, checkTypedStatement, policySize } from "../iam/validation";
import { InlinePolicy, RoleSettings } from "./roleArgs";
import { PolicyDocumentJson, PolicyStatement } from "../iam/policyDocument";
import { Problems } from "../validation/problems";

/** The IAM role `<name>-role` from the user's role settings, shared by the components that create roles. */
export function createRole(
    parent: pulumi.Resource,
    name: string,
    settings: RoleSettings | undefined,
    inputs: { trustPolicy: pulumi.Input<string>; defaultDescription: pulumi.Input<string>; permissionsBoundary?: pulumi.Input<string>; tags?: Record<string, string> },
): aws.iam.Role {
    return new aws.iam.Role(
        `${name}-role`,
        {
            name: settings?.name,
            namePrefix: settings?.namePrefix,
            path: settings?.path,
            description: settings?.description ?? inputs.defaultDescription,
            permissionsBoundary: inputs.permissionsBoundary ?? settings?.permissionsBoundary,
            maxSessionDuration: settings?.maxSessionDuration,
            assumeRolePolicy: inputs.trustPolicy,
            tags: { ...inputs.tags, ...settings?.tags },
        },
        { parent },
    );
}

/**
 * A role's permissions: managed policy attachments and inline policies, shared by the components that create roles.
 * Documents are checked when rendered, before any IAM resource carrying them is registered.
 */
export interface RolePermissionsInputs {
    /** Managed policy ARNs, already shape-checked by the caller. */
    managedPolicyArns: pulumi.Input<string>[];
    policyStatements?: PolicyStatement[];
    inlinePolicies?: InlinePolicy[];
    /** Inline policies the component derives itself (e.g. permission to chain into other accounts' roles). */
    derivedPolicies?: { name: string; document: pulumi.Output<string> }[];
    sessionTagsDisabled: boolean;
    /** Accept statements allowing every action on every resource. */
    allowFullAccess?: boolean;
}

export interface RolePermissions {
    /** Every attachment and inline policy, for `dependsOn`. */
    resources: pulumi.Resource[];
    /** The inline policy rendered from `policyStatements`, or undefined without statements. */
    permissionsPolicy: pulumi.Output<string | undefined>;
}

export function createRolePermissions(
    parent: pulumi.Resource,
    name: string,
    component: string,
    role: aws.iam.Role,
    inputs: RolePermissionsInputs,
): RolePermissions {
    const resources: pulumi.Resource[] = [];
    inputs.managedPolicyArns.forEach((policyArn, i) => {
        const suffix = typeof policyArn === "string" ? policyArn.split("/").pop()! : String(i);
        resources.push(new aws.iam.RolePolicyAttachment(`${name}-managed-${suffix}`, { role: role.name, policyArn }, { parent }));
    });

    const documents: { name: string; text: pulumi.Output<string> }[] = [];
    let permissionsPolicy: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (inputs.policyStatements && inputs.policyStatements.length > 0) {
        const rendered = pulumi.output(inputs.policyStatements).apply((statements) => {
            const check = new Problems();
            const document: PolicyDocumentJson = {
                Version: "2012-10-17",
                Statement: statements.map((s, i) => checkTypedStatement(check, `policyStatements[${i}]`, s, { sessionTagsDisabled: inputs.sessionTagsDisabled, allowFullAccess: inputs.allowFullAccess })),
            };
            check.throwIfAny(component);
            return JSON.stringify(document, null, 2);
        });
        permissionsPolicy = rendered;
        documents.push({ name: "permissions", text: rendered });
    }
    (inputs.inlinePolicies ?? []).forEach((inline, i) => {
        const text = pulumi.output(inline.policy).apply((policy) => {
            const check = new Problems();
            const parsed = checkPolicyDocument(check, `inlinePolicies[${i}].policy`, policy, { kind: "identity", allowFullAccess: inputs.allowFullAccess });
            check.throwIfAny(component);
            return JSON.stringify(parsed);
        });
        documents.push({ name: inline.name, text });
    });
    documents.push(...(inputs.derivedPolicies ?? []).map((d) => ({ name: d.name, text: d.document })));

    // IAM limits the role's inline policies together, so the sum is checked before any of them is created.
    const withinRoleLimit = pulumi.all(documents.map((d) => d.text)).apply((texts) => {
        const total = texts.reduce((sum, text) => sum + policySize(text), 0);
        if (total > IAM_LIMITS.inlinePoliciesPerRole) {
            const check = new Problems();
            check.add("policyStatements", `the role's inline policies add up to ${total} characters; IAM allows ${IAM_LIMITS.inlinePoliciesPerRole}: move statements into a managed policy (managedPolicyArns)`);
            check.throwIfAny(component);
        }
        return texts;
    });
    documents.forEach((document, i) => {
        resources.push(
            new aws.iam.RolePolicy(`${name}-${document.name}`, { role: role.id, name: document.name, policy: withinRoleLimit.apply((texts) => texts[i]) }, { parent }),
        );
    });
    return { resources, permissionsPolicy };
}
