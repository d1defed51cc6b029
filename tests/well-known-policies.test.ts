import test from "ava";
import * as fs from "fs";
import * as path from "path";
import { checkPolicyDocument } from "../provider/iam/validation";
import { Problems } from "../provider/validation/problems";
import { ResolvedWellKnownPolicies, WELL_KNOWN_POLICIES, WELL_KNOWN_POLICY_KEYS, WellKnownPolicyKey, wellKnownPolicyDocuments } from "../provider/wellKnownPolicies";
import { ACCOUNT, REGION, clusterArnOf } from "./support/awsIds";
import { HOSTED_ZONE_ID as ZONE } from "./support/fixtures";
import { PolicyDocument, evaluate } from "./support/iamEvaluator";

/**
 * Every well-known policy, rendered for cluster `prod`, proven with the IAM evaluator: allowed for the resources its
 * inputs name (with the tags or context upstream's conditions require), denied for others, and its rendered JSON
 * passes the component's own policy checks.
 */

const CLUSTER = clusterArnOf("prod");
const arn = (service: string, resource: string, region = REGION, account = ACCOUNT) => `arn:aws:${service}:${region}:${account}:${resource}`;
const KEY = arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab");
const OTHER_KEY = arn("kms", "key/9999abcd-12ab-34cd-56ef-1234567890ab");
const CA = arn("acm-pca", "certificate-authority/12345678-1234-1234-1234-123456789012");
const OTHER_CA = arn("acm-pca", "certificate-authority/87654321-1234-1234-1234-123456789012");
const QUEUE = arn("sqs", "prod-interruptions");
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/KarpenterNodeRole-prod`;
const WORKSPACE = arn("aps", "workspace/ws-12345678-abcd-1234-abcd-123456789012");
const VIRTUAL_NODE = arn("appmesh", "mesh/apps/virtualNode/orders");
const ASG = (name: string) => arn("autoscaling", `autoScalingGroup:6d4e6a6e-1111-2222-3333-444455556666:autoScalingGroupName/${name}`);
const LB = arn("elasticloadbalancing", "loadbalancer/app/web/50dc6c495c0c9188");
const SG = arn("ec2", "security-group/sg-0123456789abcdef0");
const VOLUME = arn("ec2", "volume/vol-0123456789abcdef0");
const SNAPSHOT = `arn:aws:ec2:${REGION}::snapshot/snap-0123456789abcdef0`;
const INSTANCE = arn("ec2", "instance/i-0123456789abcdef0");
const ENI = arn("ec2", "network-interface/eni-0123456789abcdef0");
const FS = arn("elasticfilesystem", "file-system/fs-0123456789abcdef0");
const OTHER_FS = arn("elasticfilesystem", "file-system/fs-0fedcba987654321f");
const S3_FILES_FS = arn("s3files", "file-system/fs-0123456789abcdef1");
const OTHER_S3_FILES_FS = arn("s3files", "file-system/fs-0fedcba987654321e");
const SLR = (service: string, role: string) => `arn:aws:iam::${ACCOUNT}:role/aws-service-role/${service}/${role}`;
const tags = (prefix: string, t: Record<string, string>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [`${prefix}/${k}`, v]));
const requestTags = (t: Record<string, string>) => ({ ...tags("aws:RequestTag", t), "aws:TagKeys": Object.keys(t) });

interface Case {
    action: string;
    resource: string;
    context?: Record<string, string | string[]>;
    /** Why this request is allowed or denied. */
    why: string;
}

interface Matrix {
    inputs: ResolvedWellKnownPolicies;
    allowed: Case[];
    denied: Case[];
}

const MATRICES: Record<WellKnownPolicyKey, Matrix[]> = {
    awsLoadBalancerController: [
        {
            inputs: { awsLoadBalancerController: {} },
            allowed: [
                { action: "elasticloadbalancing:CreateLoadBalancer", resource: LB, context: requestTags({ "elbv2.k8s.aws/cluster": "prod" }), why: "a load balancer tagged as the controller's" },
                { action: "elasticloadbalancing:DeleteLoadBalancer", resource: LB, context: tags("aws:ResourceTag", { "elbv2.k8s.aws/cluster": "prod" }), why: "its own load balancer" },
                { action: "ec2:DeleteSecurityGroup", resource: SG, context: tags("aws:ResourceTag", { "elbv2.k8s.aws/cluster": "prod" }), why: "its own security group" },
                { action: "elasticloadbalancing:RegisterTargets", resource: arn("elasticloadbalancing", "targetgroup/web/73e2d6bc24d8a067"), why: "targets of target groups" },
            ],
            denied: [
                { action: "elasticloadbalancing:CreateLoadBalancer", resource: LB, why: "an untagged load balancer" },
                { action: "elasticloadbalancing:DeleteLoadBalancer", resource: LB, why: "someone else's (untagged) load balancer" },
                { action: "ec2:DeleteSecurityGroup", resource: SG, why: "someone else's security group" },
                { action: "ec2:TerminateInstances", resource: INSTANCE, why: "an action it does not need" },
            ],
        },
    ],
    ebsCsiDriver: [
        {
            inputs: { ebsCsiDriver: { kmsKeyArns: [KEY] } },
            allowed: [
                { action: "ec2:AttachVolume", resource: VOLUME, why: "attach volumes" },
                { action: "ec2:DeleteVolume", resource: VOLUME, context: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" }, why: "a volume the driver created" },
                { action: "kms:CreateGrant", resource: KEY, context: { "kms:GrantIsForAWSResource": "true" }, why: "a grant for EBS on the given key" },
                { action: "kms:Decrypt", resource: KEY, why: "the given key" },
            ],
            denied: [
                { action: "ec2:DeleteVolume", resource: VOLUME, why: "a volume the driver did not create" },
                { action: "kms:CreateGrant", resource: KEY, context: { "kms:GrantIsForAWSResource": "false" }, why: "a grant for a principal, not an AWS service" },
                { action: "kms:Decrypt", resource: OTHER_KEY, why: "another key" },
                { action: "ec2:DeleteSnapshot", resource: SNAPSHOT, why: "a snapshot the driver did not create" },
            ],
        },
    ],
    efsCsiDriver: [
        {
            inputs: { efsCsiDriver: { fileSystemArns: [FS] } },
            allowed: [
                { action: "elasticfilesystem:CreateAccessPoint", resource: FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "a tagged access point on the given file system" },
                { action: "elasticfilesystem:DeleteAccessPoint", resource: arn("elasticfilesystem", "access-point/fsap-0123456789abcdef0"), context: tags("aws:ResourceTag", { "efs.csi.aws.com/cluster": "true" }), why: "its own access point" },
            ],
            denied: [
                { action: "elasticfilesystem:CreateAccessPoint", resource: OTHER_FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "another file system" },
                { action: "elasticfilesystem:CreateAccessPoint", resource: FS, why: "an untagged access point" },
                { action: "elasticfilesystem:DeleteAccessPoint", resource: arn("elasticfilesystem", "access-point/fsap-0123456789abcdef0"), why: "someone else's access point" },
                { action: "elasticfilesystem:DeleteFileSystem", resource: FS, why: "an action it does not need" },
                { action: "s3files:CreateAccessPoint", resource: S3_FILES_FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "an S3 Files file system when only EFS ones are named" },
            ],
        },
        {
            inputs: { efsCsiDriver: {} },
            allowed: [
                { action: "elasticfilesystem:CreateAccessPoint", resource: OTHER_FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "a tagged access point on any EFS file system (upstream's default)" },
                { action: "s3files:CreateAccessPoint", resource: S3_FILES_FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "a tagged access point on any S3 Files file system" },
                { action: "s3files:DeleteAccessPoint", resource: `${S3_FILES_FS}/access-point/fsap-0123456789abcdef0`, context: tags("aws:ResourceTag", { "efs.csi.aws.com/cluster": "true" }), why: "its own S3 Files access point" },
            ],
            denied: [
                { action: "s3files:CreateAccessPoint", resource: S3_FILES_FS, why: "an untagged S3 Files access point" },
                { action: "s3files:DeleteAccessPoint", resource: `${S3_FILES_FS}/access-point/fsap-0123456789abcdef0`, why: "someone else's S3 Files access point" },
                { action: "s3files:DeleteFileSystem", resource: S3_FILES_FS, why: "an action it does not need" },
            ],
        },
        {
            inputs: { efsCsiDriver: { fileSystemArns: [S3_FILES_FS] } },
            allowed: [{ action: "s3files:CreateAccessPoint", resource: S3_FILES_FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "a tagged access point on the given S3 Files file system" }],
            denied: [
                { action: "s3files:CreateAccessPoint", resource: OTHER_S3_FILES_FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "another S3 Files file system" },
                { action: "elasticfilesystem:CreateAccessPoint", resource: FS, context: requestTags({ "efs.csi.aws.com/cluster": "true" }), why: "an EFS file system when only S3 Files ones are named" },
            ],
        },
    ],
    fsxLustreCsiDriver: [
        {
            inputs: { fsxLustreCsiDriver: { dataRepositoryBucketArns: ["arn:aws:s3:::training-data"] } },
            allowed: [
                { action: "fsx:CreateFileSystem", resource: arn("fsx", "file-system/fs-0123456789abcdef0"), why: "a file system in this account and region" },
                { action: "s3:ListBucket", resource: "arn:aws:s3:::training-data", why: "the data repository" },
                { action: "iam:CreateServiceLinkedRole", resource: SLR("fsx.amazonaws.com", "AWSServiceRoleForAmazonFSx"), context: { "iam:AWSServiceName": "fsx.amazonaws.com" }, why: "FSx's service-linked role" },
            ],
            denied: [
                { action: "fsx:DeleteFileSystem", resource: arn("fsx", "file-system/fs-0123456789abcdef0", "us-east-1"), why: "another region" },
                { action: "s3:ListBucket", resource: "arn:aws:s3:::other-bucket", why: "another bucket" },
                { action: "iam:CreateServiceLinkedRole", resource: SLR("ecs.amazonaws.com", "AWSServiceRoleForECS"), context: { "iam:AWSServiceName": "ecs.amazonaws.com" }, why: "another service's role" },
            ],
        },
    ],
    mountpointS3CsiDriver: [
        {
            inputs: { mountpointS3CsiDriver: { bucketArns: ["arn:aws:s3:::models"] } },
            allowed: [
                { action: "s3:GetObject", resource: "arn:aws:s3:::models/llm/weights.bin", why: "objects of the bucket" },
                { action: "s3:PutObject", resource: "arn:aws:s3:::models/out.txt", why: "writes to the bucket" },
                { action: "s3:ListBucket", resource: "arn:aws:s3:::models", why: "listing the bucket" },
            ],
            denied: [
                { action: "s3:GetObject", resource: "arn:aws:s3:::other/weights.bin", why: "another bucket" },
                { action: "s3:DeleteBucket", resource: "arn:aws:s3:::models", why: "an action it does not need" },
            ],
        },
        {
            inputs: { mountpointS3CsiDriver: { bucketArns: ["arn:aws:s3:::models"], readOnly: true } },
            allowed: [{ action: "s3:GetObject", resource: "arn:aws:s3:::models/a", why: "read-only reads" }],
            denied: [{ action: "s3:PutObject", resource: "arn:aws:s3:::models/a", why: "read-only: no writes" }],
        },
    ],
    vpcCni: [
        {
            inputs: { vpcCni: {} },
            allowed: [
                { action: "ec2:AssignPrivateIpAddresses", resource: ENI, why: "IPv4 addresses" },
                { action: "ec2:CreateTags", resource: ENI, why: "tagging network interfaces" },
            ],
            denied: [
                { action: "ec2:CreateTags", resource: INSTANCE, why: "tagging anything else" },
                { action: "ec2:AssignIpv6Addresses", resource: ENI, why: "IPv6 in an IPv4 cluster" },
            ],
        },
        {
            inputs: { vpcCni: { ipFamily: "ipv6" } },
            allowed: [{ action: "ec2:AssignIpv6Addresses", resource: ENI, why: "IPv6 addresses" }],
            denied: [{ action: "ec2:AssignPrivateIpAddresses", resource: ENI, why: "IPv4 addresses in an IPv6 cluster" }],
        },
    ],
    externalDns: [
        {
            inputs: { externalDns: { hostedZoneIds: [ZONE] } },
            allowed: [
                { action: "route53:ChangeResourceRecordSets", resource: `arn:aws:route53:::hostedzone/${ZONE}`, why: "records of the given zone" },
                { action: "route53:ListTagsForResources", resource: `arn:aws:route53:::hostedzone/${ZONE}`, why: "zone tags, for its zone filters" },
            ],
            denied: [
                { action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/ZOTHERZONE0000", why: "another zone" },
                { action: "route53:ListTagsForResources", resource: "arn:aws:route53:::healthcheck/abcdef11-2222-3333-4444-555555fedcba", why: "health checks" },
                { action: "route53:DeleteHostedZone", resource: `arn:aws:route53:::hostedzone/${ZONE}`, why: "an action it does not need" },
            ],
        },
    ],
    certManager: [
        {
            inputs: { certManager: { hostedZoneIds: [ZONE] } },
            allowed: [
                {
                    action: "route53:ChangeResourceRecordSets",
                    resource: `arn:aws:route53:::hostedzone/${ZONE}`,
                    context: { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.shop.example.com"] },
                    why: "the challenge record",
                },
                { action: "route53:GetChange", resource: "arn:aws:route53:::change/C0123456789ABC", why: "polling the change" },
            ],
            denied: [
                {
                    action: "route53:ChangeResourceRecordSets",
                    resource: `arn:aws:route53:::hostedzone/${ZONE}`,
                    context: { "route53:ChangeResourceRecordSetsRecordTypes": ["A"], "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["shop.example.com"] },
                    why: "an A record",
                },
                {
                    action: "route53:ChangeResourceRecordSets",
                    resource: "arn:aws:route53:::hostedzone/ZOTHERZONE0000",
                    context: { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"], "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.other.example.com"] },
                    why: "another zone",
                },
            ],
        },
    ],
    externalSecrets: [
        {
            inputs: {
                externalSecrets: {
                    secretsManagerArns: [arn("secretsmanager", "secret:prod/orders-*")],
                    ssmParameterArns: [arn("ssm", "parameter/prod/*")],
                    kmsKeyArns: [KEY],
                },
            },
            allowed: [
                { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:prod/orders-AbCdEf"), why: "the given secret" },
                { action: "ssm:GetParameter", resource: arn("ssm", "parameter/prod/db/url"), why: "a parameter under the path" },
                { action: "ssm:GetParameterHistory", resource: arn("ssm", "parameter/prod/db/url"), why: "upstream's ssm:GetParameter*" },
                { action: "kms:Decrypt", resource: KEY, why: "the given key" },
            ],
            denied: [
                { action: "secretsmanager:GetSecretValue", resource: arn("secretsmanager", "secret:dev/orders-AbCdEf"), why: "another secret" },
                { action: "ssm:GetParameter", resource: arn("ssm", "parameter/dev/db/url"), why: "another parameter" },
                { action: "secretsmanager:PutSecretValue", resource: arn("secretsmanager", "secret:prod/orders-AbCdEf"), why: "writing secrets" },
                { action: "ssm:PutParameter", resource: arn("ssm", "parameter/prod/db/url"), why: "writing parameters (PushSecret)" },
            ],
        },
    ],
    clusterAutoscaler: [
        {
            inputs: { clusterAutoscaler: {} },
            allowed: [
                { action: "autoscaling:SetDesiredCapacity", resource: ASG("prod-ng"), context: tags("aws:ResourceTag", { "k8s.io/cluster-autoscaler/prod": "owned" }), why: "this cluster's group" },
                { action: "eks:DescribeNodegroup", resource: arn("eks", "nodegroup/prod/general/1111-2222"), why: "this cluster's node groups" },
            ],
            denied: [
                { action: "autoscaling:SetDesiredCapacity", resource: ASG("staging-ng"), context: tags("aws:ResourceTag", { "k8s.io/cluster-autoscaler/staging": "owned" }), why: "another cluster's group" },
                { action: "autoscaling:TerminateInstanceInAutoScalingGroup", resource: ASG("untagged"), why: "an untagged group" },
                { action: "eks:DescribeNodegroup", resource: arn("eks", "nodegroup/staging/general/1111-2222"), why: "another cluster's node groups" },
            ],
        },
    ],
    karpenter: [
        {
            inputs: { karpenter: { nodeRoleArns: [NODE_ROLE], interruptionQueueArn: QUEUE } },
            allowed: [
                { action: "ec2:TerminateInstances", resource: INSTANCE, context: tags("aws:ResourceTag", { "kubernetes.io/cluster/prod": "owned", "karpenter.sh/nodepool": "default" }), why: "its own node" },
                { action: "iam:PassRole", resource: NODE_ROLE, context: { "iam:PassedToService": "ec2.amazonaws.com" }, why: "the node role to EC2" },
                { action: "eks:DescribeCluster", resource: CLUSTER, why: "its cluster's endpoint" },
                { action: "sqs:ReceiveMessage", resource: QUEUE, why: "the interruption queue" },
            ],
            denied: [
                { action: "ec2:TerminateInstances", resource: INSTANCE, context: tags("aws:ResourceTag", { "kubernetes.io/cluster/prod": "owned" }), why: "a node outside its node pools" },
                { action: "ec2:TerminateInstances", resource: INSTANCE, context: tags("aws:ResourceTag", { "kubernetes.io/cluster/staging": "owned", "karpenter.sh/nodepool": "default" }), why: "another cluster's node" },
                { action: "iam:PassRole", resource: `arn:aws:iam::${ACCOUNT}:role/Admin`, context: { "iam:PassedToService": "ec2.amazonaws.com" }, why: "another role" },
                { action: "eks:DescribeCluster", resource: clusterArnOf("staging"), why: "another cluster" },
                { action: "sqs:ReceiveMessage", resource: arn("sqs", "other"), why: "another queue" },
            ],
        },
    ],
    velero: [
        {
            inputs: { velero: { bucketArns: ["arn:aws:s3:::backups"], kmsKeyArns: [KEY] } },
            allowed: [
                { action: "s3:PutObject", resource: "arn:aws:s3:::backups/prod/backup.tar.gz", why: "backups into the bucket" },
                { action: "s3:ListBucket", resource: "arn:aws:s3:::backups", why: "listing the bucket" },
                { action: "ec2:CreateSnapshot", resource: SNAPSHOT, why: "EBS snapshots" },
            ],
            denied: [
                { action: "s3:PutObject", resource: "arn:aws:s3:::other/x", why: "another bucket" },
                { action: "ec2:DeleteVolume", resource: VOLUME, why: "an action it does not need" },
                { action: "kms:Decrypt", resource: OTHER_KEY, why: "another key" },
            ],
        },
    ],
    nodeTerminationHandler: [
        {
            inputs: { nodeTerminationHandler: { queueArns: [QUEUE] } },
            allowed: [{ action: "sqs:DeleteMessage", resource: QUEUE, why: "the given queue" }],
            denied: [
                { action: "sqs:DeleteMessage", resource: arn("sqs", "orders"), why: "another queue" },
                { action: "sqs:SendMessage", resource: QUEUE, why: "an action it does not need" },
            ],
        },
    ],
    amazonManagedPrometheus: [
        {
            inputs: { amazonManagedPrometheus: { workspaceArns: [WORKSPACE] } },
            allowed: [{ action: "aps:RemoteWrite", resource: WORKSPACE, why: "the given workspace" }],
            denied: [
                { action: "aps:RemoteWrite", resource: arn("aps", "workspace/ws-other"), why: "another workspace" },
                { action: "aps:QueryMetrics", resource: WORKSPACE, why: "queries without query: true" },
            ],
        },
        {
            inputs: { amazonManagedPrometheus: { workspaceArns: [WORKSPACE], remoteWrite: false, query: true } },
            allowed: [{ action: "aps:QueryMetrics", resource: WORKSPACE, why: "queries" }],
            denied: [{ action: "aps:RemoteWrite", resource: WORKSPACE, why: "writes with remoteWrite: false" }],
        },
    ],
    appMeshController: [
        {
            inputs: { appMeshController: {} },
            allowed: [
                { action: "appmesh:CreateMesh", resource: arn("appmesh", "mesh/apps"), why: "meshes" },
                { action: "iam:CreateServiceLinkedRole", resource: SLR("appmesh.amazonaws.com", "AWSServiceRoleForAppMesh"), context: { "iam:AWSServiceName": "appmesh.amazonaws.com" }, why: "App Mesh's service-linked role" },
            ],
            denied: [
                { action: "iam:CreateServiceLinkedRole", resource: SLR("ecs.amazonaws.com", "AWSServiceRoleForECS"), context: { "iam:AWSServiceName": "ecs.amazonaws.com" }, why: "another service's role" },
                { action: "appmesh:TagResource", resource: arn("appmesh", "mesh/apps"), why: "an action it does not need" },
            ],
        },
    ],
    appMeshEnvoy: [
        {
            inputs: { appMeshEnvoy: { virtualNodeArns: [VIRTUAL_NODE] } },
            allowed: [{ action: "appmesh:StreamAggregatedResources", resource: VIRTUAL_NODE, why: "its virtual node" }],
            denied: [
                { action: "appmesh:StreamAggregatedResources", resource: arn("appmesh", "mesh/apps/virtualNode/payments"), why: "another virtual node" },
                { action: "acm:ExportCertificate", resource: arn("acm", "certificate/12345678-1234-1234-1234-123456789012"), why: "no certificates given" },
            ],
        },
    ],
    cloudWatchObservability: [
        {
            inputs: { cloudWatchObservability: {} },
            allowed: [
                { action: "logs:PutLogEvents", resource: arn("logs", "log-group:/aws/containerinsights/prod/application:log-stream:node-1"), why: "this cluster's Container Insights logs" },
                { action: "logs:CreateLogGroup", resource: arn("logs", "log-group:/aws/application-signals/data"), why: "Application Signals" },
                { action: "ssm:GetParameter", resource: arn("ssm", "parameter/AmazonCloudWatch-agent-config"), why: "the agent's configuration" },
            ],
            denied: [
                { action: "logs:PutLogEvents", resource: arn("logs", "log-group:/aws/containerinsights/staging/application:log-stream:node-1"), why: "another cluster's logs" },
                { action: "logs:PutLogEvents", resource: arn("logs", "log-group:/orders/audit:log-stream:x"), why: "an application's log group" },
                { action: "ssm:GetParameter", resource: arn("ssm", "parameter/prod/db-password"), why: "other parameters" },
            ],
        },
    ],
    gatewayApiController: [
        {
            inputs: { gatewayApiController: {} },
            allowed: [
                { action: "vpc-lattice:CreateService", resource: arn("vpc-lattice", "service/svc-0123456789abcdef0"), why: "Lattice services" },
                { action: "iam:CreateServiceLinkedRole", resource: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice`, context: { "iam:AWSServiceName": "vpc-lattice.amazonaws.com" }, why: "Lattice's service-linked role" },
            ],
            denied: [
                { action: "iam:CreateServiceLinkedRole", resource: SLR("ecs.amazonaws.com", "AWSServiceRoleForECS"), context: { "iam:AWSServiceName": "ecs.amazonaws.com" }, why: "another service's role" },
                { action: "ec2:DeleteVpc", resource: arn("ec2", "vpc/vpc-0123456789abcdef0"), why: "an action it does not need" },
            ],
        },
    ],
    privateCaIssuer: [
        {
            inputs: { privateCaIssuer: { certificateAuthorityArns: [CA] } },
            allowed: [{ action: "acm-pca:IssueCertificate", resource: CA, why: "the given CA" }],
            denied: [
                { action: "acm-pca:IssueCertificate", resource: OTHER_CA, why: "another CA" },
                { action: "acm-pca:DeleteCertificateAuthority", resource: CA, why: "an action it does not need" },
            ],
        },
    ],
};

function documentsOf(inputs: ResolvedWellKnownPolicies): Record<string, PolicyDocument> {
    return Object.fromEntries(wellKnownPolicyDocuments(inputs, CLUSTER).map((r) => [r.name, r.document as PolicyDocument]));
}

const session = `arn:aws:sts::${ACCOUNT}:assumed-role/addon/eks-prod-addon-6f1c1a8e`;

/**
 * KMS authorizes only through the key policy: with the default key policy (the account may delegate to IAM), the
 * identity policy decides, as it does for a real key created with defaults.
 */
const DEFAULT_KEY_POLICY: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Sid: "EnableIamUserPermissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
};

for (const key of WELL_KNOWN_POLICY_KEYS) {
    MATRICES[key].forEach((matrix, variant) => {
        const label = `${key}${MATRICES[key].length > 1 ? ` #${variant + 1}` : ""}`;

        test(`${label}: the rendered JSON passes the policy checks and fits a managed policy`, (t) => {
            const documents = documentsOf(matrix.inputs);
            t.true(Object.keys(documents).length >= 1);
            for (const [name, document] of Object.entries(documents)) {
                const problems = new Problems();
                checkPolicyDocument(problems, name, JSON.stringify(document), { kind: "identity" });
                t.deepEqual(problems.list, [], name);
                t.true(JSON.stringify(document).length <= 6144, `${name} fits one managed policy`);
                for (const statement of document.Statement) {
                    t.regex(statement.Sid, /^[A-Za-z0-9]+$/, `${name}: every statement has a Sid`);
                }
            }
        });

        test(`${label}: allowed for what its inputs name, denied for the rest (IAM evaluator)`, async (t) => {
            const identityPolicies = documentsOf(matrix.inputs);
            for (const [expected, cases] of [["Allowed", matrix.allowed], ["ImplicitlyDenied", matrix.denied]] as const) {
                for (const c of cases) {
                    const resourceAccount = c.resource.split(":")[4] || ACCOUNT;
                    const resourcePolicy = c.action.startsWith("kms:") ? DEFAULT_KEY_POLICY : undefined;
                    const verdict = await evaluate({ principal: session, action: c.action, resource: c.resource, resourceAccount, context: c.context, identityPolicies, resourcePolicy });
                    t.is(verdict.result, expected, `${c.action} on ${c.resource}: ${c.why}`);
                    t.is(verdict.route, "validated", `${c.action}: every context key was evaluated`);
                }
            }
        });
    });
}

test("every well-known policy has an evaluator matrix, a source with a version, and a title", (t) => {
    t.deepEqual(Object.keys(MATRICES).sort(), [...WELL_KNOWN_POLICY_KEYS].sort());
    for (const key of WELL_KNOWN_POLICY_KEYS) {
        const definition = WELL_KNOWN_POLICIES[key];
        t.truthy(definition.title, key);
        t.true(MATRICES[key].every((m) => m.allowed.length > 0 && m.denied.length > 0), `${key}: both allowed and denied cases`);
        t.regex(definition.source, /v?\d+\.\d+|AWS managed polic/, `${key}: names the upstream version`);
    }
});

test("the schema's WellKnownPolicies lists the policies in the registry's order (both are kept by hand)", (t) => {
    const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "provider", "plugin", "schema.json"), "utf8"));
    t.deepEqual(Object.keys(schema.types["eks-pod-identity:index:WellKnownPolicies"].properties), WELL_KNOWN_POLICY_KEYS);
});

test("no well-known policy allows a mutating action on * without a condition where upstream names the resource", (t) => {
    // The scoped inputs end up in Resource: a policy given ARNs never falls back to "*" for the actions on them.
    const rendered = documentsOf({
        externalDns: { hostedZoneIds: [ZONE] },
        velero: { bucketArns: ["arn:aws:s3:::backups"] },
        privateCaIssuer: { certificateAuthorityArns: [CA] },
        nodeTerminationHandler: { queueArns: [QUEUE] },
        amazonManagedPrometheus: { workspaceArns: [WORKSPACE] },
    });
    for (const [name, document] of Object.entries(rendered)) {
        for (const statement of document.Statement) {
            const actions: string[] = [].concat(statement.Action);
            const named = actions.filter((a) => /^(route53:Change|s3:(Put|Get|Delete|List)|acm-pca:Issue|sqs:|aps:)/.test(a));
            if (named.length > 0) {
                t.notDeepEqual([].concat(statement.Resource), ["*"], `${name} ${statement.Sid}`);
            }
        }
    }
});
