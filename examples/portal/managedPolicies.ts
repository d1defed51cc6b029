/**
 * Which managed policies a self-service request may attach: an allowlist of exact ARNs, deny by default. A denylist
 * cannot work here: customer-managed policies (`arn:aws:iam::<account>:policy/…`) can say anything and change after
 * review, and AWS adds managed policies (job functions such as `job-function/SystemAdministrator`, new *FullAccess
 * ones) that no list written today names.
 */
import * as fs from "fs";
import * as YAML from "yaml";

/**
 * Read-only AWS-managed policies of data services a workload commonly reads; anything else is requested as explicit
 * actions in policyStatements, which the component validates and the preview shows.
 */
export const DEFAULT_ALLOWED_MANAGED_POLICY_ARNS: readonly string[] = [
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonSNSReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess",
];

/**
 * AWS-managed policies granting administrator, IAM-write or organization access, and every job-function policy: the
 * portal refuses to start with any of them on its allowlist (a configuration mistake, not a choice to honour).
 */
export const PRIVILEGED_MANAGED_POLICIES: readonly string[] = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AWSOrganizationsFullAccess"];

const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/(.+)$/;

/** Checks an allowlist at start: IAM policy ARNs only, none privileged. Returns it, or throws naming the entry. */
export function checkAllowlist(arns: readonly string[], source = "allowedManagedPolicyArns"): readonly string[] {
    for (const arn of arns) {
        const match = POLICY_ARN.exec(arn);
        if (!match) throw new Error(`${source}: "${arn}" is not an IAM policy ARN`);
        const name = match[2];
        if (match[1] === "aws" && (PRIVILEGED_MANAGED_POLICIES.includes(name) || name.startsWith("job-function/"))) {
            throw new Error(`${source}: ${name} grants administrator, IAM-write or job-function access; the portal does not hand it out`);
        }
    }
    return arns;
}

/** The allowlist from the environment: `PORTAL_ALLOWED_MANAGED_POLICIES` (comma-separated) or `PORTAL_POLICY_FILE`. */
export function allowlistFromEnvironment(env: Record<string, string | undefined>): readonly string[] | undefined {
    if (env.PORTAL_ALLOWED_MANAGED_POLICIES !== undefined) {
        return checkAllowlist(env.PORTAL_ALLOWED_MANAGED_POLICIES.split(",").map((arn) => arn.trim()).filter(Boolean), "PORTAL_ALLOWED_MANAGED_POLICIES");
    }
    if (env.PORTAL_POLICY_FILE) {
        const text = fs.readFileSync(env.PORTAL_POLICY_FILE, "utf8");
        const parsed = (env.PORTAL_POLICY_FILE.endsWith(".json") ? JSON.parse(text) : YAML.parse(text)) as { allowedManagedPolicyArns?: unknown } | null;
        const arns = parsed?.allowedManagedPolicyArns;
        if (!Array.isArray(arns) || !arns.every((a) => typeof a === "string")) throw new Error(`${env.PORTAL_POLICY_FILE}: expected { allowedManagedPolicyArns: [ARN, …] }`);
        return checkAllowlist(arns, env.PORTAL_POLICY_FILE);
    }
    return undefined;
}
