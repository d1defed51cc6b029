import { Problems } from "../validation/problems";
import { parseClusterArn, parseOidcProviderArn } from "./arn";
import { PolicyDocumentJson, StatementJson } from "./policyDocument";
import * as pulumi from "@pulumi/pulumi";
import { IAM_LIMITS, checkPolicyDocument, policySize } from "./validation";

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

/** A workload's trust settings with every input resolved; see `TrustSettings` for what each one means. */
export interface WorkloadTrustInputs {
    /** The workload's own cluster; unused (may be empty) when `clusterArns` is given or nothing needs it. */
    clusterArn: string;
    clusterArns: string[];
    sourceAccounts: string[];
    anyCluster?: boolean;
    anySourceAccount?: boolean;
    anyNamespace?: boolean;
    anyServiceAccount?: boolean;
    namespaces?: string[];
    serviceAccounts?: string[];
    /** Without session tags EKS sends no `kubernetes-*` request tags, so nothing can be pinned to them. */
    sessionTagsDisabled: boolean;
    namespace: string;
    serviceAccount: string;
    irsaOidcProviderArn?: string;
    /** The user's extra statements, already checked and rendered (see `./trustStatement`). */
    additionalStatements: StatementJson[];
}

/**
 * The trust policy of a workload's role: its defaults pin the workload's cluster, that cluster's account, and its
 * own namespace and service account; the lists widen and the `any*` flags drop each pin.
 */
export function workloadTrustPolicy(inputs: WorkloadTrustInputs): PolicyDocumentJson {
    const trustedClusters = inputs.clusterArns.length > 0 ? inputs.clusterArns : [inputs.clusterArn];
    const sourceAccounts = inputs.anySourceAccount
        ? []
        : inputs.sourceAccounts.length > 0
          ? inputs.sourceAccounts
          : [...new Set(trustedClusters.map((arn) => parseClusterArn(arn)!.accountId))];
    const irsa = inputs.irsaOidcProviderArn;
    return buildTrustPolicy({
        clusterArns: inputs.anyCluster ? [] : trustedClusters,
        sourceAccounts,
        namespaces: inputs.sessionTagsDisabled || inputs.anyNamespace ? [] : inputs.namespaces ?? [inputs.namespace],
        serviceAccounts: inputs.sessionTagsDisabled || inputs.anyServiceAccount ? [] : inputs.serviceAccounts ?? [inputs.serviceAccount],
        irsa: irsa ? { oidcProviderArn: irsa, issuer: parseOidcProviderArn(irsa)!.issuer, namespace: inputs.namespace, serviceAccount: inputs.serviceAccount } : undefined,
        additionalStatements: inputs.additionalStatements,
    });
}

/** A trust policy checked as such and rendered to JSON; problems are thrown as the component's input errors. */
export function renderTrustPolicy(component: string, document: PolicyDocumentJson): string {
    const check = new Problems();
    checkPolicyDocument(check, "trust", document, { kind: "trust" });
    checkTrustPolicySize(check, document);
    check.throwIfAny(component);
    return JSON.stringify(document, null, 2);
}

/**
 * IAM User Guide, "IAM and AWS STS quotas": a role trust policy holds 2,048 characters by default, raisable through
 * Service Quotas to at most 4,096 (whitespace excluded). Beyond the maximum no account can create the role; between
 * the two only an account with the raised quota can, which preview cannot know, so that is a warning.
 */
export function checkTrustPolicySize(problems: Problems, document: PolicyDocumentJson): void {
    const size = policySize(document);
    if (size > IAM_LIMITS.trustPolicyMax) {
        problems.add("trust", `the trust policy is ${size} characters; IAM allows at most ${IAM_LIMITS.trustPolicyMax} (with a raised quota): trust fewer principals, clusters or accounts`);
    } else if (size > IAM_LIMITS.trustPolicyDefault) {
        pulumi.log.warn(`the trust policy is ${size} characters: over IAM's default quota of ${IAM_LIMITS.trustPolicyDefault}, so creating the role needs the "Role trust policy length" quota raised`);
    }
}
