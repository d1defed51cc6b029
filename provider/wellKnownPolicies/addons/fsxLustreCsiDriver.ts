import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, dnsSuffix, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Amazon FSx for Lustre CSI driver: creates and deletes file systems, optionally linked to S3 buckets. */
export interface FsxLustreCsiDriverPolicy {
    /** ARNs of the S3 buckets used as data repositories (`arn:aws:s3:::<bucket>`). Default: none (no S3 access). */
    dataRepositoryBucketArns?: pulumi.Input<string>[];
}

/**
 * Amazon FSx for Lustre CSI driver.
 * Source: kubernetes-sigs/aws-fsx-csi-driver v1.9.0 (0267bab6), docs/install.md "Set up driver permissions" (the
 * policy for the instance-profile method; the IRSA method attaches AmazonFSxFullAccess instead). Same actions.
 * Narrowed: the S3 data-repository service-linked role to this account, file-system changes to this account and
 * region, and s3:ListBucket (upstream `*`) to the data-repository buckets given, or not at all.
 */
export function fsxLustreCsiDriver(inputs: Unwrapped<FsxLustreCsiDriverPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const p = env.partition;
    const suffix = dnsSuffix(p);
    const buckets = inputs.dataRepositoryBucketArns ?? [];
    return [
        {
            document: document(
                statement("S3DataRepositoryRole", ["iam:CreateServiceLinkedRole", "iam:AttachRolePolicy", "iam:PutRolePolicy"], `arn:${p}:iam::${env.accountId}:role/aws-service-role/s3.data-source.lustre.fsx.${suffix}/*`),
                statement("FsxServiceLinkedRole", ["iam:CreateServiceLinkedRole"], "*", { StringLike: { "iam:AWSServiceName": [`fsx.${suffix}`] } }),
                statement("DescribeFileSystems", ["fsx:DescribeFileSystems"], "*"),
                statement("ManageFileSystems", ["fsx:CreateFileSystem", "fsx:DeleteFileSystem", "fsx:UpdateFileSystem", "fsx:TagResource"], `arn:${p}:fsx:${env.region}:${env.accountId}:file-system/*`),
                buckets.length > 0 && statement("DataRepositoryBuckets", ["s3:ListBucket"], buckets),
            ),
        },
    ];
}

export function checkFsxLustreCsiDriver(problems: Problems, path: string, inputs: FsxLustreCsiDriverPolicy): void {
    checkList(problems, `${path}.dataRepositoryBucketArns`, inputs.dataRepositoryBucketArns, SHAPES.s3Bucket, false);
}

export const fsxLustreCsiDriverDefinition: WellKnownAddOn<FsxLustreCsiDriverPolicy> = {
    title: "Amazon FSx for Lustre CSI driver",
    source: "kubernetes-sigs/aws-fsx-csi-driver v1.9.0 (0267bab6) docs/install.md",
    check: checkFsxLustreCsiDriver,
    render: fsxLustreCsiDriver,
};
