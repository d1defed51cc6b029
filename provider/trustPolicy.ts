import { PolicyDocumentJson, StatementJson } from "./policyDocument";

/** The service principal EKS Pod Identity assumes roles as. */
export const POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com";
/** EKS needs both: AssumeRole for the credentials, TagSession for the session tags. */
export const POD_IDENTITY_TRUST_ACTIONS = ["sts:AssumeRole", "sts:TagSession"];

export interface TrustPolicyInputs {
    /** `aws:SourceArn` values: the clusters allowed to hand out this role. Empty: no SourceArn condition. */
    clusterArns: string[];
    /** `aws:SourceAccount` values. Empty: no SourceAccount condition. */
    sourceAccounts: string[];
    /** `aws:RequestTag/kubernetes-namespace` values. Empty: no namespace condition. */
    namespaces: string[];
    /** `aws:RequestTag/kubernetes-service-account` values. Empty: no service-account condition. */
    serviceAccounts: string[];
    /** IRSA migration: also trust this OIDC provider for the workload's service account. */
    irsa?: { oidcProviderArn: string; issuer: string; namespace: string; serviceAccount: string };
    /** Statements appended as given. */
    additionalStatements: StatementJson[];
}

function oneOrMany(values: string[]): string | string[] {
    return values.length === 1 ? values[0] : [...values];
}

/**
 * The role's trust policy. Each condition narrows who may obtain the role's credentials:
 * SourceAccount and SourceArn stop another account's or another cluster's Pod Identity from assuming it (the
 * confused-deputy guard), and the request-tag conditions stop another namespace or service account of the same
 * cluster from being associated with it.
 */
export function buildTrustPolicy(inputs: TrustPolicyInputs): PolicyDocumentJson {
    const stringEquals: Record<string, string | string[]> = {};
    if (inputs.sourceAccounts.length > 0) {
        stringEquals["aws:SourceAccount"] = oneOrMany(inputs.sourceAccounts);
    }
    if (inputs.namespaces.length > 0) {
        stringEquals["aws:RequestTag/kubernetes-namespace"] = oneOrMany(inputs.namespaces);
    }
    if (inputs.serviceAccounts.length > 0) {
        stringEquals["aws:RequestTag/kubernetes-service-account"] = oneOrMany(inputs.serviceAccounts);
    }
    const condition: Record<string, Record<string, string | string[]>> = {};
    if (Object.keys(stringEquals).length > 0) {
        condition.StringEquals = stringEquals;
    }
    if (inputs.clusterArns.length > 0) {
        condition.ArnEquals = { "aws:SourceArn": oneOrMany(inputs.clusterArns) };
    }
    const podIdentity: StatementJson = {
        Sid: "EksPodIdentity",
        Effect: "Allow",
        Principal: { Service: POD_IDENTITY_PRINCIPAL },
        Action: [...POD_IDENTITY_TRUST_ACTIONS],
    };
    if (Object.keys(condition).length > 0) {
        podIdentity.Condition = condition;
    }
    const statements: StatementJson[] = [podIdentity];
    if (inputs.irsa) {
        const { issuer, namespace, serviceAccount, oidcProviderArn } = inputs.irsa;
        statements.push({
            Sid: "IrsaMigration",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: ["sts:AssumeRoleWithWebIdentity"],
            Condition: {
                StringEquals: {
                    [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                    [`${issuer}:aud`]: "sts.amazonaws.com",
                },
            },
        });
    }
    statements.push(...inputs.additionalStatements);
    return { Version: "2012-10-17", Statement: statements };
}
