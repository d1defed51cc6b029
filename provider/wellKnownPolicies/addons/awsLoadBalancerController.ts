import { Problems } from "../../validation/problems";
import { PolicyEnvironment, WellKnownDocument, checkFlag, dnsSuffix, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** AWS Load Balancer Controller: scoped as upstream scopes it, by the `elbv2.k8s.aws/cluster` tag on what it creates. */
export interface AwsLoadBalancerControllerPolicy {
    /**
     * Grant the WAF (Regional and v2) and Shield actions for `alb.ingress.kubernetes.io/wafv2-acl-arn`,
     * `waf-acl-id` and `shield-advanced-protection`. Default `true` (as upstream).
     */
    webAclAndShield?: boolean;
}

const LBC_TAG = "elbv2.k8s.aws/cluster";

/**
 * AWS Load Balancer Controller.
 * Source: kubernetes-sigs/aws-load-balancer-controller v3.5.0 (11eb202c), docs/install/iam_policy.json (unchanged
 * since March 2025): same actions, resources and conditions. Upstream already scopes every mutating action that can
 * be scoped by the `elbv2.k8s.aws/cluster` tag; the rest are Describe/Get actions or actions without resource-level
 * permissions. Only the partition is substituted.
 */
export function awsLoadBalancerController(inputs: Unwrapped<AwsLoadBalancerControllerPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const p = env.partition;
    const elb = (resource: string) => `arn:${p}:elasticloadbalancing:*:*:${resource}`;
    const taggedElb = [elb("targetgroup/*/*"), elb("loadbalancer/net/*/*"), elb("loadbalancer/app/*/*")];
    const securityGroups = `arn:${p}:ec2:*:*:security-group/*`;
    return [
        {
            document: document(
                statement("CreateElbServiceLinkedRole", ["iam:CreateServiceLinkedRole"], "*", { StringEquals: { "iam:AWSServiceName": `elasticloadbalancing.${dnsSuffix(p)}` } }),
                statement(
                    "Describe",
                    [
                        "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones", "ec2:DescribeInternetGateways",
                        "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
                        "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools",
                        "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:DescribeRouteTables",
                        "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
                        "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
                        "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
                        "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags",
                        "elasticloadbalancing:DescribeTrustStores", "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeCapacityReservation",
                    ],
                    "*",
                ),
                statement("Certificates", ["cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate", "iam:ListServerCertificates", "iam:GetServerCertificate"], "*"),
                inputs.webAclAndShield !== false &&
                    statement(
                        "WebAclAndShield",
                        [
                            "waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
                            "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
                            "shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection", "shield:DeleteProtection",
                        ],
                        "*",
                    ),
                statement("SecurityGroupIngress", ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"], "*"),
                statement("CreateSecurityGroup", ["ec2:CreateSecurityGroup"], "*"),
                statement("TagNewSecurityGroup", ["ec2:CreateTags"], securityGroups, {
                    StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" },
                    Null: { [`aws:RequestTag/${LBC_TAG}`]: "false" },
                }),
                statement("TagOwnSecurityGroup", ["ec2:CreateTags", "ec2:DeleteTags"], securityGroups, {
                    Null: { [`aws:RequestTag/${LBC_TAG}`]: "true", [`aws:ResourceTag/${LBC_TAG}`]: "false" },
                }),
                statement("ManageOwnSecurityGroup", ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"], "*", {
                    Null: { [`aws:ResourceTag/${LBC_TAG}`]: "false" },
                }),
                statement("CreateTaggedElb", ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"], "*", {
                    Null: { [`aws:RequestTag/${LBC_TAG}`]: "false" },
                }),
                statement("ListenersAndRules", ["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule"], "*"),
                statement("TagOwnElb", ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], taggedElb, {
                    Null: { [`aws:RequestTag/${LBC_TAG}`]: "true", [`aws:ResourceTag/${LBC_TAG}`]: "false" },
                }),
                statement(
                    "TagListenersAndRules",
                    ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                    [elb("listener/net/*/*/*"), elb("listener/app/*/*/*"), elb("listener-rule/net/*/*/*"), elb("listener-rule/app/*/*/*")],
                ),
                statement(
                    "ManageOwnElb",
                    [
                        "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType", "elasticloadbalancing:SetSecurityGroups",
                        "elasticloadbalancing:SetSubnets", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
                        "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyListenerAttributes",
                        "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
                    ],
                    "*",
                    { Null: { [`aws:ResourceTag/${LBC_TAG}`]: "false" } },
                ),
                statement("TagOnCreate", ["elasticloadbalancing:AddTags"], taggedElb, {
                    StringEquals: { "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"] },
                    Null: { [`aws:RequestTag/${LBC_TAG}`]: "false" },
                }),
                statement("Targets", ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"], elb("targetgroup/*/*")),
                statement(
                    "ListenerSettings",
                    [
                        "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates",
                        "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
                    ],
                    "*",
                ),
            ),
        },
    ];
}

export function checkAwsLoadBalancerController(problems: Problems, path: string, inputs: AwsLoadBalancerControllerPolicy): void {
    checkFlag(problems, `${path}.webAclAndShield`, inputs.webAclAndShield);
}

export const awsLoadBalancerControllerDefinition: WellKnownAddOn<AwsLoadBalancerControllerPolicy> = {
    title: "AWS Load Balancer Controller",
    source: "kubernetes-sigs/aws-load-balancer-controller v3.5.0 (11eb202c) docs/install/iam_policy.json",
    check: checkAwsLoadBalancerController,
    render: awsLoadBalancerController,
};
