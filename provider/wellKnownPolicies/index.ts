import { checkClusterArn } from "../iam/arn";
import { checkPolicyDocument, policySize } from "../iam/validation";
import { PolicyDocumentJson } from "../iam/policyDocument";
import { Problems, describe, inputError, keyPath } from "../validation/problems";
import { PolicyEnvironment, WellKnownDocument, environmentOf } from "./common";
import { amazonManagedPrometheus, checkAmazonManagedPrometheus, checkCloudWatchObservability, cloudWatchObservability } from "./observability";
import { checkClusterAutoscaler, checkKarpenter, checkNodeTerminationHandler, clusterAutoscaler, karpenter, nodeTerminationHandler } from "./compute";
import {
    appMeshController,
    appMeshEnvoy,
    awsLoadBalancerController,
    certManager,
    checkAppMeshController,
    checkAppMeshEnvoy,
    checkAwsLoadBalancerController,
    checkCertManager,
    checkExternalDns,
    checkGatewayApiController,
    checkVpcCni,
    externalDns,
    gatewayApiController,
    vpcCni,
} from "./networking";
import { checkExternalSecrets, checkPrivateCaIssuer, externalSecrets, privateCaIssuer } from "./security";
import {
    checkEbsCsiDriver,
    checkEfsCsiDriver,
    checkFsxLustreCsiDriver,
    checkMountpointS3CsiDriver,
    checkVelero,
    ebsCsiDriver,
    efsCsiDriver,
    fsxLustreCsiDriver,
    mountpointS3CsiDriver,
    velero,
} from "./storage";
import { ResolvedWellKnownPolicies, WellKnownPolicies, WellKnownPolicyKey } from "./types";

export * from "./types";
export { PolicyEnvironment, WellKnownDocument, environmentOf } from "./common";
export {
    amazonManagedPrometheus,
    appMeshController,
    appMeshEnvoy,
    awsLoadBalancerController,
    certManager,
    cloudWatchObservability,
    clusterAutoscaler,
    ebsCsiDriver,
    efsCsiDriver,
    externalDns,
    externalSecrets,
    fsxLustreCsiDriver,
    gatewayApiController,
    karpenter,
    mountpointS3CsiDriver,
    nodeTerminationHandler,
    privateCaIssuer,
    velero,
    vpcCni,
};

/** A managed policy's document may hold 6,144 characters, whitespace excluded. */
export const MANAGED_POLICY_LIMIT = 6144;

export interface WellKnownPolicyDefinition<K extends WellKnownPolicyKey> {
    /** The add-on, for documentation. */
    title: string;
    /** Names of the documents when the policy renders several (each becomes its own managed policy). Default: one. */
    parts?: string[];
    /** Upstream source and version the policy follows. */
    source: string;
    check(problems: Problems, path: string, inputs: NonNullable<WellKnownPolicies[K]>): void;
    render(inputs: NonNullable<ResolvedWellKnownPolicies[K]>, env: PolicyEnvironment): WellKnownDocument[];
}

/** Every well-known policy, in the order they are documented and rendered. */
export const WELL_KNOWN_POLICIES: { [K in WellKnownPolicyKey]-?: WellKnownPolicyDefinition<K> } = {
    awsLoadBalancerController: { title: "AWS Load Balancer Controller", source: "kubernetes-sigs/aws-load-balancer-controller v3.5.0 (11eb202c) docs/install/iam_policy.json", check: checkAwsLoadBalancerController, render: awsLoadBalancerController },
    ebsCsiDriver: { title: "Amazon EBS CSI driver", source: "kubernetes-sigs/aws-ebs-csi-driver v1.45.0 docs/example-iam-policy.json, docs/install.md (KMS)", check: checkEbsCsiDriver, render: ebsCsiDriver },
    efsCsiDriver: { title: "Amazon EFS CSI driver", source: "kubernetes-sigs/aws-efs-csi-driver v3.4.1 (3fcc6bdd) docs/iam-policy-example.json", check: checkEfsCsiDriver, render: efsCsiDriver },
    fsxLustreCsiDriver: { title: "Amazon FSx for Lustre CSI driver", source: "kubernetes-sigs/aws-fsx-csi-driver v1.9.0 (0267bab6) docs/install.md", check: checkFsxLustreCsiDriver, render: fsxLustreCsiDriver },
    mountpointS3CsiDriver: { title: "Mountpoint for Amazon S3 CSI driver", source: "awslabs/mountpoint-s3-csi-driver v2.7.0 (a2d4b067) docs/CONFIGURATION.md; awslabs/mountpoint-s3 mountpoint-s3-1.23.0 (4f38ff8b) doc/CONFIGURATION.md", check: checkMountpointS3CsiDriver, render: mountpointS3CsiDriver },
    vpcCni: { title: "Amazon VPC CNI", source: "aws/amazon-vpc-cni-k8s v1.23.0 (0c65d58c) docs/iam-policy.md (IPv4 = AWS managed policy AmazonEKS_CNI_Policy v6)", check: checkVpcCni, render: vpcCni },
    externalDns: { title: "ExternalDNS (Route 53)", source: "kubernetes-sigs/external-dns v0.22.0 (994f908d) docs/tutorials/aws.md", check: checkExternalDns, render: externalDns },
    certManager: { title: "cert-manager (Route 53 DNS-01)", source: "cert-manager/website 776e5dba (untagged) content/v1.20-docs/configuration/acme/dns01/route53.md", check: checkCertManager, render: certManager },
    externalSecrets: { title: "External Secrets Operator", source: "external-secrets/external-secrets v2.9.0 (378bdb62) docs/provider/aws-secrets-manager.md, aws-parameter-store.md", check: checkExternalSecrets, render: externalSecrets },
    clusterAutoscaler: { title: "Cluster Autoscaler", source: "kubernetes/autoscaler cluster-autoscaler-1.36.1 (35e8a280) cluster-autoscaler/cloudprovider/aws/README.md", check: checkClusterAutoscaler, render: clusterAutoscaler },
    karpenter: { title: "Karpenter", parts: ["node-lifecycle", "integration"], source: "aws/karpenter-provider-aws v1.5.0 getting-started cloudformation.yaml", check: checkKarpenter, render: karpenter },
    velero: { title: "Velero (AWS plugin)", source: "vmware-tanzu/velero-plugin-for-aws v1.13.2 (18469e73) README.md", check: checkVelero, render: velero },
    nodeTerminationHandler: { title: "AWS Node Termination Handler", source: "aws/aws-node-termination-handler v1.25.6 (77ca841d) README.md (queue processor)", check: checkNodeTerminationHandler, render: nodeTerminationHandler },
    amazonManagedPrometheus: { title: "Amazon Managed Service for Prometheus", source: "AWS managed policies AmazonPrometheusRemoteWriteAccess v1, AmazonPrometheusQueryAccess v1 (AWS Managed Policy Reference; no tagged upstream file)", check: checkAmazonManagedPrometheus, render: amazonManagedPrometheus },
    appMeshController: { title: "AWS App Mesh controller", source: "aws/aws-app-mesh-controller-for-k8s v1.13.3 (82693f8c) config/iam/controller-iam-policy.json", check: checkAppMeshController, render: appMeshController },
    appMeshEnvoy: { title: "App Mesh Envoy proxy", source: "aws/aws-app-mesh-controller-for-k8s v1.13.3 (82693f8c) config/iam/envoy-iam-policy.json", check: checkAppMeshEnvoy, render: appMeshEnvoy },
    cloudWatchObservability: { title: "Amazon CloudWatch Observability add-on", source: "AWS managed policies CloudWatchAgentServerPolicy v3, AWSXrayWriteOnlyAccess v2 (EKS User Guide, amazon-cloudwatch-observability add-on; no tagged upstream file)", check: checkCloudWatchObservability, render: cloudWatchObservability },
    gatewayApiController: { title: "AWS Gateway API controller (VPC Lattice)", source: "aws/aws-application-networking-k8s v1.1.0 files/controller-installation/recommended-inline-policy.json", check: checkGatewayApiController, render: gatewayApiController },
    privateCaIssuer: { title: "AWS Private CA Issuer", source: "cert-manager/aws-privateca-issuer v1.9.0 (60430210) README.md", check: checkPrivateCaIssuer, render: privateCaIssuer },
};

export const WELL_KNOWN_POLICY_KEYS = Object.keys(WELL_KNOWN_POLICIES) as WellKnownPolicyKey[];

/** `ebsCsiDriver` → `ebs-csi-driver`. */
export function kebab(key: string): string {
    return key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();
}

/** The keys present, in definition order. */
export function enabledWellKnownPolicies(policies: WellKnownPolicies | undefined): WellKnownPolicyKey[] {
    return policies && typeof policies === "object" ? WELL_KNOWN_POLICY_KEYS.filter((key) => policies[key] !== undefined) : [];
}

/**
 * Checks the inputs. Plain values are checked; values not known yet are skipped (check again once resolved).
 * Every problem names its input path under `path`, e.g. `wellKnownPolicies.externalDns.hostedZoneIds[0]`.
 */
export function checkWellKnownPolicies(problems: Problems, path: string, policies: unknown): void {
    if (policies === undefined) {
        return;
    }
    if (typeof policies !== "object" || policies === null || Array.isArray(policies)) {
        problems.add(path, `expected an object of policy name → settings, got ${describe(policies)}`);
        return;
    }
    for (const [key, inputs] of Object.entries(policies)) {
        if (!(WELL_KNOWN_POLICY_KEYS as string[]).includes(key)) {
            problems.add(keyPath(path, key), `unknown well-known policy: use one of ${WELL_KNOWN_POLICY_KEYS.join(", ")}`);
            continue;
        }
        if (inputs === undefined) {
            continue;
        }
        if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
            problems.add(`${path}.${key}`, `expected an object of settings (give {} for the defaults), got ${describe(inputs)}`);
            continue;
        }
        const definition = WELL_KNOWN_POLICIES[key as WellKnownPolicyKey] as WellKnownPolicyDefinition<WellKnownPolicyKey>;
        definition.check(problems, `${path}.${key}`, inputs as never);
    }
}

export interface RenderedWellKnownPolicy {
    key: WellKnownPolicyKey;
    /** `well-known-<key>` or `well-known-<key>-<part>`: the managed policy's name suffix. */
    name: string;
    document: PolicyDocumentJson;
}

/**
 * Checks and renders the enabled policies for a cluster. Problems (bad inputs, a document over a managed policy's
 * size, a rendered document failing the policy checks) are added under `path`; nothing is returned for a policy with
 * problems.
 */
export function renderWellKnownPolicies(problems: Problems, path: string, policies: ResolvedWellKnownPolicies, env: PolicyEnvironment): RenderedWellKnownPolicy[] {
    const before = problems.list.length;
    checkWellKnownPolicies(problems, path, policies);
    if (problems.list.length > before) {
        return [];
    }
    const rendered: RenderedWellKnownPolicy[] = [];
    for (const key of enabledWellKnownPolicies(policies as WellKnownPolicies)) {
        const definition = WELL_KNOWN_POLICIES[key] as WellKnownPolicyDefinition<WellKnownPolicyKey>;
        for (const { part, document } of definition.render(policies[key] as never, env)) {
            const name = `well-known-${kebab(key)}${part ? `-${part}` : ""}`;
            checkPolicyDocument(problems, `${path}.${key}`, document, { kind: "identity" });
            const size = policySize(document);
            if (size > MANAGED_POLICY_LIMIT) {
                problems.add(`${path}.${key}`, `renders ${size} characters${part ? ` (part ${part})` : ""}; a managed policy holds ${MANAGED_POLICY_LIMIT}: give fewer ARNs (a name pattern such as "…:secret:prod/*" covers many)`);
            }
            rendered.push({ key, name, document });
        }
    }
    return problems.list.length > before ? [] : rendered;
}

/**
 * Standalone use: the documents of the enabled policies for the cluster with this ARN, to attach to any role.
 * Throws an input error listing every problem.
 */
export function wellKnownPolicyDocuments(policies: ResolvedWellKnownPolicies, clusterArn: string): RenderedWellKnownPolicy[] {
    const problems = new Problems();
    checkClusterArn(problems, "clusterArn", clusterArn);
    if (problems.list.length > 0) {
        throw inputError("wellKnownPolicyDocuments", problems.list);
    }
    const rendered = renderWellKnownPolicies(problems, "wellKnownPolicies", policies, environmentOf(clusterArn)!);
    if (problems.list.length > 0) {
        throw inputError("wellKnownPolicyDocuments", problems.list);
    }
    return rendered;
}

/** The managed policies the enabled well-known policies become, named as `renderWellKnownPolicies` names them. */
export function wellKnownPolicyNames(policies: WellKnownPolicies | undefined): { key: WellKnownPolicyKey; name: string }[] {
    return enabledWellKnownPolicies(policies).flatMap((key) =>
        (WELL_KNOWN_POLICIES[key].parts ?? [undefined]).map((part) => ({ key, name: `well-known-${kebab(key)}${part ? `-${part}` : ""}` })),
    );
}

