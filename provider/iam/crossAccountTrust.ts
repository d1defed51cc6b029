import { PolicyDocumentJson, StatementJson } from "./policyDocument";

/**
 * Trust policy of a role in another account (account B) that a Pod Identity role (account A) chains into.
 * The principal is account A as a whole, narrowed by `aws:PrincipalArn` to the source roles: a trust naming the
 * role ARN directly would break silently if the role were ever recreated.
 */
export interface CrossAccountTrustInputs {
    /** ARNs of the Pod Identity roles allowed to chain into this role. */
    sourceRoleArns: string[];
    /**
     * `sessionTags`: pin the caller's transitive Pod Identity session tags (cluster, namespace, service account);
     * `externalId`: require `sts:ExternalId` (for associations with session tags disabled).
     */
    mode: "sessionTags" | "externalId";
    /** With `sessionTags`: allowed `eks-cluster-arn` values. */
    clusterArns?: string[];
    /** With `sessionTags`: allowed `kubernetes-namespace` values. */
    namespaces?: string[];
    /** With `sessionTags`: allowed `kubernetes-service-account` values. */
    serviceAccounts?: string[];
    /** With `externalId`: the external id the caller must present. */
    externalId?: string;
}

function oneOrMany(values: string[]): string | string[] {
    return values.length === 1 ? values[0] : [...values];
}

function accountOf(roleArn: string): { partition: string; account: string } {
    const [, partition, , , account] = roleArn.split(":");
    return { partition, account };
}

export function buildCrossAccountTrustPolicy(inputs: CrossAccountTrustInputs): PolicyDocumentJson {
    const principals = [...new Set(inputs.sourceRoleArns.map((arn) => {
        const { partition, account } = accountOf(arn);
        return `arn:${partition}:iam::${account}:root`;
    }))];
    const stringEquals: Record<string, string | string[]> = {};
    if (inputs.mode === "sessionTags") {
        // EKS marks its session tags transitive, so they arrive as request tags on the chained AssumeRole.
        if (inputs.clusterArns?.length) {
            stringEquals["aws:RequestTag/eks-cluster-arn"] = oneOrMany(inputs.clusterArns);
        }
        if (inputs.namespaces?.length) {
            stringEquals["aws:RequestTag/kubernetes-namespace"] = oneOrMany(inputs.namespaces);
        }
        if (inputs.serviceAccounts?.length) {
            stringEquals["aws:RequestTag/kubernetes-service-account"] = oneOrMany(inputs.serviceAccounts);
        }
    } else if (inputs.externalId !== undefined) {
        stringEquals["sts:ExternalId"] = inputs.externalId;
    }
    const principal = { AWS: oneOrMany(principals) };
    const fromSourceRoles = { "aws:PrincipalArn": oneOrMany(inputs.sourceRoleArns) };
    if (inputs.mode === "sessionTags") {
        // One statement: the transitive session tags ride along on the chained AssumeRole, which needs TagSession too.
        return {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ChainFromPodIdentity",
                    Effect: "Allow",
                    Principal: principal,
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: { ArnEquals: fromSourceRoles, ...(Object.keys(stringEquals).length > 0 ? { StringEquals: stringEquals } : {}) },
                },
            ],
        };
    }
    // sts:ExternalId is not a condition key of sts:TagSession, so a single statement would deny any caller whose
    // session still carries (transitive) tags: TagSession gets its own statement, pinned to the source roles only.
    const assume: StatementJson = {
        Sid: "ChainFromPodIdentity",
        Effect: "Allow",
        Principal: principal,
        Action: ["sts:AssumeRole"],
        Condition: { ArnEquals: fromSourceRoles, ...(Object.keys(stringEquals).length > 0 ? { StringEquals: stringEquals } : {}) },
    };
    const tag: StatementJson = { Sid: "PassSessionTags", Effect: "Allow", Principal: principal, Action: ["sts:TagSession"], Condition: { ArnEquals: fromSourceRoles } };
    return { Version: "2012-10-17", Statement: [assume, tag] };
}
