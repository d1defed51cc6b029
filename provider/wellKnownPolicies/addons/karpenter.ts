import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, checkValue, dnsSuffix, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Karpenter (v1): launches and terminates the instances of this cluster's node pools. */
export interface KarpenterPolicy {
    /** ARNs of the node roles Karpenter passes to the instances it launches. Required, at least one. */
    nodeRoleArns: pulumi.Input<string>[];
    /** ARN of the SQS interruption queue (`--interruption-queue`). Default: none (interruption handling off). */
    interruptionQueueArn?: pulumi.Input<string>;
}

/**
 * Karpenter (v1).
 * Source: aws/karpenter-provider-aws v1.10.0 (d80cb864), website/content/en/docs/getting-started/
 * getting-started-with-karpenter/cloudformation.yaml, the same policies through v1.11.3 (v1.8.0 added
 * iam:ListInstanceProfiles, v1.10.0 split the controller policy in five, v1.12.0 added ec2:DescribePlacementGroups):
 * the controller's NodeLifecycle, IAMIntegration, EKSIntegration, Interruption and ResourceDiscovery policies,
 * rendered for this cluster, region and account. Upstream ships five managed policies
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

export const karpenterDefinition: WellKnownAddOn<KarpenterPolicy> = {
    title: "Karpenter",
    parts: ["node-lifecycle", "integration"],
    source: "aws/karpenter-provider-aws v1.10.0 (d80cb864) getting-started cloudformation.yaml",
    check: checkKarpenter,
    render: karpenter,
};
