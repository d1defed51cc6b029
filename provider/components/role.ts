import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PreparedDocument, checkInlineBudget } from "../iam/permissionDocuments";
import { RoleSettings } from "./roleArgs";
import { InputRules, Rule } from "../validation/inputRules";
import { isPlain } from "../validation/problems";
import { checkListedOnce } from "../validation/workload";
import { managedAttachmentSuffixes } from "./childNames";
import { escalationWarnings } from "../iam/privilegeEscalation";
import { warnAll } from "../agent/preflight";

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
 * `managedPolicyArns` as the role's attachments take them: each ARN checked by `rule` now or as it resolves, and none
 * listed twice. A plain list was checked for that with the other inputs (checkPermissionInputs); with ARNs known later
 * the list is checked again once all are known, and those ARNs are taken from that check (the plain ones stay as
 * given, so their attachments keep their names).
 */
export function checkedManagedPolicyArns(rules: InputRules, arns: pulumi.Input<string>[] | undefined, rule: Rule<string>): pulumi.Input<string>[] {
    const checked = rules.checkEach("managedPolicyArns", arns, rule) ?? [];
    if (checked.every((arn) => isPlain(arn))) {
        return checked;
    }
    const whole = pulumi.output(
        rules.whenKnown(checked, (problems, resolved) => {
            checkListedOnce(problems, "managedPolicyArns", resolved);
            return resolved;
        }),
    );
    return checked.map((arn, i) => (isPlain(arn) ? arn : whole.apply((list) => list[i])));
}

/**
 * A role's permissions: managed policy attachments and inline policies, shared by the components that create roles.
 * The user's documents arrive rendered and checked (see `preparePermissionDocuments`, run in the validate step).
 */
export interface RolePermissionsInputs {
    /** Managed policy ARNs, already shape-checked by the caller. */
    managedPolicyArns: pulumi.Input<string>[];
    /** The user's inline documents, prepared in the validate step. */
    documents: PreparedDocument[];
    /** Inline policies the component derives itself (e.g. permission to chain into other accounts' roles). */
    derivedPolicies?: { name: string; input: string; document: pulumi.Output<string> }[];
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
    rules: InputRules,
    role: aws.iam.Role,
    inputs: RolePermissionsInputs,
): RolePermissions {
    const resources: pulumi.Resource[] = [];
    const suffixes = managedAttachmentSuffixes(inputs.managedPolicyArns);
    inputs.managedPolicyArns.forEach((policyArn, i) => {
        resources.push(new aws.iam.RolePolicyAttachment(`${name}-managed-${suffixes[i]}`, { role: role.name, policyArn }, { parent }));
    });

    const documents = [
        ...inputs.documents.map((d) => ({ name: d.name, input: d.input, text: pulumi.output(d.text) })),
        ...(inputs.derivedPolicies ?? []).map((d) => ({ name: d.name, input: d.input, text: d.document })),
    ];
    // Escalation is not an input error (a platform role may need it), but it should never pass unnoticed.
    inputs.documents.forEach((d) => pulumi.output(d.text).apply((text) => warnAll(parent, escalationWarnings(d.input, text))));
    const statements = inputs.documents.find((d) => d.input === "policyStatements");
    const permissionsPolicy: pulumi.Output<string | undefined> = statements ? pulumi.output(statements.text) : pulumi.output(undefined);

    // IAM limits the role's inline policies together; with every part known the sum is checked before any is created.
    const withinRoleLimit = pulumi.output(
        rules.whenKnown(
            documents.map((d) => d.text),
            (check, texts) => {
                checkInlineBudget(check, texts.map((text, i) => ({ input: documents[i].input, text })));
                return texts;
            },
        ),
    );
    documents.forEach((document, i) => {
        resources.push(
            new aws.iam.RolePolicy(`${name}-${document.name}`, { role: role.id, name: document.name, policy: withinRoleLimit.apply((texts) => texts[i]) }, { parent }),
        );
    });
    return { resources, permissionsPolicy };
}
