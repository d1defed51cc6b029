import { Problems, describe } from "../validation/problems";
import { ACCOUNT, PARTITION } from "./arn";
import { PartitionReference, checkPartition } from "./partition";
import { ResolvedCondition, StatementJson, renderConditions } from "./policyDocument";
import { checkStatementJson, checkTypedConditions, typedConditionPath, typedPath } from "./validation";

/**
 * A user's extra trust statement (`trust.additionalStatements[i]`): rendered to JSON once, and checked with every
 * problem reported at the typed path the user wrote, `…principals[0].identifiers[1]` rather than the JSON's
 * `Principal.AWS[1]`.
 */

/** A user's extra trust statement with its inputs resolved (the `TrustStatement` arg). */
export interface ResolvedTrustStatement {
    sid?: string;
    effect?: "Allow" | "Deny";
    principals: { type: string; identifiers: string[] }[];
    actions?: string[];
    notActions?: string[];
    conditions?: ResolvedCondition[];
}

export const PRINCIPAL_TYPES = ["Service", "AWS", "Federated"] as const;

/*
 * Principal forms, from the IAM User Guide, "AWS JSON policy elements: Principal": an AWS principal is `*`, an account
 * id, or an IAM/STS ARN of an account (root, role, user, assumed-role session); a service principal is the service's
 * DNS name (`….amazonaws.com`, `….amazonaws.com.cn` in China); a federated principal is a SAML or OIDC provider ARN or
 * a web identity provider's name (`cognito-identity.amazonaws.com`, `accounts.google.com`, `graph.facebook.com`,
 * `www.amazon.com`).
 */
const awsPrincipal = new RegExp(`^(\\*|${ACCOUNT}|arn:(${PARTITION}):(iam|sts)::(${ACCOUNT}):.+)$`);
const servicePrincipal = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;
const federatedPrincipal = new RegExp(`^(arn:(${PARTITION}):iam::${ACCOUNT}:(saml-provider|oidc-provider)/.+|[a-z0-9-]+(\\.[a-z0-9-]+)+)$`);

const principalForms: Record<string, { pattern: RegExp; example: string }> = {
    AWS: { pattern: awsPrincipal, example: `"*", a 12-digit account id, or an ARN such as arn:aws:iam::<account>:role/<name>` },
    Service: { pattern: servicePrincipal, example: `a service principal such as "ec2.amazonaws.com"` },
    Federated: { pattern: federatedPrincipal, example: `an identity provider ARN (arn:aws:iam::<account>:oidc-provider/…) or name such as "cognito-identity.amazonaws.com"` },
};

function checkPrincipals(problems: Problems, path: string, statement: ResolvedTrustStatement, partition?: PartitionReference): void {
    if (!Array.isArray(statement.principals) || statement.principals.length === 0) {
        problems.add(`${path}.principals`, "required: name who may assume the role through this statement");
        return;
    }
    const types = new Set<string>();
    statement.principals.forEach((principal, j) => {
        const at = `${path}.principals[${j}]`;
        if (!(PRINCIPAL_TYPES as readonly string[]).includes(principal.type)) {
            problems.add(`${at}.type`, `${describe(principal.type)} is not allowed: use one of ${PRINCIPAL_TYPES.map((t) => JSON.stringify(t)).join(", ")}`);
        } else if (types.has(principal.type)) {
            // Rendered as one JSON key, the second list would replace the first.
            problems.add(`${at}.type`, `"${principal.type}" is given twice: merge the identifiers into one principal`);
        }
        types.add(principal.type);
        if (!Array.isArray(principal.identifiers) || principal.identifiers.length === 0) {
            problems.add(`${at}.identifiers`, "required: give at least one identifier");
            return;
        }
        const form = principalForms[principal.type];
        principal.identifiers.forEach((identifier, k) => {
            if (form && (typeof identifier !== "string" || !form.pattern.test(identifier))) {
                problems.add(`${at}.identifiers[${k}]`, `${describe(identifier)} is not a ${principal.type} principal: use ${form.example}`);
            } else {
                checkPartition(problems, `${at}.identifiers[${k}]`, identifier, partition);
            }
        });
    });
}

/** The statement's JSON form. */
export function renderTrustStatement(statement: ResolvedTrustStatement): StatementJson {
    return {
        ...(statement.sid !== undefined ? { Sid: statement.sid } : {}),
        Effect: statement.effect ?? "Allow",
        Principal: Object.fromEntries((statement.principals ?? []).map((p) => [p.type, p.identifiers])),
        ...(statement.actions ? { Action: statement.actions } : {}),
        ...(statement.notActions ? { NotAction: statement.notActions } : {}),
        ...(statement.conditions ? { Condition: renderConditions(statement.conditions) } : {}),
    };
}

/** Checks one extra trust statement at the user's path and returns its JSON form. */
export function checkTrustStatement(problems: Problems, path: string, statement: ResolvedTrustStatement, partition?: PartitionReference): StatementJson {
    if (typeof statement !== "object" || statement === null || Array.isArray(statement)) {
        problems.add(path, `a statement must be an object, got ${describe(statement)}`);
        return { Effect: "Allow" };
    }
    checkPrincipals(problems, path, statement, partition);
    const json = renderTrustStatement({ ...statement, conditions: checkTypedConditions(problems, path, statement.conditions) });
    const before = problems.list.length;
    // Principals were checked above at their typed paths; the JSON check covers effect, actions and conditions.
    checkStatementJson(problems, path, { ...json, Principal: { AWS: "*" } }, { kind: "trust" });
    for (const problem of problems.list.slice(before)) {
        problem.propertyPath = typedConditionPath(path, statement.conditions, false, problem) ?? typedPath(problem.propertyPath);
    }
    return json;
}
