/**
 * Which roles a request's `crossAccount.targets` may chain into. The target account's trust policy decides whether the
 * chain works; the portal decides whether a team may ask for it at all: a role of the cluster's own account
 * (`role/Admin` with any `sameAccountReason`) or an organization's access role is administrator access by another name.
 * Deny by default: no target is allowed until the operator lists it.
 */
import type { FieldProblem } from "./api";
import { parseRoleArn } from "../../provider/iam/arn";
import { wildcardMatches } from "../../provider/iam/actions";
import type { CrossAccountSettings } from "../../provider/crossAccount/args";

/**
 * Role names the portal never chains into, even when an allowed pattern matches (compared case-insensitively, as IAM
 * keeps role names unique regardless of case): roles that AWS services, AWS Organizations, Control Tower, CloudFormation
 * StackSets, IAM Identity Center or the CDK create with administrator access, and any name that says "admin" or
 * "power user". An operator pattern is a convenience (`arn:aws:iam::222233334444:role/*`), not a review of each role.
 */
export const ADMIN_ROLE_NAME_PATTERNS: readonly string[] = [
    "OrganizationAccountAccessRole", // AWS Organizations: the access role of accounts it creates (AdministratorAccess)
    "AWSControlTowerExecution", // AWS Control Tower's execution role (AdministratorAccess)
    "AWSCloudFormationStackSetExecutionRole", // CloudFormation StackSets, self-managed permissions
    "stacksets-exec-*", // CloudFormation StackSets, service-managed permissions
    "AWSReservedSSO_*", // IAM Identity Center permission sets
    "cdk-*-cfn-exec-role-*", // the CDK bootstrap's CloudFormation execution role (AdministratorAccess by default)
    "*admin*",
    "*poweruser*",
];

const ROLE_PATTERN = /^arn:(aws|aws-cn|aws-us-gov|\*):iam::(\d{12}|[\d*?]+):role\/\S+$/;

/** Checks the operator's patterns at start: role ARN patterns (IAM wildcards allowed). Returns them, or throws naming the entry. */
export function checkTargetRolePatterns(patterns: readonly string[], source = "allowedTargetRoles"): readonly string[] {
    for (const pattern of patterns) {
        if (!ROLE_PATTERN.test(pattern)) {
            throw new Error(`${source}: "${pattern}" is not a role ARN pattern, e.g. arn:aws:iam::222233334444:role/reader or arn:aws:iam::222233334444:role/team-*`);
        }
    }
    return patterns;
}

/** `PORTAL_ALLOWED_TARGET_ROLES` (comma-separated role ARN patterns), checked. */
export function allowedTargetRolesFromEnvironment(env: Record<string, string | undefined>): readonly string[] | undefined {
    const given = env.PORTAL_ALLOWED_TARGET_ROLES;
    return given === undefined ? undefined : checkTargetRolePatterns(given.split(",").map((p) => p.trim()).filter(Boolean), "PORTAL_ALLOWED_TARGET_ROLES");
}

/** The admin pattern a role name matches, if any. */
export function adminRoleName(name: string): string | undefined {
    return ADMIN_ROLE_NAME_PATTERNS.find((pattern) => wildcardMatches(pattern, name));
}

/**
 * The problems of a request's targets: administrator role names always; a same-account target unless a pattern that
 * spells out that account (no wildcard there) allows it; any other target unless a pattern allows it. Targets that are
 * not role ARNs are left to the component, which names the mistake.
 */
export function targetProblems(crossAccount: CrossAccountSettings | undefined, clusterAccount: string | undefined, allowed: readonly string[]): FieldProblem[] {
    const problems: FieldProblem[] = [];
    (crossAccount?.targets ?? []).forEach((target, k) => {
        const field = `crossAccount.targets[${k}].roleArn`;
        const arn = typeof target.roleArn === "string" ? target.roleArn : "";
        const role = parseRoleArn(arn);
        if (!role) return;
        const admin = adminRoleName(role.name);
        const matching = allowed.filter((pattern) => wildcardMatches(pattern, arn, { caseSensitive: true }));
        if (admin !== undefined) {
            problems.push({ field, message: `"${role.name}" is a well-known administrator role name (${admin}): the portal never chains into such a role, whatever its allowlist says; use a role that grants only what the workload needs` });
        } else if (role.accountId === clusterAccount) {
            if (!matching.some((pattern) => pattern.split(":")[4] === clusterAccount)) {
                problems.push({ field, message: `"${arn}" is a role in the source role's own account (${clusterAccount}): sameAccountReason is not enough here; request the permissions in policyStatements, or ask the platform team to allow this role (allowedTargetRoles, spelling out the account)` });
            }
        } else if (matching.length === 0) {
            const list = allowed.length > 0 ? `the portal allows ${allowed.join(", ")}` : "the portal allows no cross-account targets";
            problems.push({ field, message: `"${arn}" is not a target this portal allows (${list}): ask the platform team to add it (allowedTargetRoles)` });
        }
    });
    return problems;
}
