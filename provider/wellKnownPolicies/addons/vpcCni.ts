import { Problems } from "../../validation/problems";
import { PolicyEnvironment, WellKnownDocument, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Amazon VPC CNI plugin (`aws-node`): the network-interface permissions of `AmazonEKS_CNI_Policy`, or its IPv6 variant. */
export interface VpcCniPolicy {
    /** The cluster's IP family. Default `ipv4`. */
    ipFamily?: "ipv4" | "ipv6";
}

/**
 * Amazon VPC CNI plugin.
 * Source: aws/amazon-vpc-cni-k8s v1.23.0 (0c65d58c), docs/iam-policy.md "Generic IAM policies", IPv4 and IPv6
 * modes (the IPv4 one equals AWS managed policy AmazonEKS_CNI_Policy v6 of 2026-03-04, as zoph-io/MAMIP records it).
 * Same actions, including ec2:DescribeSubnets and ec2:DescribeSecurityGroups. Network interfaces are created before they can be tagged or
 * named, so the actions stay on `*` as upstream; tagging is limited to network interfaces.
 */
export function vpcCni(inputs: Unwrapped<VpcCniPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const ipv6 = inputs.ipFamily === "ipv6";
    const describe = ["ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstanceTypes", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets"];
    return [
        {
            document: document(
                ipv6
                    ? statement("IPv6", ["ec2:AssignIpv6Addresses", ...describe], "*")
                    : statement(
                          "IPv4",
                          [
                              "ec2:AssignPrivateIpAddresses", "ec2:AttachNetworkInterface", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                              ...describe, "ec2:DetachNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute", "ec2:UnassignPrivateIpAddresses",
                          ],
                          "*",
                      ),
                statement("TagNetworkInterfaces", ["ec2:CreateTags"], `arn:${env.partition}:ec2:*:*:network-interface/*`),
            ),
        },
    ];
}

export function checkVpcCni(problems: Problems, path: string, inputs: VpcCniPolicy): void {
    if (inputs.ipFamily !== undefined && inputs.ipFamily !== "ipv4" && inputs.ipFamily !== "ipv6") {
        problems.add(`${path}.ipFamily`, `${JSON.stringify(inputs.ipFamily)} is not allowed: use "ipv4" or "ipv6"`);
    }
}

export const vpcCniDefinition: WellKnownAddOn<VpcCniPolicy> = {
    title: "Amazon VPC CNI",
    source: "aws/amazon-vpc-cni-k8s v1.23.0 (0c65d58c) docs/iam-policy.md (IPv4 = AWS managed policy AmazonEKS_CNI_Policy v6)",
    check: checkVpcCni,
    render: vpcCni,
};
