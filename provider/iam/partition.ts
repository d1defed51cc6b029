import type { Rule } from "../validation/inputRules";
import { Problems } from "../validation/problems";
import { PARTITION } from "./arn";

/**
 * ARNs name their partition (`arn:<partition>:…`; AWS General Reference, "Amazon Resource Names (ARNs)" and "AWS
 * partitions"). A partition is a separate set of accounts, IAM and endpoints: a role in `aws-cn` cannot attach a policy
 * of `aws`, trust a principal of `aws-us-gov`, nor be granted anything on a resource elsewhere, so every ARN a user
 * gives must be in the partition of the cluster, and an AWS-managed policy is `arn:<partition>:iam::aws:policy/…` of
 * that same partition.
 */

const concretePartition = new RegExp(`^arn:(${PARTITION}):`);

/**
 * The partition an ARN names; undefined for anything else, including a wildcard (`arn:*:…`) or policy-variable
 * (`arn:${aws:partition}:…`) partition, which match every partition by design.
 */
export function partitionOf(arn: unknown): string | undefined {
    return typeof arn === "string" ? concretePartition.exec(arn)?.[1] : undefined;
}

/** The partition the ARNs must share, and the input it was taken from (for the message). */
export interface PartitionReference {
    partition: string;
    path: string;
}

/**
 * The reference partition: the first given input with a concrete partition, in the order given (callers put the
 * cluster's ARN first, so the cluster decides when it is known).
 */
export function partitionReference(entries: { path: string; arn: unknown }[]): PartitionReference | undefined {
    for (const entry of entries) {
        const partition = partitionOf(entry.arn);
        if (partition !== undefined) {
            return { partition, path: entry.path };
        }
    }
    return undefined;
}

/** One ARN against the reference; values without a concrete partition pass (shape is checked elsewhere). */
export function checkPartition(problems: Problems, path: string, arn: unknown, reference: PartitionReference | undefined): void {
    const partition = partitionOf(arn);
    if (reference === undefined || partition === undefined || partition === reference.partition || path === reference.path) {
        return;
    }
    problems.add(path, `is in partition "${partition}" but ${reference.path} is in "${reference.partition}": ARNs of one partition cannot be used from another; use arn:${reference.partition}:…`);
}

/** `rule`, then, for a value `rule` accepted, its partition against the reference. */
export function inPartition(reference: PartitionReference | undefined, rule: Rule<string>): Rule<string> {
    return (problems, path, value) => {
        const before = problems.list.length;
        rule(problems, path, value);
        if (problems.list.length === before) {
            checkPartition(problems, path, value, reference);
        }
    };
}
