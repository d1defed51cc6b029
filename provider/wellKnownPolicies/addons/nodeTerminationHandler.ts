import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** AWS Node Termination Handler in queue-processor mode. */
export interface NodeTerminationHandlerPolicy {
    /** ARNs of the SQS queues it reads events from. Required, at least one. */
    queueArns: pulumi.Input<string>[];
}

/**
 * AWS Node Termination Handler, queue-processor mode.
 * Source: aws/aws-node-termination-handler v1.25.6 (77ca841d), README.md, the IAM policy of the queue-processor
 * Deployment: same actions, all on `*` upstream. Auto Scaling lifecycle and describe actions stay on `*` (the groups
 * are whatever sends events); the SQS actions are narrowed to the given queues.
 */
export function nodeTerminationHandler(inputs: Unwrapped<NodeTerminationHandlerPolicy>): WellKnownDocument[] {
    return [
        {
            document: document(
                statement("AutoScaling", ["autoscaling:CompleteLifecycleAction", "autoscaling:DescribeAutoScalingInstances", "autoscaling:DescribeTags", "ec2:DescribeInstances"], "*"),
                statement("Queue", ["sqs:DeleteMessage", "sqs:ReceiveMessage"], inputs.queueArns),
            ),
        },
    ];
}

export function checkNodeTerminationHandler(problems: Problems, path: string, inputs: NodeTerminationHandlerPolicy): void {
    checkList(problems, `${path}.queueArns`, inputs.queueArns, SHAPES.sqsQueue, true);
}

export const nodeTerminationHandlerDefinition: WellKnownAddOn<NodeTerminationHandlerPolicy> = {
    title: "AWS Node Termination Handler",
    source: "aws/aws-node-termination-handler v1.25.6 (77ca841d) README.md (queue processor)",
    check: checkNodeTerminationHandler,
    render: nodeTerminationHandler,
};
