import test from "ava";
import { ResolvedWellKnownPolicies, WELL_KNOWN_POLICY_KEYS, WellKnownPolicyKey, wellKnownPolicyDocuments } from "../provider/wellKnownPolicies";
import { ACCOUNT, REGION, clusterArnOf } from "./support/awsIds";
import { HOSTED_ZONE_ID as ZONE } from "./support/fixtures";

/**
 * The action set of each well-known policy against the upstream policy it follows, pinned at the version its source
 * comment names: every action upstream lists is rendered (for inputs that enable every optional part upstream has),
 * and nothing else. The resource scoping may be tighter than upstream's and is proven by the evaluator matrices of
 * well-known-policies.test.ts. Statements that are ours alone (KMS for customer-managed keys) are off here: no
 * `kmsKeyArns` is given.
 *
 * When a policy follows a newer upstream version, update its list and its source comment together.
 */

const CLUSTER = clusterArnOf("prod");
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const SECRET = arn("secretsmanager", "secret:prod/orders-*");
const PARAMETER = arn("ssm", "parameter/prod/*");
const QUEUE = arn("sqs", "prod-interruptions");
const WORKSPACE = arn("aps", "workspace/ws-12345678-abcd-1234-abcd-123456789012");
const VIRTUAL_NODE = arn("appmesh", "mesh/apps/virtualNode/orders");
const CERTIFICATE = arn("acm", "certificate/12345678-1234-1234-1234-123456789012");
const CA = arn("acm-pca", "certificate-authority/12345678-1234-1234-1234-123456789012");
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/KarpenterNodeRole-prod`;

interface Upstream {
    key: WellKnownPolicyKey;
    /** The upstream file the list was read from (the policy's source comment names the commit). */
    source: string;
    inputs: ResolvedWellKnownPolicies;
    /** Service prefix → action names, space-separated. */
    actions: Record<string, string>;
}

const UPSTREAM: Upstream[] = [
    {
        key: "awsLoadBalancerController",
        source: "kubernetes-sigs/aws-load-balancer-controller v3.5.0, docs/install/iam_policy.json",
        inputs: { awsLoadBalancerController: {} },
        actions: {
            iam: "CreateServiceLinkedRole GetServerCertificate ListServerCertificates",
            ec2:
                "AuthorizeSecurityGroupIngress CreateSecurityGroup CreateTags DeleteSecurityGroup DeleteTags " +
                "DescribeAccountAttributes DescribeAddresses DescribeAvailabilityZones DescribeCoipPools " +
                "DescribeInstances DescribeInternetGateways DescribeIpamPools DescribeNetworkInterfaces " +
                "DescribeRouteTables DescribeSecurityGroups DescribeSubnets DescribeTags " +
                "DescribeVpcPeeringConnections DescribeVpcs GetCoipPoolUsage GetSecurityGroupsForVpc " +
                "RevokeSecurityGroupIngress",
            elasticloadbalancing:
                "AddListenerCertificates AddTags CreateListener CreateLoadBalancer CreateRule CreateTargetGroup " +
                "DeleteListener DeleteLoadBalancer DeleteRule DeleteTargetGroup DeregisterTargets " +
                "DescribeCapacityReservation DescribeListenerAttributes DescribeListenerCertificates " +
                "DescribeListeners DescribeLoadBalancerAttributes DescribeLoadBalancers DescribeRules " +
                "DescribeSSLPolicies DescribeTags DescribeTargetGroupAttributes DescribeTargetGroups " +
                "DescribeTargetHealth DescribeTrustStores ModifyCapacityReservation ModifyIpPools ModifyListener " +
                "ModifyListenerAttributes ModifyLoadBalancerAttributes ModifyRule ModifyTargetGroup " +
                "ModifyTargetGroupAttributes RegisterTargets RemoveListenerCertificates RemoveTags " +
                "SetIpAddressType SetRulePriorities SetSecurityGroups SetSubnets SetWebAcl",
            "cognito-idp": "DescribeUserPoolClient",
            acm: "DescribeCertificate ListCertificates",
            "waf-regional": "AssociateWebACL DisassociateWebACL GetWebACL GetWebACLForResource",
            wafv2: "AssociateWebACL DisassociateWebACL GetWebACL GetWebACLForResource",
            shield: "CreateProtection DeleteProtection DescribeProtection GetSubscriptionState",
        },
    },
    {
        key: "ebsCsiDriver",
        source: "kubernetes-sigs/aws-ebs-csi-driver v1.54.0, docs/example-iam-policy.json",
        inputs: { ebsCsiDriver: {} },
        actions: {
            ec2:
                "AttachVolume CopyVolumes CreateSnapshot CreateTags CreateVolume DeleteSnapshot DeleteTags DeleteVolume " +
                "DescribeAvailabilityZones DescribeInstances DescribeSnapshots DescribeTags DescribeVolumeStatus " +
                "DescribeVolumes DescribeVolumesModifications DetachVolume EnableFastSnapshotRestores ModifyVolume",
        },
    },
    {
        key: "efsCsiDriver",
        source: "kubernetes-sigs/aws-efs-csi-driver v3.4.1, docs/iam-policy-example.json",
        inputs: { efsCsiDriver: {} },
        actions: {
            elasticfilesystem:
                "CreateAccessPoint DeleteAccessPoint DescribeAccessPoints DescribeFileSystems " +
                "DescribeMountTargets TagResource",
            s3files: "CreateAccessPoint DeleteAccessPoint ListAccessPoints ListFileSystems TagResource",
            ec2: "DescribeAvailabilityZones",
        },
    },
    {
        key: "fsxLustreCsiDriver",
        source: "kubernetes-sigs/aws-fsx-csi-driver v1.9.0, docs/install.md",
        inputs: { fsxLustreCsiDriver: { dataRepositoryBucketArns: ["arn:aws:s3:::training-data"] } },
        actions: {
            iam: "AttachRolePolicy CreateServiceLinkedRole PutRolePolicy",
            s3: "ListBucket",
            fsx: "CreateFileSystem DeleteFileSystem DescribeFileSystems TagResource UpdateFileSystem",
        },
    },
    {
        key: "mountpointS3CsiDriver",
        source: "awslabs/mountpoint-s3 mountpoint-s3-1.23.0, doc/CONFIGURATION.md (the CSI driver v2.7.0 defers to it)",
        inputs: { mountpointS3CsiDriver: { bucketArns: ["arn:aws:s3:::models"] } },
        actions: {
            s3: "AbortMultipartUpload DeleteObject GetObject ListBucket PutObject",
        },
    },
    {
        key: "vpcCni",
        source: "aws/amazon-vpc-cni-k8s v1.23.0, docs/iam-policy.md, IPv4 mode",
        inputs: { vpcCni: {} },
        actions: {
            ec2:
                "AssignPrivateIpAddresses AttachNetworkInterface CreateNetworkInterface CreateTags " +
                "DeleteNetworkInterface DescribeInstanceTypes DescribeInstances DescribeNetworkInterfaces " +
                "DescribeSecurityGroups DescribeSubnets DescribeTags DetachNetworkInterface " +
                "ModifyNetworkInterfaceAttribute UnassignPrivateIpAddresses",
        },
    },
    {
        key: "vpcCni",
        source: "aws/amazon-vpc-cni-k8s v1.23.0, docs/iam-policy.md, IPv6 mode",
        inputs: { vpcCni: { ipFamily: "ipv6" } },
        actions: {
            ec2:
                "AssignIpv6Addresses CreateTags DescribeInstanceTypes DescribeInstances DescribeNetworkInterfaces " +
                "DescribeSecurityGroups DescribeSubnets DescribeTags",
        },
    },
    {
        key: "externalDns",
        source: "kubernetes-sigs/external-dns v0.22.0, docs/tutorials/aws.md",
        inputs: { externalDns: { hostedZoneIds: [ZONE] } },
        actions: {
            route53: "ChangeResourceRecordSets ListHostedZones ListResourceRecordSets ListTagsForResources",
        },
    },
    {
        key: "certManager",
        source: "cert-manager/website 776e5dba, content/v1.20-docs/configuration/acme/dns01/route53.md",
        inputs: { certManager: { hostedZoneIds: [ZONE] } },
        actions: {
            route53: "ChangeResourceRecordSets GetChange ListHostedZonesByName ListResourceRecordSets",
        },
    },
    {
        key: "externalSecrets",
        source: "external-secrets v2.9.0, docs/provider/aws-secrets-manager.md and aws-parameter-store.md (ssm:GetParameter* spelled out)",
        inputs: { externalSecrets: { secretsManagerArns: [SECRET], ssmParameterArns: [PARAMETER] } },
        actions: {
            secretsmanager:
                "BatchGetSecretValue DescribeSecret GetResourcePolicy GetSecretValue ListSecretVersionIds " +
                "ListSecrets",
            ssm: "GetParameter GetParameterHistory GetParameters GetParametersByPath",
        },
    },
    {
        key: "clusterAutoscaler",
        source: "kubernetes/autoscaler cluster-autoscaler-1.36.1, cluster-autoscaler/cloudprovider/aws/README.md",
        inputs: { clusterAutoscaler: {} },
        actions: {
            autoscaling:
                "DescribeAutoScalingGroups DescribeAutoScalingInstances DescribeLaunchConfigurations " +
                "DescribeScalingActivities SetDesiredCapacity TerminateInstanceInAutoScalingGroup",
            ec2:
                "DescribeImages DescribeInstanceTypes DescribeLaunchTemplateVersions " +
                "GetInstanceTypesFromInstanceRequirements",
            eks: "DescribeNodegroup",
        },
    },
    {
        key: "karpenter",
        source: "aws/karpenter-provider-aws v1.10.0, getting-started cloudformation.yaml (the five controller policies)",
        inputs: { karpenter: { nodeRoleArns: [NODE_ROLE], interruptionQueueArn: QUEUE } },
        actions: {
            ec2:
                "CreateFleet CreateLaunchTemplate CreateTags DeleteLaunchTemplate DescribeCapacityReservations " +
                "DescribeImages DescribeInstanceTypeOfferings DescribeInstanceTypes DescribeInstances " +
                "DescribeLaunchTemplates DescribeSecurityGroups DescribeSpotPriceHistory DescribeSubnets RunInstances " +
                "TerminateInstances",
            iam:
                "AddRoleToInstanceProfile CreateInstanceProfile DeleteInstanceProfile GetInstanceProfile " +
                "ListInstanceProfiles PassRole RemoveRoleFromInstanceProfile TagInstanceProfile",
            eks: "DescribeCluster",
            sqs: "DeleteMessage GetQueueUrl ReceiveMessage",
            ssm: "GetParameter",
            pricing: "GetProducts",
        },
    },
    {
        key: "velero",
        source: "vmware-tanzu/velero-plugin-for-aws v1.13.2, README.md",
        inputs: { velero: { bucketArns: ["arn:aws:s3:::backups"] } },
        actions: {
            ec2: "CreateSnapshot CreateTags CreateVolume DeleteSnapshot DescribeSnapshots DescribeVolumes",
            s3:
                "AbortMultipartUpload DeleteObject GetObject ListBucket ListMultipartUploadParts PutObject " +
                "PutObjectTagging",
        },
    },
    {
        key: "nodeTerminationHandler",
        source: "aws/aws-node-termination-handler v1.25.6, README.md (queue processor)",
        inputs: { nodeTerminationHandler: { queueArns: [QUEUE] } },
        actions: {
            autoscaling: "CompleteLifecycleAction DescribeAutoScalingInstances DescribeTags",
            ec2: "DescribeInstances",
            sqs: "DeleteMessage ReceiveMessage",
        },
    },
    {
        key: "amazonManagedPrometheus",
        source: "AWS managed policies AmazonPrometheusRemoteWriteAccess v1 + AmazonPrometheusQueryAccess v1",
        inputs: { amazonManagedPrometheus: { workspaceArns: [WORKSPACE], query: true } },
        actions: {
            aps: "GetLabels GetMetricMetadata GetSeries QueryMetrics RemoteWrite",
        },
    },
    {
        key: "appMeshController",
        source: "aws/aws-app-mesh-controller-for-k8s v1.13.3, config/iam/controller-iam-policy.json",
        inputs: { appMeshController: {} },
        actions: {
            appmesh:
                "CreateGatewayRoute CreateMesh CreateRoute CreateVirtualGateway CreateVirtualNode " +
                "CreateVirtualRouter CreateVirtualService DeleteGatewayRoute DeleteMesh DeleteRoute " +
                "DeleteVirtualGateway DeleteVirtualNode DeleteVirtualRouter DeleteVirtualService " +
                "DescribeGatewayRoute DescribeMesh DescribeRoute DescribeVirtualGateway DescribeVirtualNode " +
                "DescribeVirtualRouter DescribeVirtualService ListGatewayRoutes ListMeshes ListRoutes " +
                "ListVirtualGateways ListVirtualNodes ListVirtualRouters ListVirtualServices UpdateGatewayRoute " +
                "UpdateMesh UpdateRoute UpdateVirtualGateway UpdateVirtualNode UpdateVirtualRouter " +
                "UpdateVirtualService",
            iam: "CreateServiceLinkedRole",
            acm: "DescribeCertificate ListCertificates",
            "acm-pca": "DescribeCertificateAuthority ListCertificateAuthorities",
            servicediscovery:
                "CreateService DeleteService DeregisterInstance GetInstance GetInstancesHealthStatus GetOperation " +
                "GetService ListInstances ListNamespaces ListServices RegisterInstance " +
                "UpdateInstanceCustomHealthStatus",
            route53: "ChangeResourceRecordSets CreateHealthCheck DeleteHealthCheck GetHealthCheck UpdateHealthCheck",
        },
    },
    {
        key: "appMeshEnvoy",
        source: "aws/aws-app-mesh-controller-for-k8s v1.13.3, config/iam/envoy-iam-policy.json",
        inputs: { appMeshEnvoy: { virtualNodeArns: [VIRTUAL_NODE], certificateArns: [CERTIFICATE], certificateAuthorityArns: [CA] } },
        actions: {
            appmesh: "StreamAggregatedResources",
            acm: "ExportCertificate",
            "acm-pca": "GetCertificateAuthorityCertificate",
        },
    },
    {
        key: "cloudWatchObservability",
        source: "AWS managed policies CloudWatchAgentServerPolicy v3 + AWSXrayWriteOnlyAccess v2",
        inputs: { cloudWatchObservability: {} },
        actions: {
            cloudwatch: "PutMetricData",
            ec2: "DescribeTags DescribeVolumes",
            logs:
                "CreateLogGroup CreateLogStream DescribeLogGroups DescribeLogStreams PutLogEvents " +
                "PutRetentionPolicy",
            xray:
                "GetSamplingRules GetSamplingStatisticSummaries GetSamplingTargets PutTelemetryRecords " +
                "PutTraceSegments",
            ssm: "GetParameter",
        },
    },
    {
        key: "gatewayApiController",
        source: "aws/aws-application-networking-k8s v1.1.7, files/controller-installation/recommended-inline-policy.json",
        inputs: { gatewayApiController: {} },
        actions: {
            "vpc-lattice": "*",
            ec2: "DescribeSecurityGroups DescribeSubnets DescribeTags DescribeVpcs",
            tag: "GetResources TagResources UntagResources",
            logs:
                "CreateLogDelivery DeleteLogDelivery DescribeLogGroups DescribeResourcePolicies GetLogDelivery " +
                "ListLogDeliveries PutResourcePolicy UpdateLogDelivery",
            firehose: "TagDeliveryStream",
            s3: "GetBucketPolicy PutBucketPolicy",
            iam: "CreateServiceLinkedRole",
        },
    },
    {
        key: "privateCaIssuer",
        source: "cert-manager/aws-privateca-issuer v1.9.0, README.md",
        inputs: { privateCaIssuer: { certificateAuthorityArns: [CA] } },
        actions: {
            "acm-pca": "DescribeCertificateAuthority GetCertificate IssueCertificate",
        },
    },
];

const expand = (actions: Record<string, string>) =>
    Object.entries(actions).flatMap(([prefix, names]) => names.trim().split(/\s+/).map((name) => `${prefix}:${name}`));

for (const upstream of UPSTREAM) {
    const label = `${upstream.key} (${upstream.source})`;
    test(`${label}: renders exactly upstream's actions`, (t) => {
        const rendered = new Set(
            wellKnownPolicyDocuments(upstream.inputs, CLUSTER).flatMap((r) => r.document.Statement.flatMap((s) => ([] as string[]).concat(s.Action as string | string[]))),
        );
        const expected = new Set(expand(upstream.actions));
        t.deepEqual([...expected].filter((a) => !rendered.has(a)).sort(), [], "missing upstream actions");
        t.deepEqual([...rendered].filter((a) => !expected.has(a)).sort(), [], "actions upstream does not list");
    });
}

test("every well-known policy is pinned to its upstream action set", (t) => {
    const pinned = new Set(UPSTREAM.map((u) => u.key));
    t.deepEqual(WELL_KNOWN_POLICY_KEYS.filter((k) => !pinned.has(k)), []);
});
