import { PolicyStatement } from "../../provider";

/**
 * Example inputs more than one test file needs. They stand for a real user's input, so a test that checks what
 * the component makes of one (the rendered policy, what IAM then allows) and a test that checks another aspect of
 * the same input read the same value.
 */

/**
 * Seed 002: pods may read only the Secrets Manager secrets tagged with their own namespace and cluster, through the
 * session tags EKS Pod Identity attaches (attribute-based access control).
 */
export const SECRETS_ABAC_STATEMENT = {
    sid: "AuthorizeToGetSecretValue",
    actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    resources: ["*"],
    sessionTagScope: { resourceTagKeyPrefix: "secretsmanager:ResourceTag" },
} satisfies PolicyStatement;

/** Route 53 hosted zone ids of the documented shape (the two examples/platform/workloads.yaml scopes ExternalDNS to). */
export const HOSTED_ZONE_ID = "Z0123456789ABCDEFGHIJ";
export const OTHER_HOSTED_ZONE_ID = "Z9876543210KLMNOPQRST";
