import { isWellFormedResourceArn } from "./arn";
import { PartitionReference, checkPartition } from "./partition";
import { checkAction, checkGlobalConditionKey } from "./actions";
import { DEFAULT_ABAC_TAGS, POD_IDENTITY_SESSION_TAGS, ResolvedCondition, ResolvedStatement, StatementJson, renderStatement, sessionTagConditions, usesSessionTags } from "./policyDocument";
import { InputProblem, Problems, describe, keyPath } from "../validation/problems";

/**
 * Offline checks of IAM names and policy documents, against the limits IAM enforces at apply time.
 */

export const IAM_LIMITS = {
    roleName: 64,
    roleNamePrefix: 38,
    path: 512,
    description: 1000,
    /** Aggregate size of a role's inline policies, whitespace excluded. */
    inlinePoliciesPerRole: 10240,
    /** A role trust policy: the default quota, and the most it can be raised to. */
    trustPolicyDefault: 2048,
    trustPolicyMax: 4096,
    /** Packed size of a session policy passed to STS. */
    sessionPolicy: 2048,
    /** The hard maximum of managed policies attached to one role (the default quota is 10). */
    managedPoliciesPerRole: 20,
} as const;

const roleNamePattern = /^[\w+=,.@-]+$/;
const pathPattern = /^\/(?:[\x21-\x7E]+\/)?$/;
const descriptionPattern = /^[\t\n\r\x20-\x7E\xA1-\xFF]*$/;
const sidPattern = /^[A-Za-z0-9]*$/;

export function checkRoleName(problems: Problems, path: string, name: string, maxLength: number = IAM_LIMITS.roleName): void {
    if (name.length < 1 || name.length > maxLength || !roleNamePattern.test(name)) {
        problems.add(path, `"${name}" is not a valid IAM role name: use 1 to ${maxLength} letters, digits and + = , . @ _ -`);
    }
}

export function checkIamPath(problems: Problems, path: string, value: string): void {
    if (value.length > IAM_LIMITS.path || !pathPattern.test(value)) {
        problems.add(path, `"${value}" is not a valid IAM path: it must start and end with '/', e.g. "/" or "/platform/", at most ${IAM_LIMITS.path} characters`);
    }
}

export function checkRoleDescription(problems: Problems, path: string, value: string): void {
    if (value.length > IAM_LIMITS.description || !descriptionPattern.test(value)) {
        problems.add(path, `the description must be at most ${IAM_LIMITS.description} printable Latin-1 characters`);
    }
}

const conditionOperators = new Set([
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
    "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
    "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
    "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
]);

export function isKnownConditionOperator(operator: string): boolean {
    const unqualified = operator.replace(/^(ForAnyValue|ForAllValues):/, "");
    const base = unqualified.endsWith("IfExists") && unqualified !== "NullIfExists" ? unqualified.slice(0, -"IfExists".length) : unqualified;
    return conditionOperators.has(base);
}

function asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [value];
}

export interface DocumentKind {
    /** Identity and session policies need Resource and forbid Principal; trust policies are the reverse. */
    kind: "identity" | "trust";
    /** Accept `Allow` of every action on every resource (administrator access). Default false. */
    allowFullAccess?: boolean;
    /** The partition resource ARNs must be in (the cluster's), when known. */
    partition?: PartitionReference;
}

/**
 * Checks one statement in its JSON form. Every rendered statement, typed or raw, passes through here, so the rules
 * live in one place.
 */
export function checkStatementJson(problems: Problems, path: string, statement: unknown, { kind, allowFullAccess, partition }: DocumentKind): void {
    if (typeof statement !== "object" || statement === null || Array.isArray(statement)) {
        problems.add(path, `a statement must be an object, got ${describe(statement)}`);
        return;
    }
    const s = statement as Record<string, unknown>;
    const allowedKeys = ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition", ...(kind === "trust" ? ["Principal", "NotPrincipal"] : [])];
    for (const key of Object.keys(s)) {
        if (!allowedKeys.includes(key)) {
            const hint = key === "Principal" ? "; identity policies name no principal: the role is the principal" : `; allowed keys are ${allowedKeys.join(", ")}`;
            problems.add(keyPath(path, key), `unexpected key${hint}`);
        }
    }
    if (s.Sid !== undefined && (typeof s.Sid !== "string" || !sidPattern.test(s.Sid))) {
        problems.add(`${path}.Sid`, "a statement id may contain only letters and digits");
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny") {
        problems.add(`${path}.Effect`, `must be "Allow" or "Deny", got ${describe(s.Effect)}`);
    }
    checkExactlyOne(problems, path, s, "Action", "NotAction", "actions");
    for (const key of ["Action", "NotAction"] as const) {
        if (s[key] === undefined) {
            continue;
        }
        asList(s[key]).forEach((action, i) => {
            if (typeof action !== "string") {
                problems.add(`${path}.${key}[${i}]`, `expected an action string, got ${describe(action)}`);
                return;
            }
            const verdict = checkAction(action);
            if (!verdict.ok) {
                problems.add(`${path}.${key}[${i}]`, verdict.reason);
            }
        });
    }
    if (kind === "identity") {
        checkExactlyOne(problems, path, s, "Resource", "NotResource", "resources (use [\"*\"] only where the action cannot be scoped)");
        for (const key of ["Resource", "NotResource"] as const) {
            if (s[key] === undefined) {
                continue;
            }
            asList(s[key]).forEach((resource, i) => {
                if (typeof resource !== "string" || !isWellFormedResourceArn(resource)) {
                    problems.add(`${path}.${key}[${i}]`, `${describe(resource)} is not an ARN: use "arn:<partition>:<service>:<region>:<account>:<resource>" or "*"`);
                } else {
                    checkPartition(problems, `${path}.${key}[${i}]`, resource, partition);
                }
            });
        }
    } else if (s.Principal === undefined && s.NotPrincipal === undefined) {
        problems.add(`${path}.Principal`, "a trust policy statement must name a principal");
    }
    if (s.Condition !== undefined) {
        checkConditionBlock(problems, `${path}.Condition`, s.Condition);
    }
    const everyAction = s.Action !== undefined && asList(s.Action).includes("*");
    const everyResource = s.Resource !== undefined && asList(s.Resource).includes("*");
    if (kind === "identity" && s.Effect === "Allow" && everyAction && everyResource && !allowFullAccess) {
        problems.add(path, `allows every action on every resource (administrator access): name the actions and resources the workload needs, or set allowFullAccess to true if that is really intended`);
    }
}

function checkExactlyOne(problems: Problems, path: string, s: Record<string, unknown>, a: string, b: string, what: string): void {
    if (s[a] === undefined && s[b] === undefined) {
        problems.add(`${path}.${a}`, `missing: give ${what}`);
    } else if (s[a] !== undefined && s[b] !== undefined) {
        problems.add(`${path}.${b}`, `give ${a} or ${b}, not both`);
    } else {
        const key = s[a] !== undefined ? a : b;
        if (asList(s[key]).length === 0) {
            problems.add(`${path}.${key}`, `must not be empty: give ${what}`);
        }
    }
}

function checkConditionBlock(problems: Problems, path: string, block: unknown): void {
    if (typeof block !== "object" || block === null || Array.isArray(block)) {
        problems.add(path, `expected an object of operator → { key: value(s) }, got ${describe(block)}`);
        return;
    }
    for (const [operator, entries] of Object.entries(block)) {
        if (!isKnownConditionOperator(operator)) {
            problems.add(keyPath(path, operator), `unknown condition operator: use one of StringEquals, StringLike, ArnLike, Bool, Null, … (optionally with IfExists, ForAnyValue: or ForAllValues:)`);
        }
        if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
            problems.add(keyPath(path, operator), `expected an object of condition key → value(s), got ${describe(entries)}`);
            continue;
        }
        for (const [key, values] of Object.entries(entries)) {
            if (!/^[^\s:]+:\S+$/.test(key)) {
                problems.add(keyPath(keyPath(path, operator), key), `"${key}" is not a condition key: use "<service>:<key>", e.g. "aws:SourceAccount"`);
            } else {
                const verdict = checkGlobalConditionKey(key);
                if (!verdict.ok) {
                    problems.add(keyPath(keyPath(path, operator), key), `${verdict.reason}: use a key from the IAM global condition context keys, or the service's own prefix`);
                }
            }
            const list = asList(values);
            if (list.length === 0 || list.some((v) => typeof v !== "string" && typeof v !== "boolean" && typeof v !== "number")) {
                problems.add(keyPath(keyPath(path, operator), key), "condition values must be one or more strings");
            }
        }
    }
}

/** Options of a typed statement's checks. */
export interface TypedStatementOptions {
    sessionTagsDisabled: boolean;
    allowFullAccess?: boolean;
    partition?: PartitionReference;
}

/**
 * Checks a typed statement by rendering it and checking the JSON, plus the typed-only rules. Problems are reported at
 * the typed paths the user wrote (`actions[0]`, `sessionTagScope.tags[1]`), never at the rendered JSON's.
 */
export function checkTypedStatement(problems: Problems, path: string, statement: ResolvedStatement, options: TypedStatementOptions): StatementJson {
    const conditions = checkTypedConditions(problems, path, statement.conditions);
    if (statement.sessionTagScope !== undefined && (typeof statement.sessionTagScope !== "object" || statement.sessionTagScope === null || Array.isArray(statement.sessionTagScope))) {
        problems.add(`${path}.sessionTagScope`, `expected an object such as {} or { tags: ["kubernetes-namespace"] }, got ${describe(statement.sessionTagScope)}`);
    } else if (statement.sessionTagScope !== undefined) {
        checkSessionTagScope(problems, `${path}.sessionTagScope`, statement.sessionTagScope);
        checkScopeClashes(problems, path, statement);
    }
    const complete = { ...statement, conditions };
    // The user's own parts are checked in JSON form without the scope's conditions, which were checked above at
    // their own paths; the scope's conditions would otherwise be blamed on `conditions`, which the user did not write.
    const { sessionTagScope: _scope, ...own } = complete;
    const before = problems.list.length;
    checkStatementJson(problems, path, renderStatement(own), { kind: "identity", allowFullAccess: options.allowFullAccess, partition: options.partition });
    for (const problem of problems.list.slice(before)) {
        problem.propertyPath = typedConditionPath(path, statement.conditions, statement.sessionTagScope !== undefined, problem) ?? typedPath(problem.propertyPath);
    }
    if (options.sessionTagsDisabled && usesSessionTags(statement)) {
        problems.add(path, "uses the pod's session tags (aws:PrincipalTag/…), but association.disableSessionTags is true so EKS attaches none: enable session tags or drop the tag scoping");
    }
    return renderStatement(complete);
}

/** Renames the JSON keys of a statement path to the typed names (`.Action` → `.actions`, `.Condition` → `.conditions`). */
export function typedPath(path: string): string {
    return path
        .replace(/\.NotAction\b/, ".notActions").replace(/\.Action\b/, ".actions")
        .replace(/\.NotResource\b/, ".notResources").replace(/\.Resource\b/, ".resources")
        .replace(/\.Effect\b/, ".effect").replace(/\.Sid\b/, ".sid").replace(/\.Condition\b/, ".conditions");
}

/** A resource-tag condition key prefix: `aws:ResourceTag`, or a service's own such as `secretsmanager:ResourceTag`. */
const resourceTagPrefixPattern = /^[a-z0-9-]+:[A-Za-z]+$/;

function checkSessionTagScope(problems: Problems, path: string, scope: ResolvedStatement["sessionTagScope"] & object): void {
    if (scope.tags !== undefined) {
        if (!Array.isArray(scope.tags) || scope.tags.length === 0) {
            // Rendering no condition would silently turn the scoped statement into an unscoped one.
            problems.add(`${path}.tags`, `an empty list would scope nothing and grant the statement to every pod: omit tags for the default (${DEFAULT_ABAC_TAGS.join(", ")}), list the tags to match, or drop sessionTagScope`);
        } else {
            const seen = new Set<string>();
            scope.tags.forEach((tag, i) => {
                if (!(POD_IDENTITY_SESSION_TAGS as readonly string[]).includes(tag)) {
                    problems.add(`${path}.tags[${i}]`, `${describe(tag)} is not a Pod Identity session tag: use one of ${POD_IDENTITY_SESSION_TAGS.join(", ")}`);
                } else if (seen.has(tag)) {
                    problems.add(`${path}.tags[${i}]`, `"${tag}" is listed twice: remove the duplicate`);
                }
                seen.add(tag);
            });
        }
    }
    const prefix = scope.resourceTagKeyPrefix;
    if (prefix !== undefined) {
        if (typeof prefix !== "string" || !resourceTagPrefixPattern.test(prefix)) {
            problems.add(`${path}.resourceTagKeyPrefix`, `${describe(prefix)} is not a condition key prefix: use "aws:ResourceTag" or a service's own, e.g. "secretsmanager:ResourceTag"`);
        } else {
            const verdict = checkGlobalConditionKey(`${prefix}/${DEFAULT_ABAC_TAGS[0]}`);
            if (!verdict.ok) {
                problems.add(`${path}.resourceTagKeyPrefix`, `"${prefix}" is not a global tag condition key prefix: use "aws:ResourceTag" or the service's own prefix`);
            }
        }
    }
}

/** A condition of the user's on a key the scope also sets would be silently overwritten when rendered. */
function checkScopeClashes(problems: Problems, path: string, statement: ResolvedStatement): void {
    const scoped = new Set(sessionTagConditions(statement.sessionTagScope!).map((c) => `${c.test} ${c.variable}`));
    (statement.conditions ?? []).forEach((condition, i) => {
        if (scoped.has(`${condition.test} ${condition.variable}`)) {
            problems.add(`${path}.conditions[${i}]`, `"${condition.test}" on "${condition.variable}" is also set by sessionTagScope, which would replace it: drop one of them`);
        }
    });
}

/**
 * The typed path of a problem found in the rendered `Condition` block: the JSON groups conditions by operator and
 * key, the user wrote a list, so `….Condition.StringEquals.aws:x` goes back to `….conditions[i].test` (operator),
 * `.variable` (key) or `.values`; conditions rendered from a session-tag scope go back to `sessionTagScope`.
 */
/**
 * Checks typed conditions: one condition per operator and key (a second would replace the first in JSON), each with
 * at least one value. Returns those complete enough to render; the others were reported.
 */
export function checkTypedConditions(problems: Problems, path: string, conditions: ResolvedCondition[] | undefined): ResolvedCondition[] | undefined {
    const seen = new Set<string>();
    (conditions ?? []).forEach((condition, i) => {
        const key = `${condition.test} ${condition.variable}`;
        if (seen.has(key)) {
            problems.add(`${path}.conditions[${i}]`, `a second "${condition.test}" on "${condition.variable}": put all values in one condition (values are OR-ed)`);
        }
        seen.add(key);
        if (!Array.isArray(condition.values) || condition.values.length === 0) {
            problems.add(`${path}.conditions[${i}].values`, "give at least one value");
        }
    });
    return conditions?.filter((c) => Array.isArray(c.values) && c.values.length > 0);
}

/** The typed path (`conditions[i].test`, `.variable`, `.values`) of a problem found in the rendered `Condition` block. */
export function typedConditionPath(path: string, typed: ResolvedCondition[] | undefined, hasScope: boolean, problem: InputProblem): string | undefined {
    const block = `${path}.Condition`;
    if (!problem.propertyPath.startsWith(block)) {
        return undefined;
    }
    const conditions = typed ?? [];
    for (let i = 0; i < conditions.length; i++) {
        const operator = keyPath(block, conditions[i].test);
        if (problem.propertyPath === operator) {
            return `${path}.conditions[${i}].test`;
        }
        if (problem.propertyPath === keyPath(operator, conditions[i].variable)) {
            return `${path}.conditions[${i}].${/condition values/.test(problem.reason) ? "values" : "variable"}`;
        }
    }
    return hasScope ? `${path}.sessionTagScope` : `${path}.conditions`;
}

/** Parses and checks a whole policy document given as JSON text or an object. Returns the parsed document. */
export function checkPolicyDocument(problems: Problems, path: string, document: unknown, kind: DocumentKind): Record<string, unknown> | undefined {
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch (e) {
            problems.add(path, `is not valid JSON (${(e as Error).message}): give a policy document such as {"Version":"2012-10-17","Statement":[...]}`);
            return undefined;
        }
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        problems.add(path, `expected a policy document object, got ${describe(parsed)}`);
        return undefined;
    }
    const doc = parsed as Record<string, unknown>;
    for (const key of Object.keys(doc)) {
        if (!["Version", "Id", "Statement"].includes(key)) {
            problems.add(keyPath(path, key), "unexpected key: a policy document has Version, Id and Statement");
        }
    }
    if (doc.Version !== "2012-10-17") {
        problems.add(`${path}.Version`, `must be "2012-10-17" (without it IAM treats policy variables as literal text), got ${describe(doc.Version)}`);
    }
    if (doc.Statement === undefined || (Array.isArray(doc.Statement) && doc.Statement.length === 0)) {
        problems.add(`${path}.Statement`, "missing: give at least one statement");
        return doc;
    }
    asList(doc.Statement).forEach((statement, i) => checkStatementJson(problems, `${path}.Statement[${i}]`, statement, kind));
    return doc;
}

/** IAM counts policy size without whitespace. */
export function policySize(document: unknown): number {
    return JSON.stringify(typeof document === "string" ? JSON.parse(document) : document).replace(/\s+/g, "").length;
}
