import { Problems } from "../../validation/problems";
import { PolicyEnvironment, WellKnownDocument, checkFlag, dnsSuffix, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** AWS Gateway API controller for Amazon VPC Lattice. */
export interface GatewayApiControllerPolicy {
    /** Grant the access-log delivery actions (CloudWatch Logs, S3, Firehose). Default `true` (as upstream). */
    accessLogs?: boolean;
}

/**
 * AWS Gateway API controller for Amazon VPC Lattice.
 * Source: aws/aws-application-networking-k8s v1.1.7 (1d45cbea), files/controller-installation/
 * recommended-inline-policy.json, unchanged through v2.0.1 (v1.1.7 added tag:TagResources and tag:UntagResources,
 * v2.0.2 acm:ListCertificates): same actions.
 * Lattice resources are created from Gateway API objects and named by the controller, hence `vpc-lattice:*` on `*` as
 * upstream; the service-linked roles are limited to Lattice's and log delivery's.
 */
export function gatewayApiController(inputs: Unwrapped<GatewayApiControllerPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const p = env.partition;
    const suffix = dnsSuffix(p);
    const serviceLinkedRole = (sid: string, service: string, role: string) =>
        statement(sid, ["iam:CreateServiceLinkedRole"], `arn:${p}:iam::*:role/aws-service-role/${service}.${suffix}/${role}`, {
            StringLike: { "iam:AWSServiceName": `${service}.${suffix}` },
        });
    return [
        {
            document: document(
                statement("Lattice", ["vpc-lattice:*", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeTags", "ec2:DescribeSecurityGroups", "tag:GetResources", "tag:TagResources", "tag:UntagResources"], "*"),
                inputs.accessLogs !== false &&
                    statement(
                        "AccessLogs",
                        [
                            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:DescribeLogGroups", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                            "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "firehose:TagDeliveryStream",
                            "s3:GetBucketPolicy", "s3:PutBucketPolicy",
                        ],
                        "*",
                    ),
                serviceLinkedRole("LatticeServiceLinkedRole", "vpc-lattice", "AWSServiceRoleForVpcLattice"),
                inputs.accessLogs !== false && serviceLinkedRole("LogDeliveryServiceLinkedRole", "delivery.logs", "AWSServiceRoleForLogDelivery"),
            ),
        },
    ];
}

export function checkGatewayApiController(problems: Problems, path: string, inputs: GatewayApiControllerPolicy): void {
    checkFlag(problems, `${path}.accessLogs`, inputs.accessLogs);
}

export const gatewayApiControllerDefinition: WellKnownAddOn<GatewayApiControllerPolicy> = {
    title: "AWS Gateway API controller (VPC Lattice)",
    source: "aws/aws-application-networking-k8s v1.1.7 (1d45cbea) files/controller-installation/recommended-inline-policy.json",
    check: checkGatewayApiController,
    render: gatewayApiController,
};
