import { Problems } from "../../validation/problems";
import { PolicyEnvironment, WellKnownDocument, checkFlag, dnsSuffix, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** AWS App Mesh controller: manages App Mesh and Cloud Map resources (all `*`, as upstream). */
export interface AppMeshControllerPolicy {
    /** Grant the Cloud Map and Route 53 health-check actions for service discovery. Default `true` (as upstream). */
    cloudMap?: boolean;
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

export const appMeshControllerDefinition: WellKnownAddOn<AppMeshControllerPolicy> = {
    title: "AWS App Mesh controller",
    source: "aws/aws-app-mesh-controller-for-k8s v1.13.3 (82693f8c) config/iam/controller-iam-policy.json",
    check: checkAppMeshController,
    render: appMeshController,
};
