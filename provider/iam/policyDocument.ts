import * as pulumi from "@pulumi/pulumi";

/**
 * Typed IAM policy statements and their rendering to policy JSON. Pure functions: no resources here.
 */

/** The session tags EKS Pod Identity attaches to every role session unless `disableSessionTags` is set. */
export const POD_IDENTITY_SESSION_TAGS = [
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
] as const;

/** A session tag EKS Pod Identity attaches to the role session. */
export type SessionTagName = (typeof POD_IDENTITY_SESSION_TAGS)[number];

/** One condition of an IAM policy statement: an operator, a key and the values it is compared with. */
export interface PolicyCondition {
    /** Condition operator, e.g. `StringEquals`, `ArnLike`, `ForAnyValue:StringLike`, `Null`, `Bool`. */
    test: string;
    /** Condition key, e.g. `aws:ResourceTag/team` or `s3:prefix`. */
    variable: string;
    /** One or more values; several values are OR-ed by IAM. */
    values: pulumi.Input<string>[];
}

/**
 * Scopes a statement to the calling pod through its session tags (attribute-based access control): every tag
 * listed must equal the same tag on the resource, so one role can serve many namespaces or clusters without
 * one reaching the other's resources. Requires session tags (the association's `disableSessionTags` must be false).
 */
export interface SessionTagScope {
    /**
     * Session tags to match. Default: `["kubernetes-namespace", "eks-cluster-name"]`. An empty list is refused: it would
     * scope nothing.
     */
    tags?: SessionTagName[];
    /**
     * Prefix of the resource-tag condition key. Default `aws:ResourceTag`; some services document their own,
     * e.g. `secretsmanager:ResourceTag`.
     */
    resourceTagKeyPrefix?: string;
}

/** A typed IAM policy statement, rendered to policy JSON and checked (actions, ARNs, conditions) before it is applied. */
export interface PolicyStatement {
    /** Statement id: letters and digits only. Optional. */
    sid?: string;
    /** `Allow` or `Deny`. Default `Allow`. */
    effect?: "Allow" | "Deny";
    /** IAM actions (`service:Action`, wildcards allowed); each must exist. Give `actions` or `notActions`. */
    actions?: string[];
    /** Actions excluded from the statement; give `actions` or `notActions`, not both. */
    notActions?: string[];
    /** Resource ARNs, or `*` where the action supports no resource-level scoping. Give `resources` or `notResources`. */
    resources?: pulumi.Input<string>[];
    /** Resources excluded from the statement; give `resources` or `notResources`, not both. */
    notResources?: pulumi.Input<string>[];
    /** Conditions; operator and key pairs must be unique within a statement. */
    conditions?: PolicyCondition[];
    /** Attribute-based scoping to the pod's session tags. Off unless set. */
    sessionTagScope?: SessionTagScope;
}

export type ResolvedCondition = pulumi.Unwrap<PolicyCondition>;
export type ResolvedStatement = pulumi.Unwrap<PolicyStatement>;

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface StatementJson {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]>;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: ConditionBlock;
}

export interface PolicyDocumentJson {
    Version: "2012-10-17";
    Statement: StatementJson[];
}

export const DEFAULT_ABAC_TAGS: SessionTagName[] = ["kubernetes-namespace", "eks-cluster-name"];

/** The conditions a session-tag scope stands for. */
export function sessionTagConditions(scope: SessionTagScope): ResolvedCondition[] {
    const prefix = scope.resourceTagKeyPrefix ?? "aws:ResourceTag";
    return (scope.tags ?? DEFAULT_ABAC_TAGS).map((tag) => ({
        test: "StringEquals",
        variable: `${prefix}/${tag}`,
        values: [`\${aws:PrincipalTag/${tag}}`],
    }));
}

export function renderConditions(conditions: ResolvedCondition[]): ConditionBlock | undefined {
    if (conditions.length === 0) {
        return undefined;
    }
    const block: ConditionBlock = {};
    for (const condition of conditions) {
        const operator = (block[condition.test] ??= {});
        operator[condition.variable] = condition.values.length === 1 ? condition.values[0] : [...condition.values];
    }
    return block;
}

export function renderStatement(statement: ResolvedStatement): StatementJson {
    const conditions = [...(statement.conditions ?? []), ...(statement.sessionTagScope ? sessionTagConditions(statement.sessionTagScope) : [])];
    const json: StatementJson = { Effect: statement.effect ?? "Allow" };
    if (statement.sid !== undefined) {
        json.Sid = statement.sid;
    }
    if (statement.actions !== undefined) {
        json.Action = [...statement.actions];
    }
    if (statement.notActions !== undefined) {
        json.NotAction = [...statement.notActions];
    }
    if (statement.resources !== undefined) {
        json.Resource = [...statement.resources];
    }
    if (statement.notResources !== undefined) {
        json.NotResource = [...statement.notResources];
    }
    const block = renderConditions(conditions);
    if (block) {
        json.Condition = block;
    }
    return json;
}

export function renderPolicyDocument(statements: ResolvedStatement[]): PolicyDocumentJson {
    return { Version: "2012-10-17", Statement: statements.map(renderStatement) };
}

/** True when the statement relies on session tags, explicitly or through `${aws:PrincipalTag/...}` variables. */
export function usesSessionTags(statement: ResolvedStatement): boolean {
    if (statement.sessionTagScope) {
        return true;
    }
    const text = JSON.stringify([statement.resources, statement.notResources, statement.conditions]);
    return POD_IDENTITY_SESSION_TAGS.some((tag) => text.includes(`aws:PrincipalTag/${tag}`));
}
