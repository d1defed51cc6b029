import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Cluster Autoscaler: scales the Auto Scaling groups tagged for the given clusters. */
export interface ClusterAutoscalerPolicy {
    /**
     * Clusters whose node groups it may scale, matched on the `k8s.io/cluster-autoscaler/<cluster>: owned` tag.
     * Default: the workload's cluster.
     */
    clusterNames?: pulumi.Input<string>[];
}

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

export const clusterAutoscalerDefinition: WellKnownAddOn<ClusterAutoscalerPolicy> = {
    title: "Cluster Autoscaler",
    source: "kubernetes/autoscaler cluster-autoscaler-1.36.1 (35e8a280) cluster-autoscaler/cloudprovider/aws/README.md",
    check: checkClusterAutoscaler,
    render: clusterAutoscaler,
};
