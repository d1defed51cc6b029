import { Problems } from "../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, checkValue, dnsSuffix, document, statement } from "./common";
import { ClusterAutoscalerPolicy, KarpenterPolicy, NodeTerminationHandlerPolicy } from "./types";
import type { Unwrapped } from "./types";

/**
 * Cluster Autoscaler.
 * Source: kubernetes/autoscaler cluster-autoscaler-1.36.1 (35e8a280), cluster-autoscaler/cloudprovider/aws/README.md,
 * "Full Cluster Autoscaler Features Policy (Recommended)": same actions (autoscaling:DescribeTags left the list
 * upstream in 2024). The scaling actions are restricted with a tag condition as the README recommends
 * (`aws:ResourceTag/k8s.io/cluster-autoscaler/<cluster>: owned`, one statement per cluster since the key names the
 * cluster) and eks:DescribeNodegroup (upstream `*`) to the clusters' node groups.
 */
export function clusterAutoscaler(inputs: Unwrapped<ClusterAutoscalerPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const clusters = inputs.clusterNames && inputs.clusterNames.length > 0 ? inputs.clusterNames : [env.clusterName];
    return [
        {
            document: document(
                statement(
                    "Describe",
                    [
                        "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeLaunchConfigurations",
                        "autoscaling:DescribeScalingActivities", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
                    ],
                    "*",
                ),
                statement("DescribeNodegroups", ["eks:DescribeNodegroup"], clusters.map((c) => `arn:${env.partition}:eks:${env.region}:${env.accountId}:nodegroup/${c}/*/*`)),
                ...clusters.map((c, i) =>
                    statement(`ScaleOwnedGroups${i}`, ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"], "*", {
                        StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${c}`]: "owned" },
                    }),
                ),
            ),
        },
    ];
}

export function checkClusterAutoscaler(problems: Problems, path: string, inputs: ClusterAutoscalerPolicy): void {
    checkList(problems, `${path}.clusterNames`, inputs.clusterNames, SHAPES.clusterName, false);
}

/**
 * Karpenter (v1).
 * Source: aws/karpenter-provider-aws v1.5.0, website/content/en/docs/getting-started/getting-started-with-karpenter/
 * cloudformation.yaml: the controller's NodeLifecycle, IAMIntegration, EKSIntegration, Interruption and
 * ResourceDiscovery policies, rendered for this cluster, region and account. Upstream ships five managed policies
 * because together they exceed one managed policy's 6,144 characters; here they are two: node lifecycle, and the rest.
 */
export function karpenter(inputs: Unwrapped<KarpenterPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const { partition: p, region: r, accountId: a, clusterName: c } = env;
    const ec2 = (resource: string, account = "*") => `arn:${p}:ec2:${r}:${account}:${resource}`;
    const owned = `kubernetes.io/cluster/${c}`;
    const created = [ec2("fleet/*"), ec2("instance/*"), ec2("volume/*"), ec2("network-interface/*"), ec2("launch-template/*"), ec2("spot-instances-request/*")];
    const profiles = `arn:${p}:iam::${a}:instance-profile/*`;
    const suffix = dnsSuffix(p);
    return [
        {
            part: "node-lifecycle",
            document: document(
                statement("AllowScopedEC2InstanceAccessActions", ["ec2:RunInstances", "ec2:CreateFleet"], [ec2("image/*", ""), ec2("snapshot/*", ""), ec2("security-group/*"), ec2("subnet/*"), ec2("capacity-reservation/*")]),
                statement("AllowScopedEC2LaunchTemplateAccessActions", ["ec2:RunInstances", "ec2:CreateFleet"], ec2("launch-template/*"), {
                    StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                }),
                statement("AllowScopedEC2InstanceActionsWithTags", ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"], created, {
                    StringEquals: { [`aws:RequestTag/${owned}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": c },
                    StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
                }),
                statement("AllowScopedResourceCreationTagging", ["ec2:CreateTags"], created, {
                    StringEquals: { [`aws:RequestTag/${owned}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": c, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                    StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
                }),
                statement("AllowScopedResourceTagging", ["ec2:CreateTags"], ec2("instance/*"), {
                    StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                    StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": c },
                    "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
                }),
                statement("AllowScopedDeletion", ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"], [ec2("instance/*"), ec2("launch-template/*")], {
                    StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                }),
            ),
        },
        {
            part: "integration",
            document: document(
                statement("AllowPassingInstanceRole", ["iam:PassRole"], inputs.nodeRoleArns, { StringEquals: { "iam:PassedToService": [`ec2.${suffix}`] } }),
                statement("AllowScopedInstanceProfileCreationActions", ["iam:CreateInstanceProfile"], profiles, {
                    StringEquals: { [`aws:RequestTag/${owned}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": c, "aws:RequestTag/topology.kubernetes.io/region": r },
                    StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                }),
                statement("AllowScopedInstanceProfileTagActions", ["iam:TagInstanceProfile"], profiles, {
                    StringEquals: {
                        [`aws:ResourceTag/${owned}`]: "owned",
                        "aws:ResourceTag/topology.kubernetes.io/region": r,
                        [`aws:RequestTag/${owned}`]: "owned",
                        "aws:RequestTag/eks:eks-cluster-name": c,
                        "aws:RequestTag/topology.kubernetes.io/region": r,
                    },
                    StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                }),
                statement("AllowScopedInstanceProfileActions", ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"], profiles, {
                    StringEquals: { [`aws:ResourceTag/${owned}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": r },
                    StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                }),
                statement("AllowAPIServerEndpointDiscovery", ["eks:DescribeCluster"], `arn:${p}:eks:${r}:${a}:cluster/${c}`),
                inputs.interruptionQueueArn !== undefined &&
                    statement("AllowInterruptionQueueActions", ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], inputs.interruptionQueueArn),
                statement(
                    "AllowRegionalReadActions",
                    [
                        "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplates", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
                    ],
                    "*",
                    { StringEquals: { "aws:RequestedRegion": r } },
                ),
                statement("AllowSSMReadActions", ["ssm:GetParameter"], `arn:${p}:ssm:${r}::parameter/aws/service/*`),
                statement("AllowPricingReadActions", ["pricing:GetProducts"], "*"),
                statement("AllowUnscopedInstanceProfileListAction", ["iam:ListInstanceProfiles"], "*"),
                statement("AllowInstanceProfileReadActions", ["iam:GetInstanceProfile"], profiles),
            ),
        },
    ];
}

export function checkKarpenter(problems: Problems, path: string, inputs: KarpenterPolicy): void {
    checkList(problems, `${path}.nodeRoleArns`, inputs.nodeRoleArns, SHAPES.role, true);
    if (inputs.interruptionQueueArn !== undefined) {
        checkValue(problems, `${path}.interruptionQueueArn`, inputs.interruptionQueueArn, SHAPES.sqsQueue);
    }
}

/**
 * AWS Node Termination Handler, queue-processor mode.
 * Source: aws/aws-node-termination-handler v1.25.6 (77ca841d), README.md, the IAM policy of the queue-processor
 * Deployment: same actions, all on `*` upstream. Auto Scaling lifecycle and describe actions stay on `*` (the groups
 * are whatever sends events); the SQS actions are narrowed to the given queues.
 */
export function nodeTerminationHandler(inputs: Unwrapped<NodeTerminationHandlerPolicy>): WellKnownDocument[] {
    return [
        {
            document: document(
                statement("AutoScaling", ["autoscaling:CompleteLifecycleAction", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags", "ec2:DescribeInstances"], "*"),
                statement("Queue", ["sqs:DeleteMessage", "sqs:ReceiveMessage"], inputs.queueArns),
            ),
        },
    ];
}

export function checkNodeTerminationHandler(problems: Problems, path: string, inputs: NodeTerminationHandlerPolicy): void {
    checkList(problems, `${path}.queueArns`, inputs.queueArns, SHAPES.sqsQueue, true);
}
