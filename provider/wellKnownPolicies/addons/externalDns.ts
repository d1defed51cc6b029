import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, document, hostedZones, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** ExternalDNS with the Route 53 provider: changes records of the given hosted zones only. */
export interface ExternalDnsPolicy {
    /** Ids of the Route 53 hosted zones it may change (e.g. `Z0123456789ABCDEFGHIJ`, without `/hostedzone/`). Required, at least one. */
    hostedZoneIds: pulumi.Input<string>[];
}

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

export const externalDnsDefinition: WellKnownAddOn<ExternalDnsPolicy> = {
    title: "ExternalDNS (Route 53)",
    source: "kubernetes-sigs/external-dns v0.22.0 (994f908d) docs/tutorials/aws.md",
    check: checkExternalDns,
    render: externalDns,
};
