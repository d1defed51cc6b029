import { Problems } from "../validation";
import { SHAPES, WellKnownDocument, checkList, document, statement } from "./common";
import { ExternalSecretsPolicy, PrivateCaIssuerPolicy } from "./types";
import type { Unwrapped } from "./types";

/**
 * External Secrets Operator.
 * Source: external-secrets v0.14.0, docs/provider/aws-secrets-manager.md and docs/provider/aws-parameter-store.md:
 * secret reads on the given secrets, parameter reads on the given parameters, kms:Decrypt on customer-managed keys.
 */
export function externalSecrets(inputs: Unwrapped<ExternalSecretsPolicy>): WellKnownDocument[] {
    const secrets = inputs.secretsManagerArns ?? [];
    const parameters = inputs.ssmParameterArns ?? [];
    const keys = inputs.kmsKeyArns ?? [];
    return [
        {
            document: document(
                secrets.length > 0 &&
                    statement("ReadSecrets", ["secretsmanager:GetResourcePolicy", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"], secrets),
                parameters.length > 0 && statement("ReadParameters", ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"], parameters),
                keys.length > 0 && statement("Decrypt", ["kms:Decrypt"], keys),
            ),
        },
    ];
}

export function checkExternalSecrets(problems: Problems, path: string, inputs: ExternalSecretsPolicy): void {
    checkList(problems, `${path}.secretsManagerArns`, inputs.secretsManagerArns, SHAPES.secret, false);
    checkList(problems, `${path}.ssmParameterArns`, inputs.ssmParameterArns, SHAPES.ssmParameter, false);
    checkList(problems, `${path}.kmsKeyArns`, inputs.kmsKeyArns, SHAPES.kmsKey, false);
    const empty = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0);
    if (empty(inputs.secretsManagerArns) && empty(inputs.ssmParameterArns)) {
        problems.add(path, "grants nothing to read: give secretsManagerArns and/or ssmParameterArns");
    }
}

/**
 * AWS Private CA Issuer for cert-manager.
 * Source: cert-manager/aws-privateca-issuer v1.5.0, README.md "Configuration": describe, issue and get certificates
 * on the given CAs only.
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
