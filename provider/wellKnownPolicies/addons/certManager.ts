import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, document, hostedZones, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** cert-manager's Route 53 DNS-01 solver: `_acme-challenge` TXT records in the given hosted zones. */
export interface CertManagerPolicy {
    /** Ids of the Route 53 hosted zones of the domains it solves challenges for. Required, at least one. */
    hostedZoneIds: pulumi.Input<string>[];
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

export const certManagerDefinition: WellKnownAddOn<CertManagerPolicy> = {
    title: "cert-manager (Route 53 DNS-01)",
    source: "cert-manager/website 776e5dba (untagged) content/v1.20-docs/configuration/acme/dns01/route53.md",
    check: checkCertManager,
    render: certManager,
};
