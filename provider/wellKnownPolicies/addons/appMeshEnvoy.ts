import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** The Envoy proxies of an App Mesh virtual node or gateway. */
export interface AppMeshEnvoyPolicy {
    /** ARNs of the virtual nodes or gateways the proxies serve (`arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>`). Required, at least one. */
    virtualNodeArns: pulumi.Input<string>[];
    /** ARNs of ACM certificates the proxies export for TLS. Default: none. */
    certificateArns?: pulumi.Input<string>[];
    /** ARNs of ACM Private CAs whose certificates the proxies validate. Default: none. */
    certificateAuthorityArns?: pulumi.Input<string>[];
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

export const appMeshEnvoyDefinition: WellKnownAddOn<AppMeshEnvoyPolicy> = {
    title: "App Mesh Envoy proxy",
    source: "aws/aws-app-mesh-controller-for-k8s v1.13.3 (82693f8c) config/iam/envoy-iam-policy.json",
    check: checkAppMeshEnvoy,
    render: appMeshEnvoy,
};
