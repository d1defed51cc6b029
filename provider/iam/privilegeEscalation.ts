/**
 * Which IAM actions let a principal extend its own access, or amount to administrator access by their effect rather
 * than by their name: refusing `iam:*`, `*` and `AdministratorAccess` is not enough when `kms:PutKeyPolicy`,
 * `eks:AssociateAccessPolicy` or `iam:PassRole` with `lambda:CreateFunction` reach the same. Pure code: no resources.
 *
 * The list follows public catalogues of escalation paths:
 * - Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation" (policy versions, PassRole with
 *   compute, access keys, login profiles, inline and attached policies, trust policy updates);
 * - Bishop Fox, "IAM Vulnerable" (its exploitable paths by category: IAM self-modification, PassRole to a service,
 *   updating existing compute, resource-policy takeover);
 * - Datadog, "pathfinding.cloud" (a catalogue of IAM privilege-escalation paths, one page per path);
 * - AWS IAM User Guide, "Grant a user permissions to pass a role to an AWS service", and the Amazon EKS User Guide,
 *   "Grant IAM users access to Kubernetes with EKS access entries" (access entries and access policies).
 *
 * Actions are matched with IAM's own rules (case-insensitive, `*` and `?` wildcards, `"*"` for every action) by
 * expanding each `Action` entry against the offline action catalog (`./actions`), so `iam:Put*`, `lambda:*` and `*`
 * all hit. Conditions are not evaluated: a condition may narrow a statement, but whether it does is for a reviewer.
 */
import { CatalogAction, expandAction } from "./actions";

/** Why an action counts as escalation or admin-equivalent. */
export type EscalationReason =
    | "iamModification"
    | "passRoleToCompute"
    | "roleAssumption"
    | "codeExecution"
    | "clusterAdmin"
    | "resourcePolicyTakeover"
    | "accountControl";

/** Each reason in words, for warnings and refusals. */
export const ESCALATION_REASONS: Readonly<Record<EscalationReason, string>> = {
    iamModification: "changes IAM policies, trust, credentials or boundaries, so the holder can grant itself any permission",
    passRoleToCompute: "passes a role to compute (or launches compute that takes one), so the holder runs code with that role's permissions",
    roleAssumption: "assumes any role whose trust admits the account, taking on its permissions",
    codeExecution: "runs code on other principals' compute (instances, functions, containers), with their credentials",
    clusterAdmin: "changes who administers the EKS cluster or which role its pods receive",
    resourcePolicyTakeover: "rewrites a key, bucket or other resource policy, so it can grant access to anyone, itself included",
    accountControl: "changes the organization, the account or its identity store",
};

/** The actions of each reason, in the catalog's spelling (every one is checked against the catalog by the tests). */
export const ESCALATION_ACTIONS: Readonly<Record<EscalationReason, readonly string[]>> = {
    iamModification: [
        "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
        "iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:AddUserToGroup",
        "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:UpdateAssumeRolePolicy",
        "iam:CreateRole", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
        "iam:CreateServiceSpecificCredential", "iam:ResetServiceSpecificCredential", "iam:UploadSSHPublicKey",
        "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
        "iam:CreateOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:CreateSAMLProvider", "iam:UpdateSAMLProvider",
    ],
    passRoleToCompute: [
        "iam:PassRole",
        "lambda:CreateFunction", "lambda:CreateEventSourceMapping",
        "ec2:RunInstances", "ec2:RequestSpotInstances", "ec2:AssociateIamInstanceProfile", "ec2:ReplaceIamInstanceProfileAssociation",
        "ec2:CreateLaunchTemplateVersion", "ec2:ModifyInstanceAttribute",
        "autoscaling:CreateAutoScalingGroup", "autoscaling:CreateLaunchConfiguration", "autoscaling:UpdateAutoScalingGroup",
        "ecs:RunTask", "ecs:StartTask", "ecs:RegisterTaskDefinition", "ecs:CreateService", "ecs:UpdateService",
        "batch:SubmitJob", "batch:RegisterJobDefinition",
        "glue:CreateDevEndpoint", "glue:UpdateDevEndpoint", "glue:CreateJob", "glue:UpdateJob", "glue:CreateSession",
        "cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet",
        "cloudformation:CreateStackSet", "cloudformation:UpdateStackSet", "cloudformation:CreateStackInstances",
        "codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:StartBuild", "codebuild:StartBuildBatch",
        "sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreatePresignedNotebookInstanceUrl",
        "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition",
        "states:CreateStateMachine", "states:UpdateStateMachine",
        "apprunner:CreateService", "apprunner:UpdateService",
        "eks:CreateCluster", "eks:CreateNodegroup",
    ],
    roleAssumption: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"],
    codeExecution: [
        "ssm:SendCommand", "ssm:StartSession", "ssm:StartAutomationExecution", "ssm:CreateAssociation", "ssm:UpdateAssociation",
        "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
        "ec2-instance-connect:SendSSHPublicKey", "ec2-instance-connect:SendSerialConsoleSSHPublicKey",
        "ecs:ExecuteCommand",
    ],
    clusterAdmin: [
        "eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:AssociateAccessPolicy", "eks:UpdateClusterConfig",
        "eks:CreatePodIdentityAssociation", "eks:UpdatePodIdentityAssociation", "eks:AssociateIdentityProviderConfig",
    ],
    resourcePolicyTakeover: [
        "kms:PutKeyPolicy", "kms:CreateGrant",
        "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutObjectAcl", "s3:PutBucketPublicAccessBlock", "s3:PutAccountPublicAccessBlock",
        "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
        "lambda:AddPermission", "lambda:AddLayerVersionPermission",
        "sqs:AddPermission", "sns:AddPermission", "sns:SetTopicAttributes", "ecr:SetRepositoryPolicy",
        "logs:PutResourcePolicy", "events:PutPermission", "dynamodb:PutResourcePolicy", "backup:PutBackupVaultAccessPolicy",
    ],
    // Every non-read action of these services (see ACCOUNT_CONTROL_SERVICES); none listed by name.
    accountControl: [],
};

/**
 * Services every Write, Permissions management or Tagging action of which is account control: the organization
 * (policies, accounts, delegated administrators), the account's settings, and IAM Identity Center's users and
 * permission sets.
 */
export const ACCOUNT_CONTROL_SERVICES: readonly string[] = ["organizations", "account", "sso", "sso-directory", "identitystore"];

/** Reasons that hold only when the statement reaches every resource of the kind (`sts:AssumeRole` on one role is normal). */
const ONLY_ON_EVERY_RESOURCE: readonly EscalationReason[] = ["roleAssumption"];

let index: Map<string, EscalationReason[]> | undefined;

/** The reasons of one catalog action (lower-cased `service:action`), if it is in the model. */
function reasonsOf(action: CatalogAction): EscalationReason[] {
    if (index === undefined) {
        index = new Map();
        for (const [reason, actions] of Object.entries(ESCALATION_ACTIONS) as [EscalationReason, readonly string[]][]) {
            for (const name of actions) {
                const key = name.toLowerCase();
                index.set(key, [...(index.get(key) ?? []), reason]);
            }
        }
    }
    const listed = index.get(action.action.toLowerCase()) ?? [];
    const service = action.action.slice(0, action.action.indexOf(":"));
    const control = ACCOUNT_CONTROL_SERVICES.includes(service) && isWriteLevel(action);
    return control ? [...listed, "accountControl"] : listed;
}

/** Write, Permissions management and Tagging: the levels that change something (tags drive attribute-based access). */
export function isWriteLevel(action: CatalogAction): boolean {
    return action.accessLevel !== "Read" && action.accessLevel !== "List";
}

/**
 * Whether a `Resource` entry reaches every resource of its kind in the account or beyond: `*`, a wildcard account,
 * or a resource part that is nothing but wildcards after its type (`role/*`, `table/*`, `secret:*`, S3's `*`).
 */
export function coversEveryResource(resource: unknown): boolean {
    if (typeof resource !== "string") {
        return false;
    }
    if (/^[*?]+$/.test(resource)) {
        return true;
    }
    const parts = resource.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return false;
    }
    const account = parts[4];
    const rest = parts.slice(5).join(":");
    if (/[*?]/.test(account) || /^[*?/]+$/.test(rest)) {
        return true;
    }
    // `<type>/<wildcards>` or `<type>:<wildcards>`; S3 has no type (`bucket/key`), so `orders/*` is one bucket's keys.
    return parts[2] !== "s3" && /^[A-Za-z0-9-]+[/:][*?/]+$/.test(rest);
}

/** The fields of a statement the model reads, typed (`actions`) or as policy JSON (`Action`), not yet checked. */
export interface StatementView {
    effect?: unknown;
    actions?: unknown;
    notActions?: unknown;
    resources?: unknown;
    notResources?: unknown;
}

/** One `Action` entry (or a whole `NotAction` list) that allows escalation. */
export interface EscalationFinding {
    /** Index of the statement in the list given. */
    statement: number;
    /** The field within the statement: `actions[1]`, or `notActions` for an Allow that lists what it does not allow. */
    field: string;
    /** The entry as given (`iam:Put*`), or the NotAction list joined. */
    pattern: string;
    /** The model's actions it covers, in the catalog's spelling. */
    actions: string[];
    reasons: EscalationReason[];
}

export interface EscalationOptions {
    /** Model actions to leave out (an operator's explicit opt-in), exact names, case-insensitive. */
    allowedActions?: readonly string[];
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * The escalation an identity policy's statements allow: per `Allow` statement, each `actions` entry covering model
 * actions, and a `notActions` list that leaves any model action allowed. `Deny` statements allow nothing. Entries
 * that are not strings, or name no catalog action, are left to the validation that reports them.
 */
export function escalationFindings(statements: readonly StatementView[], options: EscalationOptions = {}): EscalationFinding[] {
    const allowed = new Set((options.allowedActions ?? []).map((a) => a.toLowerCase()));
    const findings: EscalationFinding[] = [];
    statements.forEach((statement, i) => {
        if (typeof statement !== "object" || statement === null || (statement.effect ?? "Allow") !== "Allow") {
            return;
        }
        const everyResource = statement.notResources !== undefined || list(statement.resources).some(coversEveryResource);
        const covered = (actions: CatalogAction[]) => {
            const hits = new Map<string, EscalationReason[]>();
            for (const action of actions) {
                if (allowed.has(action.action.toLowerCase())) continue;
                const reasons = reasonsOf(action).filter((r) => everyResource || !ONLY_ON_EVERY_RESOURCE.includes(r));
                if (reasons.length > 0) hits.set(action.action, reasons);
            }
            return hits;
        };
        const record = (field: string, pattern: string, hits: Map<string, EscalationReason[]>) => {
            if (hits.size === 0) return;
            const reasons = [...new Set([...hits.values()].flat())];
            findings.push({ statement: i, field, pattern, actions: [...hits.keys()], reasons });
        };
        list(statement.actions).forEach((pattern, j) => {
            if (typeof pattern === "string") record(Array.isArray(statement.actions) ? `actions[${j}]` : "actions", pattern, covered(expandAction(pattern)));
        });
        if (statement.notActions !== undefined) {
            const excluded = new Set(list(statement.notActions).flatMap((p) => (typeof p === "string" ? expandAction(p) : [])).map((a) => a.action));
            const rest = expandAction("*").filter((a) => !excluded.has(a.action));
            record("notActions", list(statement.notActions).join(", "), covered(rest));
        }
    });
    return findings;
}

/** One finding in words: what the entry covers and why that is escalation. */
export function describeEscalation(finding: EscalationFinding): string {
    const shown = finding.actions.slice(0, 3).join(", ");
    const more = finding.actions.length > 3 ? ` and ${finding.actions.length - 3} more` : "";
    const why = finding.reasons.map((r) => ESCALATION_REASONS[r]).join("; ");
    return `"${finding.pattern}" allows ${shown}${more}, which ${why}`;
}

/** Whether `action` is one the model knows by name (for checking an operator's opt-in list). */
export function isModelAction(action: string): boolean {
    return Object.values(ESCALATION_ACTIONS).some((actions) => actions.some((a) => a.toLowerCase() === action.toLowerCase()));
}

/**
 * The warnings for one rendered identity policy of a role: one per statement that allows escalation, naming each
 * entry by its input path. `input` is where the document came from: `policyStatements` (typed statements, rendered
 * one for one, so their paths use the typed field names) or `inlinePolicies[i]` (a raw document).
 */
export function escalationWarnings(input: string, documentText: string): string[] {
    let document: unknown;
    try {
        document = JSON.parse(documentText);
    } catch {
        return [];
    }
    const raw = (document as { Statement?: unknown } | null)?.Statement;
    if (raw === undefined) {
        return [];
    }
    const typed = input === "policyStatements";
    const statements = list(raw).map((s) => {
        const j = (typeof s === "object" && s !== null ? s : {}) as Record<string, unknown>;
        return { effect: j.Effect, actions: j.Action, notActions: j.NotAction, resources: j.Resource, notResources: j.NotResource };
    });
    const base = (i: number) => (typed ? `policyStatements[${i}]` : `${input}.policy.Statement${Array.isArray(raw) ? `[${i}]` : ""}`);
    const field = (name: string) => (typed ? name : name.replace(/^actions/, "Action").replace(/^notActions/, "NotAction"));
    const byStatement = new Map<number, EscalationFinding[]>();
    for (const finding of escalationFindings(statements)) {
        byStatement.set(finding.statement, [...(byStatement.get(finding.statement) ?? []), finding]);
    }
    return [...byStatement.entries()].map(
        ([i, found]) =>
            `${base(i)} allows privilege escalation or administrator-equivalent access: ${found.map((f) => `${base(i)}.${field(f.field)} ${describeEscalation(f)}`).join("; ")}. ` +
            "Narrow it to the actions and resources the workload needs, unless this role is meant to administer.",
    );
}
