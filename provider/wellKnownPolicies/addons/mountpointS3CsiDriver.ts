import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkFlag, checkList, document, objectsOf, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Mountpoint for Amazon S3 CSI driver: mounts the given buckets. */
export interface MountpointS3CsiDriverPolicy {
    /** ARNs of the buckets to mount (`arn:aws:s3:::<bucket>`). Required, at least one. */
    bucketArns: pulumi.Input<string>[];
    /** Mount read-only: no PutObject, DeleteObject or AbortMultipartUpload. Default `false`. */
    readOnly?: boolean;
    /** ARNs of KMS keys of SSE-KMS encrypted buckets. Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/**
 * Mountpoint for Amazon S3 CSI driver.
 * Source: awslabs/mountpoint-s3-csi-driver v2.7.0 (a2d4b067), docs/CONFIGURATION.md "AWS Credentials", which defers to
 * Mountpoint's own policy: awslabs/mountpoint-s3 mountpoint-s3-1.23.0 (4f38ff8b), doc/CONFIGURATION.md "IAM
 * permissions" (general purpose buckets): ListBucket on the buckets, Get/Put/AbortMultipartUpload/DeleteObject on their
 * objects; GetObject only for read-only mounts; kms:Decrypt to read and kms:Decrypt + kms:GenerateDataKey to write
 * SSE-KMS objects. Same actions. Directory buckets (`s3express:CreateSession`) are not covered.
 */
export function mountpointS3CsiDriver(inputs: Unwrapped<MountpointS3CsiDriverPolicy>): WellKnownDocument[] {
    const keys = inputs.kmsKeyArns ?? [];
    return [
        {
            document: document(
                statement("MountpointFullBucketAccess", ["s3:ListBucket"], inputs.bucketArns),
                statement("MountpointFullObjectAccess", inputs.readOnly ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"], objectsOf(inputs.bucketArns)),
                keys.length > 0 && statement("MountpointKms", inputs.readOnly ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"], keys),
            ),
        },
    ];
}

export function checkMountpointS3CsiDriver(problems: Problems, path: string, inputs: MountpointS3CsiDriverPolicy): void {
    checkList(problems, `${path}.bucketArns`, inputs.bucketArns, SHAPES.s3Bucket, true);
    checkFlag(problems, `${path}.readOnly`, inputs.readOnly);
    checkList(problems, `${path}.kmsKeyArns`, inputs.kmsKeyArns, SHAPES.kmsKey, false);
}

export const mountpointS3CsiDriverDefinition: WellKnownAddOn<MountpointS3CsiDriverPolicy> = {
    title: "Mountpoint for Amazon S3 CSI driver",
    source: "awslabs/mountpoint-s3-csi-driver v2.7.0 (a2d4b067) docs/CONFIGURATION.md; awslabs/mountpoint-s3 mountpoint-s3-1.23.0 (4f38ff8b) doc/CONFIGURATION.md",
    check: checkMountpointS3CsiDriver,
    render: mountpointS3CsiDriver,
};
