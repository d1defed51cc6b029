/**
 * A small, explicit evaluator of role trust policies for the fake STS: exactly the constructs that
 * `buildCrossAccountTrustPolicy` (provider/iam/crossAccountTrust.ts) renders, and nothing else. Anything beyond them
 * (NotPrincipal, NotAction, other operators, set operators, IfExists) throws `UnsupportedPolicy` instead of
 * answering, so an unsupported policy can never read as a deny. tests/fake-sts.test.ts cross-checks its decisions
 * with @cloud-copilot/iam-simulate.
 *
 * Semantics (IAM's):
 * - explicit Deny beats Allow; without a matching Allow the request is implicitly denied;
 * - each action of the request (sts:AssumeRole, and sts:TagSession when tags are passed) must be allowed;
 * - Principal `{"AWS": ...}`: `*`; an account (`123456789012` or `arn:…:iam::123456789012:root`) trusts every
 *   principal of that account; a role ARN matches the caller's role; an assumed-role ARN matches that session;
 * - Condition: operators AND, keys within an operator AND, values of one key OR; a key absent from the request fails
 *   its condition; key names compare case-insensitively, values case-sensitively;
 * - StringEquals compares strings; ArnEquals (= ArnLike) compares the six ARN parts, `*` and `?` as wildcards;
 * - each action sees the context keys the Service Authorization Reference lists for it, plus the global `aws:` keys:
 *   `sts:ExternalId` belongs to sts:AssumeRole, not to sts:TagSession (whose keys are aws:RequestTag/*, aws:TagKeys,
 *   sts:TransitiveTagKeys). So a statement that allows both actions only with an `sts:ExternalId` condition denies
 *   TagSession, and with it any AssumeRole that carries (transitive) session tags. iam-simulate reads it the same way.
 */

/** Service-specific (`sts:`) keys present in each action's request context; global `aws:` keys are always present. */
const STS_KEYS_BY_ACTION: Record<string, string[]> = {
    "sts:assumerole": ["sts:externalid", "sts:rolesessionname", "sts:sourceidentity", "sts:transitivetagkeys"],
    "sts:tagsession": ["sts:transitivetagkeys"],
};

export type PolicyDocument = { Version?: string; Statement: Statement | Statement[] };
type Statement = {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | Record<string, string | string[]>;
    Action?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
};

export interface TrustRequest {
    /** The caller's role ARN (`aws:PrincipalArn`), e.g. `arn:aws:iam::111111111111:role/source`. */
    principalArn: string;
    /** The caller's session ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`). */
    sessionArn: string;
    /** The caller's account (`aws:PrincipalAccount`). */
    principalAccount: string;
    /** e.g. `["sts:AssumeRole", "sts:TagSession"]`. */
    actions: string[];
    /** Further single-valued context keys: `sts:ExternalId`, `aws:RequestTag/<key>`. */
    context: Record<string, string>;
}

export interface TrustDecision {
    allowed: boolean;
    /** Per action: `allow` (by Sid or index), `deny` (by Sid) or `implicit`. */
    perAction: Record<string, { decision: "allow" | "deny" | "implicit"; statement?: string }>;
}

export class UnsupportedPolicy extends Error {}

const SUPPORTED_STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Condition"]);

function list(value: string | string[] | undefined): string[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
    const p = caseInsensitive ? pattern.toLowerCase() : pattern;
    const v = caseInsensitive ? value.toLowerCase() : value;
    const source = p.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${source}$`, "s").test(v);
}

function arnParts(arn: string): string[] | undefined {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn") {
        return undefined;
    }
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

export function arnMatches(pattern: string, value: string): boolean {
    const p = arnParts(pattern);
    const v = arnParts(value);
    return p !== undefined && v !== undefined && p.every((part, i) => glob(part, v[i], false));
}

function principalMatches(principal: Statement["Principal"], request: TrustRequest): boolean {
    if (principal === undefined) {
        throw new UnsupportedPolicy("a trust policy statement without Principal");
    }
    if (principal === "*") {
        return true;
    }
    for (const [kind, values] of Object.entries(principal)) {
        if (kind !== "AWS") {
            continue; // Service / Federated principals never match a role session.
        }
        for (const value of list(values)) {
            if (value === "*") {
                return true;
            }
            const account = /^(\d{12})$/.exec(value)?.[1] ?? /^arn:[a-z-]+:iam::(\d{12}):root$/.exec(value)?.[1];
            if (account !== undefined) {
                if (account === request.principalAccount) {
                    return true;
                }
                continue;
            }
            if (value.includes("*")) {
                throw new UnsupportedPolicy(`wildcards in a principal ARN are not supported: ${value}`);
            }
            if (value === request.principalArn || value === request.sessionArn) {
                return true;
            }
        }
    }
    return false;
}

function contextValue(request: TrustRequest, action: string, key: string): string | undefined {
    const lower = key.toLowerCase();
    if (!lower.startsWith("aws:") && !(STS_KEYS_BY_ACTION[action.toLowerCase()] ?? []).includes(lower)) {
        return undefined;
    }
    if (lower === "aws:principalarn") {
        return request.principalArn;
    }
    if (lower === "aws:principalaccount") {
        return request.principalAccount;
    }
    for (const [k, v] of Object.entries(request.context)) {
        if (k.toLowerCase() === lower) {
            return v;
        }
    }
    return undefined;
}

function conditionsHold(condition: Statement["Condition"], request: TrustRequest, action: string): boolean {
    for (const [operator, block] of Object.entries(condition ?? {})) {
        const compare =
            operator === "StringEquals"
                ? (expected: string, actual: string) => expected === actual
                : operator === "ArnEquals" || operator === "ArnLike"
                  ? arnMatches
                  : undefined;
        if (!compare) {
            throw new UnsupportedPolicy(`condition operator ${operator} is not supported`);
        }
        for (const [key, expected] of Object.entries(block)) {
            const actual = contextValue(request, action, key);
            if (actual === undefined || !list(expected).some((e) => compare(e, actual))) {
                return false;
            }
        }
    }
    return true;
}

export function evaluateTrust(policy: PolicyDocument, request: TrustRequest): TrustDecision {
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    const perAction: TrustDecision["perAction"] = {};
    for (const action of request.actions) {
        let allowedBy: string | undefined;
        let deniedBy: string | undefined;
        statements.forEach((statement, index) => {
            const unknown = Object.keys(statement).filter((k) => !SUPPORTED_STATEMENT_KEYS.has(k));
            if (unknown.length > 0) {
                throw new UnsupportedPolicy(`statement keys ${unknown.join(", ")} are not supported`);
            }
            if (statement.Effect !== "Allow" && statement.Effect !== "Deny") {
                throw new UnsupportedPolicy(`Effect ${String(statement.Effect)}`);
            }
            const applies =
                list(statement.Action).some((pattern) => glob(pattern, action, true)) &&
                principalMatches(statement.Principal, request) &&
                conditionsHold(statement.Condition, request, action);
            if (!applies) {
                return;
            }
            const name = statement.Sid ?? `#${index}`;
            if (statement.Effect === "Deny") {
                deniedBy ??= name;
            } else {
                allowedBy ??= name;
            }
        });
        perAction[action] =
            deniedBy !== undefined
                ? { decision: "deny", statement: deniedBy }
                : allowedBy !== undefined
                  ? { decision: "allow", statement: allowedBy }
                  : { decision: "implicit" };
    }
    return { allowed: Object.values(perAction).every((d) => d.decision === "allow"), perAction };
}
