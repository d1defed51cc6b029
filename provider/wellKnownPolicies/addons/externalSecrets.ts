import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** External Secrets Operator: reads the given Secrets Manager secrets and SSM parameters. Give at least one list. */
export interface ExternalSecretsPolicy {
    /** ARNs of Secrets Manager secrets; a trailing `*` (e.g. `…:secret:prod/orders-*`) matches the random suffix or a path. */
    secretsManagerArns?: pulumi.Input<string>[];
    /** ARNs of SSM parameters (`arn:aws:ssm:<region>:<account>:parameter/<name>`); a trailing `*` matches a path. */
    ssmParameterArns?: pulumi.Input<string>[];
    /** ARNs of the KMS keys the secrets or parameters are encrypted with (customer-managed keys only). Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/**
 * External Secrets Operator.
 * Source: external-secrets/external-secrets v2.9.0 (378bdb62), docs/provider/aws-secrets-manager.md (read policy) and
 * docs/provider/aws-parameter-store.md (fetch policy): same actions. Secret reads on the given secrets, with
 * ListSecrets and BatchGetSecretValue on `*` as upstream (ListSecrets has no resource-level permissions; a batch read
 * still needs GetSecretValue on each secret); upstream's `ssm:GetParameter*` spelled out, on the given parameters. The
 * kms:Decrypt statement is ours, only with `kmsKeyArns` (for customer-managed keys; upstream's example has none).
 * PushSecret's write permissions are not granted.
 */
export function externalSecrets(inputs: Unwrapped<ExternalSecretsPolicy>): WellKnownDocument[] {
    const secrets = inputs.secretsManagerArns ?? [];
    const parameters = inputs.ssmParameterArns ?? [];
    const keys = inputs.kmsKeyArns ?? [];
    return [
        {
            document: document(
                secrets.length > 0 && statement("FindSecrets", ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"], "*"),
                secrets.length > 0 &&
                    statement("ReadSecrets", ["secretsmanager:GetResourcePolicy", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"], secrets),
                parameters.length > 0 && statement("ReadParameters", ["ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters", "ssm:GetParametersByPath"], parameters),
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

export const externalSecretsDefinition: WellKnownAddOn<ExternalSecretsPolicy> = {
    title: "External Secrets Operator",
    source: "external-secrets/external-secrets v2.9.0 (378bdb62) docs/provider/aws-secrets-manager.md, aws-parameter-store.md",
    check: checkExternalSecrets,
    render: externalSecrets,
};
