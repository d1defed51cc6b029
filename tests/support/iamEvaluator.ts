import { runSimulation, runUnsafeSimulation, type EvaluationResult, type RequestAnalysis, type Simulation, type StatementExplain } from "@cloud-copilot/iam-simulate";

/**
 * Drives the IAM policy evaluator `@cloud-copilot/iam-simulate` (AGPL, a devDependency: imported from tests only,
 * never from provider/) so tests can check what the rendered documents mean, not only what they look like.
 *
 * Conventions of the evaluator, as used here:
 * - The request principal is a plain string. A service principal is its bare name (`pods.eks.amazonaws.com`)
 *   and matches a statement's `Principal: { Service: ... }`; a web-identity caller is the OIDC provider's ARN and
 *   matches `Principal: { Federated: ... }`; a role session is its `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
 *   Service principals are allowed only through the resource policy; for `sts:AssumeRole*` the resource is the
 *   role and its trust policy is the resource policy.
 * - Every context value (aws:SourceArn, aws:RequestTag/k, aws:PrincipalTag/k, aws:ResourceTag/k, aws:TagKeys,
 *   OIDC claims, ...) must be passed in `contextVariables`; the evaluator derives none (not even
 *   aws:PrincipalServiceName or resource tags).
 * - `runSimulation` validates the policies, the action and the resource ARN, then silently DROPS context keys it
 *   does not list for the action (reporting them in `ignoredContextKeys`) and throws on keys it half-knows. A
 *   dropped key makes a condition fail as "missing", which would look like a policy deny. So here a dropped key is
 *   a harness error, never a result.
 *
 * Keys the evaluator cannot take (the EKS OIDC issuer's `<issuer>:sub`/`:aud`, `secretsmanager:ResourceTag/<k>`)
 * must be declared in `unvalidatedKeys`. The request is then run twice: through `runSimulation` without them (which
 * validates everything else and gives the statement-level explanation) and through `runUnsafeSimulation` with them
 * (which takes the context as given and gives the decision). The harness checks that each declared key really is
 * refused by `runSimulation`, so the workaround goes away once the evaluator learns the key.
 */

export type PolicyDocument = { Version: string; Statement: any[] };

export interface IamRequest {
    /** Caller: a service principal name, an OIDC provider ARN, or a role-session ARN. */
    principal: string;
    action: string;
    /** ARN of the resource; concrete (no wildcards). */
    resource: string;
    /** Account owning the resource. */
    resourceAccount: string;
    context?: Record<string, string | string[]>;
    /** Identity policies of the caller, by name. */
    identityPolicies?: Record<string, PolicyDocument>;
    /** Resource policy, e.g. a role's trust policy for sts:AssumeRole*. */
    resourcePolicy?: PolicyDocument;
    /** Context keys iam-simulate does not accept; see the module comment. */
    unvalidatedKeys?: string[];
}

export interface Verdict {
    /** The evaluator's decision. */
    result: EvaluationResult;
    /**
     * The validated run's analysis. With route `unvalidated-keys` that run lacked the unvalidated keys, so
     * conditions on them show as failed because missing; everything else (principal, action, resource, other
     * conditions) is evaluated exactly.
     */
    analysis: RequestAnalysis;
    /** `validated`: decided by runSimulation with every key accepted. `unvalidated-keys`: decided by runUnsafeSimulation. */
    route: "validated" | "unvalidated-keys";
}

/** Thrown when the harness, not the policy, would decide the outcome. */
export class HarnessError extends Error {}

/**
 * runUnsafeSimulation loads the resource policy without metadata and then crashes reading its name
 * ("Cannot read properties of undefined (reading 'name')"). It accepts an already-validated policy, whose metadata
 * it keeps, in iam-policy's plain-object ValidatedPolicy form; the document itself has been validated by the
 * runSimulation call made on the same request first.
 */
function prevalidated(policy: PolicyDocument | undefined): unknown {
    return policy === undefined ? undefined : { __validated: true, policyDocument: policy, metadata: { name: "resource-policy" }, errors: [] };
}

function unsafe(request: IamRequest, context: Record<string, string | string[]>): EvaluationResult {
    return runUnsafeSimulation({ ...simulation(request, context), resourcePolicy: prevalidated(request.resourcePolicy) }, {});
}

function simulation(request: IamRequest, context: Record<string, string | string[]>): Simulation {
    return {
        request: {
            principal: request.principal,
            action: request.action,
            resource: { resource: request.resource, accountId: request.resourceAccount },
            contextVariables: context,
        },
        identityPolicies: Object.entries(request.identityPolicies ?? {}).map(([name, policy]) => ({ name, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: request.resourcePolicy,
    };
}

async function validatedRun(request: IamRequest, context: Record<string, string | string[]>) {
    const response = await runSimulation(simulation(request, context), {});
    if (response.resultType === "error") {
        throw new HarnessError(`iam-simulate refused the simulation of ${request.action}: ${JSON.stringify(response.errors)}`);
    }
    if (response.resultType !== "single") {
        throw new HarnessError(`expected a single-resource simulation of ${request.resource}, got ${response.resultType}`);
    }
    return response;
}

export async function evaluate(request: IamRequest): Promise<Verdict> {
    const context = request.context ?? {};
    if (request.resource.includes("*")) {
        throw new HarnessError("simulate concrete resources only");
    }
    const declared = new Set((request.unvalidatedKeys ?? []).map((k) => k.toLowerCase()));
    const known: Record<string, string | string[]> = {};
    const unvalidated: string[] = [];
    for (const [key, value] of Object.entries(context)) {
        if (declared.has(key.toLowerCase())) {
            unvalidated.push(key);
        } else {
            known[key] = value;
        }
    }

    const validated = await validatedRun(request, known);
    if (validated.result.ignoredContextKeys && validated.result.ignoredContextKeys.length > 0) {
        throw new HarnessError(
            `iam-simulate dropped context keys ${JSON.stringify(validated.result.ignoredContextKeys)} for ${request.action}; ` +
                "a dropped key would read as a policy deny: fix the key or declare it in unvalidatedKeys",
        );
    }
    // The unsafe engine must agree with the validated one where both see the same input.
    const unsafeOnKnown = unsafe(request, known);
    if (unsafeOnKnown !== validated.overallResult) {
        throw new HarnessError(`runSimulation said ${validated.overallResult} but runUnsafeSimulation said ${unsafeOnKnown} for the same request`);
    }
    if (unvalidated.length === 0) {
        return { result: validated.overallResult, analysis: validated.result.analysis, route: "validated" };
    }

    // The declared keys must really be beyond runSimulation: either it throws naming one, or it drops only them.
    const lower = new Set(unvalidated.map((k) => k.toLowerCase()));
    let refused: boolean;
    try {
        const full = await validatedRun(request, context);
        const dropped = (full.result.ignoredContextKeys ?? []).map((k) => k.toLowerCase());
        const stray = dropped.filter((k) => !lower.has(k));
        if (stray.length > 0) {
            throw new HarnessError(`iam-simulate dropped undeclared keys ${JSON.stringify(stray)}`);
        }
        refused = dropped.length > 0;
    } catch (e) {
        if (e instanceof HarnessError) {
            throw e;
        }
        const named = /Condition key (\S+) not found/.exec((e as Error).message)?.[1];
        if (!named || !lower.has(named.toLowerCase())) {
            throw e;
        }
        refused = true;
    }
    if (!refused) {
        throw new HarnessError(`iam-simulate now accepts ${JSON.stringify(unvalidated)}: remove them from unvalidatedKeys`);
    }
    return { result: unsafe(request, context), analysis: validated.result.analysis, route: "unvalidated-keys" };
}

// ---- reading the explanation ----

type Analysis = NonNullable<RequestAnalysis["identityAnalysis"]>;
type Statements = Pick<Analysis, "allowStatements" | "denyStatements" | "unmatchedStatements">;

function all(statements: Statements | undefined): StatementExplain[] {
    if (!statements) {
        return [];
    }
    return [...statements.allowStatements, ...statements.denyStatements, ...statements.unmatchedStatements].map((s) => s.explain);
}

/** Explanations of the statements of the resource (trust) policy or of the identity policies. */
export function explains(verdict: Verdict, policy: "resource" | "identity"): StatementExplain[] {
    return all(policy === "resource" ? verdict.analysis.resourceAnalysis : verdict.analysis.identityAnalysis);
}

/** The explanation of the statement with this Sid (or index); fails loudly when absent. */
export function explainOf(verdict: Verdict, policy: "resource" | "identity", sid: string): StatementExplain {
    const found = explains(verdict, policy).filter((e) => e.identifier === sid);
    if (found.length !== 1) {
        throw new HarnessError(`expected one ${policy} statement ${sid}, found ${found.length}: ${explains(verdict, policy).map((e) => e.identifier).join(", ")}`);
    }
    return found[0];
}

/** Sids of the statements that allowed the request, per policy kind. */
export function allowingStatements(verdict: Verdict, policy: "resource" | "identity"): string[] {
    const analysis = policy === "resource" ? verdict.analysis.resourceAnalysis : verdict.analysis.identityAnalysis;
    return (analysis?.allowStatements ?? []).map((s) => s.explain.identifier);
}

export function denyingStatements(verdict: Verdict, policy: "resource" | "identity"): string[] {
    const analysis = policy === "resource" ? verdict.analysis.resourceAnalysis : verdict.analysis.identityAnalysis;
    return (analysis?.denyStatements ?? []).map((s) => s.explain.identifier);
}

/** Condition keys of the statement whose conditions failed, in policy order, with whether each was missing. */
export function failedConditions(explain: StatementExplain): { key: string; missing: boolean }[] {
    return (explain.conditions ?? []).filter((c) => !c.matches).map((c) => ({ key: c.conditionKeyValue, missing: c.failedBecauseMissing === true }));
}

/** A copy of the document with the named condition keys removed from every statement (empty blocks dropped). */
export function withoutConditionKeys(document: PolicyDocument, keys: string[]): PolicyDocument {
    const drop = new Set(keys.map((k) => k.toLowerCase()));
    const copy: PolicyDocument = JSON.parse(JSON.stringify(document));
    for (const statement of copy.Statement) {
        if (!statement.Condition) {
            continue;
        }
        for (const [operator, block] of Object.entries<Record<string, unknown>>(statement.Condition)) {
            for (const key of Object.keys(block)) {
                if (drop.has(key.toLowerCase())) {
                    delete block[key];
                }
            }
            if (Object.keys(block).length === 0) {
                delete statement.Condition[operator];
            }
        }
        if (Object.keys(statement.Condition).length === 0) {
            delete statement.Condition;
        }
    }
    return copy;
}
