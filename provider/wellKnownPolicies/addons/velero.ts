import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, document, kmsStatements, objectsOf, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Velero with the AWS plugin: backups to the given buckets, EBS snapshots. */
export interface VeleroPolicy {
    /** ARNs of the backup buckets (`arn:aws:s3:::<bucket>`). Required, at least one. */
    bucketArns: pulumi.Input<string>[];
    /** ARNs of KMS keys of SSE-KMS encrypted buckets. Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/**
 * Velero with velero-plugin-for-aws.
 * Source: vmware-tanzu/velero-plugin-for-aws v1.13.2 (18469e73), README.md "Set permissions for Velero": EC2 snapshot
 * actions (narrowed from upstream's `*` to volumes and snapshots), object actions on the buckets' objects, ListBucket
 * on the buckets. Same actions. The KMS statements are ours, only with `kmsKeyArns` (upstream's example has none), for
 * SSE-KMS buckets and encrypted snapshots.
 */
export function velero(inputs: Unwrapped<VeleroPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const p = env.partition;
    return [
        {
            document: document(
                statement("Ec2Read", ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], "*"),
                statement("Ec2Snapshots", ["ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot"], [`arn:${p}:ec2:*:*:volume/*`, `arn:${p}:ec2:*::snapshot/*`]),
                statement("S3ReadWrite", ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], objectsOf(inputs.bucketArns)),
                statement("S3List", ["s3:ListBucket"], inputs.bucketArns),
                ...kmsStatements("Velero", inputs.kmsKeyArns ?? [], true),
            ),
        },
    ];
}

export function checkVelero(problems: Problems, path: string, inputs: VeleroPolicy): void {
    checkList(problems, `${path}.bucketArns`, inputs.bucketArns, SHAPES.s3Bucket, true);
    checkList(problems, `${path}.kmsKeyArns`, inputs.kmsKeyArns, SHAPES.kmsKey, false);
}

export const veleroDefinition: WellKnownAddOn<VeleroPolicy> = {
    title: "Velero (AWS plugin)",
    source: "vmware-tanzu/velero-plugin-for-aws v1.13.2 (18469e73) README.md",
    check: checkVelero,
    render: velero,
};
