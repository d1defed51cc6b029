import { Corpus } from "./case";
import { ACCOUNT, clusterArnOf, policyArnOf, roleArnOf } from "../support/awsIds";
import { SHAPES } from "../../provider/wellKnownPolicies/common";

/**
 * Every input a component accepts as an Output (every `pulumi.Input` leaf of its args, see `laterInputPatterns`), each
 * at one concrete path of valid args: the places where a value may be known only later, and so where the components
 * must give a value the same verdict whether it is plain or arrives as an Output. Values to try there are below.
 */

export interface InputSite {
    component: Corpus["component"];
    /** The input's path, as the components name it in their errors. */
    path: string;
    /** Valid args with a good value at `path`. */
    base: Record<string, unknown>;
    /** What the site is about, when one path has several bases. */
    note?: string;
}

const CLUSTER = clusterArnOf("prod");
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const workload = { clusterName: "prod", clusterArn: CLUSTER, namespace: "later" };
const statement = { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] };
const trustStatement = { principals: [{ type: "AWS", identifiers: [roleArnOf("ci")] }], actions: ["sts:AssumeRole"] };
const document = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::orders/*" }] };
const target = { roleArn: roleArnOf("reader", "/", "444455556666") };

/** A good value for each list of a well-known policy's settings, and the settings each policy requires. */
const WELL_KNOWN: Record<string, { fields: Record<string, string>; required?: Record<string, string[]> }> = {
    ebsCsiDriver: { fields: { kmsKeyArns: SHAPES.kmsKey.example } },
    efsCsiDriver: { fields: { fileSystemArns: SHAPES.efsFileSystem.example } },
    fsxLustreCsiDriver: { fields: { dataRepositoryBucketArns: SHAPES.s3Bucket.example } },
    mountpointS3CsiDriver: { fields: { bucketArns: SHAPES.s3Bucket.example, kmsKeyArns: SHAPES.kmsKey.example }, required: { bucketArns: [SHAPES.s3Bucket.example] } },
    externalDns: { fields: { hostedZoneIds: SHAPES.hostedZoneId.example } },
    certManager: { fields: { hostedZoneIds: SHAPES.hostedZoneId.example } },
    externalSecrets: { fields: { secretsManagerArns: SHAPES.secret.example, ssmParameterArns: SHAPES.ssmParameter.example, kmsKeyArns: SHAPES.kmsKey.example }, required: { secretsManagerArns: [SHAPES.secret.example] } },
    clusterAutoscaler: { fields: { clusterNames: "prod" } },
    karpenter: { fields: { nodeRoleArns: SHAPES.role.example, interruptionQueueArn: SHAPES.sqsQueue.example }, required: { nodeRoleArns: [SHAPES.role.example] } },
    velero: { fields: { bucketArns: SHAPES.s3Bucket.example, kmsKeyArns: SHAPES.kmsKey.example }, required: { bucketArns: [SHAPES.s3Bucket.example] } },
    nodeTerminationHandler: { fields: { queueArns: SHAPES.sqsQueue.example } },
    amazonManagedPrometheus: { fields: { workspaceArns: SHAPES.apsWorkspace.example } },
    appMeshEnvoy: { fields: { virtualNodeArns: SHAPES.appMeshNode.example, certificateArns: SHAPES.acmCertificate.example, certificateAuthorityArns: SHAPES.privateCa.example }, required: { virtualNodeArns: [SHAPES.appMeshNode.example] } },
    privateCaIssuer: { fields: { certificateAuthorityArns: SHAPES.privateCa.example } },
};

/** The permission inputs both role-making components share: managed policy ARNs, statements and inline documents. */
function permissionSites(component: InputSite["component"], base: Record<string, unknown>): InputSite[] {
    const conditions = [{ test: "StringEquals", variable: "aws:ResourceTag/team", values: ["orders"] }];
    return [
        { component, path: "managedPolicyArns[0]", base: { ...base, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } },
        { component, path: "policyStatements[0].resources[0]", base: { ...base, policyStatements: [statement] } },
        { component, path: "policyStatements[0].notResources[0]", base: { ...base, policyStatements: [{ actions: ["s3:GetObject"], notResources: ["arn:aws:s3:::orders/*"] }] } },
        { component, path: "policyStatements[0].conditions[0].values[0]", base: { ...base, policyStatements: [{ ...statement, conditions }] } },
        { component, path: "inlinePolicies[0].policy", base: { ...base, inlinePolicies: [{ name: "raw", policy: document }] } },
    ];
}

/** One site per list of a well-known policy (and Karpenter's single queue ARN), under `at` (`wellKnownPolicies` or `policies`). */
function wellKnownSites(component: InputSite["component"], at: string, base: Record<string, unknown>): InputSite[] {
    return Object.entries(WELL_KNOWN).flatMap(([key, { fields, required }]) =>
        Object.entries(fields).map(([field, good]) => {
            const single = field === "interruptionQueueArn";
            return {
                component,
                path: `${at}.${key}.${field}${single ? "" : "[0]"}`,
                base: { ...base, [at]: { [key]: { ...required, [field]: single ? good : [good] } } },
            };
        }),
    );
}

export const inputSites: InputSite[] = [
    // PodIdentityWorkload
    { component: "PodIdentityWorkload", path: "clusterName", base: { clusterName: "prod", namespace: "later" }, note: "cluster ARN looked up" },
    { component: "PodIdentityWorkload", path: "clusterName", base: workload, note: "with the cluster's ARN" },
    { component: "PodIdentityWorkload", path: "clusterArn", base: workload },
    // A namespace known only later cannot be told apart from Kubernetes' own before it is created: see the rules' tests.
    { component: "PodIdentityWorkload", path: "namespace", base: { ...workload, createNamespace: false } },
    { component: "PodIdentityWorkload", path: "namespace", base: { ...workload, createNamespace: false, trust: { namespaces: ["later"] } }, note: "with trusted namespaces" },
    { component: "PodIdentityWorkload", path: "serviceAccountName", base: { ...workload, serviceAccountName: "app" } },
    { component: "PodIdentityWorkload", path: "serviceAccountName", base: { ...workload, serviceAccountName: "app", trust: { serviceAccounts: ["app"] } }, note: "with trusted service accounts" },
    { component: "PodIdentityWorkload", path: "roleArn", base: { ...workload, roleArn: roleArnOf("existing") } },
    { component: "PodIdentityWorkload", path: "role.permissionsBoundary", base: { ...workload, role: { permissionsBoundary: policyArnOf("boundary") } } },
    { component: "PodIdentityWorkload", path: "trust.clusterArns[0]", base: { ...workload, trust: { clusterArns: [CLUSTER] } } },
    { component: "PodIdentityWorkload", path: "trust.sourceAccounts[0]", base: { ...workload, trust: { sourceAccounts: [ACCOUNT] } } },
    { component: "PodIdentityWorkload", path: "trust.irsaOidcProviderArn", base: { ...workload, trust: { irsaOidcProviderArn: OIDC } } },
    { component: "PodIdentityWorkload", path: "trust.additionalStatements[0].principals[0].identifiers[0]", base: { ...workload, trust: { additionalStatements: [trustStatement] } } },
    {
        component: "PodIdentityWorkload",
        path: "trust.additionalStatements[0].conditions[0].values[0]",
        base: { ...workload, trust: { additionalStatements: [{ ...trustStatement, conditions: [{ test: "StringEquals", variable: "aws:PrincipalTag/team", values: ["orders"] }] }] } },
    },
    ...permissionSites("PodIdentityWorkload", workload),
    { component: "PodIdentityWorkload", path: "association.sessionPolicy", base: { ...workload, association: { disableSessionTags: true, sessionPolicy: document } } },
    ...wellKnownSites("PodIdentityWorkload", "wellKnownPolicies", workload),
    { component: "PodIdentityWorkload", path: "workload.image", base: { ...workload, workload: { image: "nginx:1.27", runAsUser: 1000 } } },
    { component: "PodIdentityWorkload", path: "workload.command[0]", base: { ...workload, workload: { image: "nginx", runAsUser: 1000, command: ["nginx"] } } },
    { component: "PodIdentityWorkload", path: "workload.args[0]", base: { ...workload, workload: { image: "nginx", runAsUser: 1000, args: ["-g"] } } },
    { component: "PodIdentityWorkload", path: "workload.env.LOG_LEVEL", base: { ...workload, workload: { image: "nginx", runAsUser: 1000, env: { LOG_LEVEL: "info" } } } },
    { component: "PodIdentityWorkload", path: "workload.podAnnotations.note", base: { ...workload, workload: { image: "nginx", runAsUser: 1000, podAnnotations: { note: "hello" } } } },
    { component: "PodIdentityWorkload", path: "crossAccount.targets[0].roleArn", base: { ...workload, crossAccount: { targets: [target] } } },
    {
        component: "PodIdentityWorkload",
        path: "crossAccount.targets[0].roleArn",
        base: { ...workload, association: { disableSessionTags: true }, crossAccount: { mode: "native", targets: [target] } },
        note: "native mode",
    },
    { component: "PodIdentityWorkload", path: "crossAccount.targets[0].externalId", base: { ...workload, crossAccount: { targets: [{ ...target, externalId: "ext-0001" }] } } },
    { component: "PodIdentityWorkload", path: "fargateProfileSelectors", base: { ...workload, fargateProfileSelectors: [{ namespace: "later" }] } },
    // Read only to check Kubernetes objects the component creates (none here): the reading is tested against the test
    // cluster in kubernetes-ownership.test.ts.
    {
        component: "PodIdentityWorkload",
        path: "kubeconfig",
        base: { ...workload, createNamespace: false, createServiceAccount: false, kubeconfig: "apiVersion: v1\nkind: Config\n" },
        note: "no Kubernetes object created",
    },
    // PodIdentityAgent
    { component: "PodIdentityAgent", path: "clusterName", base: { clusterName: "agent-later", addonVersion: "v1.3.4-eksbuild.1" } },
    { component: "PodIdentityAgent", path: "kubernetesVersion", base: { clusterName: "agent-later", kubernetesVersion: "1.31" } },
    // CrossAccountRole
    ...((): InputSite[] => {
        const base = { sourceRoleArns: [roleArnOf("source")], clusterArns: [CLUSTER], namespaces: ["apps"], serviceAccounts: ["app"] };
        return [
            { component: "CrossAccountRole", path: "sourceRoleArns[0]", base },
            { component: "CrossAccountRole", path: "clusterArns[0]", base },
            { component: "CrossAccountRole", path: "externalId", base: { sourceRoleArns: [roleArnOf("source")], trustMode: "externalId", externalId: "ext-0000" } },
            { component: "CrossAccountRole", path: "role.permissionsBoundary", base: { ...base, role: { permissionsBoundary: policyArnOf("boundary") } } },
            ...permissionSites("CrossAccountRole", base),
        ];
    })(),
    // WellKnownPolicySet
    { component: "WellKnownPolicySet", path: "clusterArn", base: { clusterArn: CLUSTER, policies: { vpcCni: {} } } },
    ...wellKnownSites("WellKnownPolicySet", "policies", { clusterArn: CLUSTER }),
];

/**
 * Values to try at a site: the families of mistakes the rules refuse (other ARN kinds where one kind belongs, a URL
 * scheme, whitespace around a good value, an empty or missing segment, another partition, wrong types) and a few
 * that are fine. Most are refused at most sites; what matters is that a value gets one verdict however it arrives.
 */
export function candidatesFor(good: unknown): unknown[] {
    const text = typeof good === "string" ? good : undefined;
    const around = text === undefined ? [] : [` ${text}`, `${text} `, `${text}\n`, `\t${text}`, `https://${text}`, `${text}/`, `${text}*`];
    return [
        good,
        ...around,
        "",
        "x",
        "Bad_Name!",
        "a".repeat(300),
        ACCOUNT,
        "*",
        roleArnOf("app"),
        roleArnOf("app", "/team/"),
        "arn:aws:iam::123456789012:roleapp",
        "arn:aws:iam::123456789012:role/",
        "arn:aws-cn:iam::123456789012:role/app",
        policyArnOf("p"),
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policyReadOnlyAccess",
        CLUSTER,
        "arn:aws-cn:eks:cn-north-1:123456789012:cluster/prod",
        "arn:aws:sts::123456789012:assumed-role/app/session",
        OIDC,
        "arn:aws:iam::123456789012:oidc-provider/https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com:443/id/EXAMPLE",
        "arn:aws:iam::123456789012:oidc-provider/",
        "arn:aws:s3:::orders/*",
        "{not json",
        5,
        true,
        null,
        ["x"],
        { a: "b" },
        { Version: "2012-10-17", Statement: [] },
        [{ namespace: "" }],
    ];
}
