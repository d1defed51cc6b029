import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkFlag, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Amazon Managed Service for Prometheus: remote write and/or query of the given workspaces. */
export interface AmazonManagedPrometheusPolicy {
    /** ARNs of the workspaces (`arn:aws:aps:<region>:<account>:workspace/ws-…`). Required, at least one. */
    workspaceArns: pulumi.Input<string>[];
    /** Grant `aps:RemoteWrite` (Prometheus agent, ADOT collector). Default `true`. */
    remoteWrite?: boolean;
    /** Grant the query actions (Grafana, KEDA, Prometheus adapter). Default `false`. */
    query?: boolean;
}

/**
 * Amazon Managed Service for Prometheus.
 * Source: AWS managed policies AmazonPrometheusRemoteWriteAccess v1 and AmazonPrometheusQueryAccess v1 (AWS Managed
 * Policy Reference, docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html, and the same versions in
 * zoph-io/MAMIP policies/<name> at 0387244e); not a tagged upstream file: AMP publishes no repository. Same actions,
 * on the given workspaces instead of `*`.
 */
export function amazonManagedPrometheus(inputs: Unwrapped<AmazonManagedPrometheusPolicy>): WellKnownDocument[] {
    return [
        {
            document: document(
                inputs.remoteWrite !== false && statement("RemoteWrite", ["aps:RemoteWrite"], inputs.workspaceArns),
                inputs.query === true && statement("Query", ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"], inputs.workspaceArns),
            ),
        },
    ];
}

export function checkAmazonManagedPrometheus(problems: Problems, path: string, inputs: AmazonManagedPrometheusPolicy): void {
    checkList(problems, `${path}.workspaceArns`, inputs.workspaceArns, SHAPES.apsWorkspace, true);
    checkFlag(problems, `${path}.remoteWrite`, inputs.remoteWrite);
    checkFlag(problems, `${path}.query`, inputs.query);
    if (inputs.remoteWrite === false && inputs.query !== true) {
        problems.add(path, "grants nothing: keep remoteWrite (the default) or set query to true");
    }
}

export const amazonManagedPrometheusDefinition: WellKnownAddOn<AmazonManagedPrometheusPolicy> = {
    title: "Amazon Managed Service for Prometheus",
    source: "AWS managed policies AmazonPrometheusRemoteWriteAccess v1, AmazonPrometheusQueryAccess v1 (AWS Managed Policy Reference; no tagged upstream file)",
    check: checkAmazonManagedPrometheus,
    render: amazonManagedPrometheus,
};
