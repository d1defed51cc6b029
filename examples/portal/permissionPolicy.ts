/**
 * What a request's `Allow` statements may grant, judged by effect rather than by name: refusing `iam:*` and `*` is not
 * enough when `kms:PutKeyPolicy`, `eks:AssociateAccessPolicy` or `s3:*` on `*` (the portal's own bucket included) reach
 * the same. Refused, each naming the field as the request sent it:
 * - escalation and administrator-equivalent actions (provider/iam/privilegeEscalation.ts), unless the operator allows
 *   the action by name (allowedEscalationActions);
 * - `notResources` in an Allow (every other resource, in every account);
 * - write actions (access levels Write, Permissions management and Tagging: tags decide attribute-based access) on a
 *   resource that covers every resource of its kind (`*`, `table/*`, a wildcard account), unless the statement is
 *   scoped to the pod's session tags (sessionTagScope);
 * - any S3 action on a resource that could match a protected bucket (protectedBuckets.ts), `*` included.
 * A statement already refused for its actions is not judged on its resources: the first fix comes first.
 */
import type { FieldProblem } from "./api";
import { expandAction } from "../../provider/iam/actions";
import { coversEveryResource, describeEscalation, escalationFindings, isModelAction, isWriteLevel } from "../../provider/iam/privilegeEscalation";
import type { PolicyStatement } from "../../provider/iam/policyDocument";
import { reachesBucket } from "./protectedBuckets";

export interface StatementPolicy {
    /** Model actions the operator allows anyway, by exact name. */
    allowedEscalationActions: readonly string[];
    /** Buckets no workload may reach. */
    protectedBuckets: readonly string[];
    /** The cluster's partition, for bucket ARNs. */
    partition: string;
}

/** Checks the operator's opt-in list at start: every entry an action of the model, by name. Returns it, or throws. */
export function checkEscalationOptIn(actions: readonly string[], source = "allowedEscalationActions"): readonly string[] {
    for (const action of actions) {
        if (!isModelAction(action)) throw new Error(`${source}: "${action}" is not an escalation action of provider/iam/privilegeEscalation.ts (give exact names, no wildcards)`);
    }
    return actions;
}

/** `PORTAL_ALLOWED_ESCALATION_ACTIONS` (comma-separated action names), checked. */
export function escalationOptInFromEnvironment(env: Record<string, string | undefined>): readonly string[] | undefined {
    const given = env.PORTAL_ALLOWED_ESCALATION_ACTIONS;
    return given === undefined ? undefined : checkEscalationOptIn(given.split(",").map((a) => a.trim()).filter(Boolean), "PORTAL_ALLOWED_ESCALATION_ACTIONS");
}

/** The problems of the statements; `refused` holds the fields other checks refused already (`policyStatements[0].actions[1]`…). */
export function statementProblems(statements: readonly PolicyStatement[], policy: StatementPolicy, refused: readonly string[] = []): FieldProblem[] {
    const problems: FieldProblem[] = [];
    statements.forEach((statement, i) => {
        if ((statement.effect ?? "Allow") !== "Allow" || statement.notActions !== undefined) return;
        const at = (field: string) => `policyStatements[${i}].${field}`;
        const before = problems.length;
        if (statement.notResources !== undefined) {
            problems.push({ field: at("notResources"), message: "an Allow statement with notResources allows its actions on every other resource, in every account: list the resources in resources" });
        }
        for (const finding of escalationFindings([statement], { allowedActions: policy.allowedEscalationActions })) {
            if (refused.includes(at(finding.field))) continue;
            problems.push({ field: at(finding.field), message: `${describeEscalation(finding)}: the portal does not grant privilege escalation or administrator-equivalent access; ask the platform team` });
        }
        if (problems.length > before || refused.some((field) => field.startsWith(at("")))) return;
        const actions = (statement.actions ?? []).flatMap(expandAction);
        const touchesS3 = actions.some((a) => a.action.startsWith("s3:"));
        const writes = statement.sessionTagScope === undefined ? actions.filter(isWriteLevel).map((a) => a.action) : [];
        (statement.resources ?? []).forEach((resource, k) => {
            if (typeof resource !== "string") return;
            const bucket = touchesS3 ? policy.protectedBuckets.find((b) => reachesBucket(resource, b, policy.partition)) : undefined;
            if (bucket !== undefined) {
                problems.push({ field: at(`resources[${k}]`), message: `"${resource}" could reach the bucket ${bucket}, which holds the portal's records and Pulumi state: name your own buckets, e.g. "arn:${policy.partition}:s3:::<team-bucket>/*"` });
            } else if (writes.length > 0 && coversEveryResource(resource)) {
                const shown = writes.slice(0, 3).join(", ") + (writes.length > 3 ? ` and ${writes.length - 3} more` : "");
                problems.push({ field: at(`resources[${k}]`), message: `"${resource}" covers every resource of its kind, other teams' included, and the statement writes to them (${shown}): name the resources, e.g. a prefix your team owns, or scope the statement with sessionTagScope` });
            }
        });
    });
    return problems;
}
