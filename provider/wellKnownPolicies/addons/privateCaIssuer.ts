import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** AWS Private CA Issuer for cert-manager: issues certificates from the given CAs. */
export interface PrivateCaIssuerPolicy {
    /** ARNs of the private CAs (`arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>`). Required, at least one. */
    certificateAuthorityArns: pulumi.Input<string>[];
}

/**
 * AWS Private CA Issuer for cert-manager.
 * Source: cert-manager/aws-privateca-issuer v1.9.0 (60430210), README.md "Configuration": same actions (describe the
 * CA, issue and get certificates), on the given CAs as upstream's example scopes them.
 */
export function privateCaIssuer(inputs: Unwrapped<PrivateCaIssuerPolicy>): WellKnownDocument[] {
    return [
        {
            document: document(
                statement("AwsPcaIssuer", ["acm-pca:DescribeCertificateAuthority", "acm-pca:GetCertificate", "acm-pca:IssueCertificate"], inputs.certificateAuthorityArns),
            ),
        },
    ];
}

export function checkPrivateCaIssuer(problems: Problems, path: string, inputs: PrivateCaIssuerPolicy): void {
    checkList(problems, `${path}.certificateAuthorityArns`, inputs.certificateAuthorityArns, SHAPES.privateCa, true);
}

export const privateCaIssuerDefinition: WellKnownAddOn<PrivateCaIssuerPolicy> = {
    title: "AWS Private CA Issuer",
    source: "cert-manager/aws-privateca-issuer v1.9.0 (60430210) README.md",
    check: checkPrivateCaIssuer,
    render: privateCaIssuer,
};
