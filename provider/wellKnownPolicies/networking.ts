import { Problems } from "../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkFlag, checkList, dnsSuffix, document, statement } from "./common";
import {
    AppMeshControllerPolicy,
    AppMeshEnvoyPolicy,
    AwsLoadBalancerControllerPolicy,
    CertManagerPolicy,
    ExternalDnsPolicy,
    GatewayApiControllerPolicy,
    VpcCniPolicy,
} from "./types";
import type { Unwrapped } from "./types";

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

const hostedZones = (env: PolicyEnvironment, ids: string[]) => ids.map((id) => `arn:${env.partition}:route53:::hostedzone/${id}`);

/**
 * ExternalDNS, Route 53 provider.
 * Source: kubernetes-sigs/external-dns v0.22.0 (994f908d), docs/tutorials/aws.md "IAM Policy": same actions
 * (route53:ListTagsForResources, the batch action the provider calls, not ListTagsForResource). ChangeResourceRecordSets
 * on the given zones only (upstream's example uses `hostedzone/*` and recommends naming the zones); records and tags
 * read on `hostedzone/*` as upstream, since the provider reads every zone its filters match; ListHostedZones on `*`
 * (no resource-level permissions).
 */
export function externalDns(inputs: Unwrapped<ExternalDnsPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    return [
        {
            document: document(
                statement("ChangeRecords", ["route53:ChangeResourceRecordSets"], hostedZones(env, inputs.hostedZoneIds)),
                statement("ReadRecordsAndTags", ["route53:ListResourceRecordSets", "route53:ListTagsForResources"], `arn:${env.partition}:route53:::hostedzone/*`),
                statement("ListZones", ["route53:ListHostedZones"], "*"),
            ),
        },
    ];
}

export function checkExternalDns(problems: Problems, path: string, inputs: ExternalDnsPolicy): void {
    checkList(problems, `${path}.hostedZoneIds`, inputs.hostedZoneIds, SHAPES.hostedZoneId, true);
}

/**
 * cert-manager, ACME DNS-01 with Route 53.
 * Source: cert-manager/website (no tags; commit 776e5dba), content/v1.20-docs/configuration/acme/dns01/route53.md "Set
 * up an IAM Policy" (content/docs is identical): same actions. GetChange on `change/*`, record changes and reads on
 * the given zones (upstream `hostedzone/*`, and it suggests naming the zone) for TXT records only, ListHostedZonesByName
 * on `*` (no resource-level permissions). The `_acme-challenge.*` record-name condition is ours, not upstream's.
 */
export function certManager(inputs: Unwrapped<CertManagerPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    return [
        {
            document: document(
                statement("GetChange", ["route53:GetChange"], `arn:${env.partition}:route53:::change/*`),
                statement("ChallengeRecords", ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"], hostedZones(env, inputs.hostedZoneIds), {
                    "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
                    "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
                }),
                statement("FindZones", ["route53:ListHostedZonesByName"], "*"),
            ),
        },
    ];
}

export function checkCertManager(problems: Problems, path: string, inputs: CertManagerPolicy): void {
    checkList(problems, `${path}.hostedZoneIds`, inputs.hostedZoneIds, SHAPES.hostedZoneId, true);
}

/**
 * AWS App Mesh controller.
 * Source: aws/aws-app-mesh-controller-for-k8s v1.13.3 (82693f8c), config/iam/controller-iam-policy.json (unchanged
 * since 2020): same actions, resources and conditions. App Mesh resources are created by the controller from
 * Kubernetes objects, so upstream grants them on `*`; the service-linked role is limited to App Mesh's.
 */
export function appMeshController(inputs: Unwrapped<AppMeshControllerPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const p = env.partition;
    const verbs = ["List", "Describe", "Create", "Update", "Delete"];
    const kinds = ["Mesh", "VirtualRouter", "VirtualService", "Route", "GatewayRoute", "VirtualNode", "VirtualGateway"];
    const appmesh = verbs.flatMap((verb) => kinds.map((kind) => `appmesh:${verb}${kind}${verb === "List" ? (kind === "Mesh" ? "es" : "s") : ""}`));
    return [
        {
            document: document(
                statement("AppMesh", appmesh, "*"),
                statement("AppMeshServiceLinkedRole", ["iam:CreateServiceLinkedRole"], `arn:${p}:iam::*:role/aws-service-role/appmesh.${dnsSuffix(p)}/AWSServiceRoleForAppMesh`, {
                    StringLike: { "iam:AWSServiceName": `appmesh.${dnsSuffix(p)}` },
                }),
                statement("Certificates", ["acm:ListCertificates", "acm:DescribeCertificate", "acm-pca:DescribeCertificateAuthority", "acm-pca:ListCertificateAuthorities"], "*"),
                inputs.cloudMap !== false &&
                    statement(
                        "CloudMap",
                        [
                            "servicediscovery:CreateService", "servicediscovery:DeleteService", "servicediscovery:GetService", "servicediscovery:GetInstance",
                            "servicediscovery:RegisterInstance", "servicediscovery:DeregisterInstance", "servicediscovery:ListInstances",
                            "servicediscovery:ListNamespaces", "servicediscovery:ListServices", "servicediscovery:GetInstancesHealthStatus",
                            "servicediscovery:UpdateInstanceCustomHealthStatus", "servicediscovery:GetOperation", "route53:GetHealthCheck",
                            "route53:CreateHealthCheck", "route53:UpdateHealthCheck", "route53:ChangeResourceRecordSets", "route53:DeleteHealthCheck",
                        ],
                        "*",
                    ),
            ),
        },
    ];
}

export function checkAppMeshController(problems: Problems, path: string, inputs: AppMeshControllerPolicy): void {
    checkFlag(problems, `${path}.cloudMap`, inputs.cloudMap);
}

/**
 * App Mesh Envoy proxies.
 * Source: aws/aws-app-mesh-controller-for-k8s v1.13.3 (82693f8c), config/iam/envoy-iam-policy.json: same actions,
 * which upstream grants on `*`. Narrowed, as the App Mesh User Guide ("Proxy authorization") recommends:
 * StreamAggregatedResources on the proxies' virtual nodes or gateways, certificate export and CA reads on the named
 * certificates and CAs only (not granted when none are named).
 */
export function appMeshEnvoy(inputs: Unwrapped<AppMeshEnvoyPolicy>): WellKnownDocument[] {
    const certificates = inputs.certificateArns ?? [];
    const authorities = inputs.certificateAuthorityArns ?? [];
    return [
        {
            document: document(
                statement("StreamAggregatedResources", ["appmesh:StreamAggregatedResources"], inputs.virtualNodeArns),
                certificates.length > 0 && statement("ExportCertificates", ["acm:ExportCertificate"], certificates),
                authorities.length > 0 && statement("ReadCertificateAuthorities", ["acm-pca:GetCertificateAuthorityCertificate"], authorities),
            ),
        },
    ];
}

export function checkAppMeshEnvoy(problems: Problems, path: string, inputs: AppMeshEnvoyPolicy): void {
    checkList(problems, `${path}.virtualNodeArns`, inputs.virtualNodeArns, SHAPES.appMeshNode, true);
    checkList(problems, `${path}.certificateArns`, inputs.certificateArns, SHAPES.acmCertificate, false);
    checkList(problems, `${path}.certificateAuthorityArns`, inputs.certificateAuthorityArns, SHAPES.privateCa, false);
}

/**
 * AWS Gateway API controller for Amazon VPC Lattice.
 * Source: aws/aws-application-networking-k8s v1.1.0, files/controller-installation/recommended-inline-policy.json.
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
