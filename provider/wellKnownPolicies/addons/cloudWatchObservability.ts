import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkFlag, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Amazon CloudWatch Observability add-on (CloudWatch agent, Fluent Bit): metrics, this cluster's log groups, X-Ray. */
export interface CloudWatchObservabilityPolicy {
    /**
     * Log group name prefixes it may write to. Default `/aws/containerinsights/<cluster>/` and
     * `/aws/application-signals/`.
     */
    logGroupPrefixes?: string[];
    /** Grant the X-Ray actions (Application Signals, traces). Default `true`. */
    xray?: boolean;
}

/**
 * Amazon CloudWatch Observability EKS add-on.
 * Source: AWS managed policy CloudWatchAgentServerPolicy v3 (2024-02-06) as recorded in zoph-io/MAMIP
 * policies/CloudWatchAgentServerPolicy at 0387244e, with AWSXrayWriteOnlyAccess v2 (same X-Ray actions): the two
 * policies the EKS User Guide names for the add-on (awsdocs/amazon-eks-user-guide 4d52b4d0,
 * latest/ug/workloads/eks-add-ons.adoc). Not a tagged upstream file: the managed policy is published by AWS only.
 * Same actions. Narrowed:
 * log writes to this account's and region's log groups under the given prefixes (Container Insights and Application
 * Signals by default), the agent's configuration parameters to `AmazonCloudWatch-*` of this account and region.
 * PutMetricData, DescribeLogGroups and the X-Ray actions have no resource-level permissions.
 */
export function cloudWatchObservability(inputs: Unwrapped<CloudWatchObservabilityPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const { partition: p, region: r, accountId: a } = env;
    const prefixes = inputs.logGroupPrefixes && inputs.logGroupPrefixes.length > 0 ? inputs.logGroupPrefixes : [`/aws/containerinsights/${env.clusterName}/`, "/aws/application-signals/"];
    const groups = prefixes.map((prefix) => `arn:${p}:logs:${r}:${a}:log-group:${prefix}*`);
    return [
        {
            document: document(
                statement("Metrics", ["cloudwatch:PutMetricData", "ec2:DescribeVolumes", "ec2:DescribeTags", "logs:DescribeLogGroups"], "*"),
                statement("LogGroups", ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DescribeLogStreams", "logs:CreateLogStream", "logs:PutLogEvents"], [
                    ...groups,
                    ...groups.map((g) => `${g}:log-stream:*`),
                ]),
                inputs.xray !== false &&
                    statement("XRay", ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"], "*"),
                statement("AgentConfiguration", ["ssm:GetParameter"], `arn:${p}:ssm:${r}:${a}:parameter/AmazonCloudWatch-*`),
            ),
        },
    ];
}

export function checkCloudWatchObservability(problems: Problems, path: string, inputs: CloudWatchObservabilityPolicy): void {
    checkList(problems, `${path}.logGroupPrefixes`, inputs.logGroupPrefixes, SHAPES.logGroupPrefix, false);
    checkFlag(problems, `${path}.xray`, inputs.xray);
}

export const cloudWatchObservabilityDefinition: WellKnownAddOn<CloudWatchObservabilityPolicy> = {
    title: "Amazon CloudWatch Observability add-on",
    source: "AWS managed policies CloudWatchAgentServerPolicy v3, AWSXrayWriteOnlyAccess v2 (EKS User Guide, amazon-cloudwatch-observability add-on; no tagged upstream file)",
    check: checkCloudWatchObservability,
    render: cloudWatchObservability,
};
