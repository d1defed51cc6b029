import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { SHAPES, WellKnownDocument, checkList, document, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Amazon EFS CSI driver (EFS and Amazon S3 Files): access points it tags on the given file systems. */
export interface EfsCsiDriverPolicy {
    /**
     * ARNs of the file systems the driver may create access points on: EFS (`arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…`)
     * and/or S3 Files (`arn:aws:s3files:<region>:<account>:file-system/fs-…`); a service with none listed gets no create permission.
     * Default: any file system of either service, as upstream (the access points are still scoped by the `efs.csi.aws.com/cluster` tag).
     */
    fileSystemArns?: pulumi.Input<string>[];
}

const EFS_TAG = "efs.csi.aws.com/cluster";

/**
 * Amazon EFS CSI driver (EFS and Amazon S3 Files).
 * Source: kubernetes-sigs/aws-efs-csi-driver v3.4.1 (3fcc6bdd), docs/iam-policy-example.json: access points created,
 * tagged and deleted only with the driver's `efs.csi.aws.com/cluster` tag, each action granted for both
 * `elasticfilesystem` and `s3files` as upstream does since S3 Files support. Without `fileSystemArns` access points may
 * be created on any file system (upstream's `*`); with it, only on the file systems listed, each by its own service:
 * EFS ARNs for `elasticfilesystem:CreateAccessPoint`, S3 Files ARNs for `s3files:CreateAccessPoint` (a service with
 * none listed gets no create permission).
 */
export function efsCsiDriver(inputs: Unwrapped<EfsCsiDriverPolicy>): WellKnownDocument[] {
    const named = inputs.fileSystemArns ?? [];
    const created = { StringLike: { [`aws:RequestTag/${EFS_TAG}`]: "true" } };
    const ofService = (service: string) => named.filter((arn) => arn.split(":")[2] === service);
    const createStatements =
        named.length === 0
            ? [statement("CreateAccessPoints", ["elasticfilesystem:CreateAccessPoint", "s3files:CreateAccessPoint"], "*", created)]
            : [
                  ofService("elasticfilesystem").length > 0 && statement("CreateEfsAccessPoints", ["elasticfilesystem:CreateAccessPoint"], ofService("elasticfilesystem"), created),
                  ofService("s3files").length > 0 && statement("CreateS3FilesAccessPoints", ["s3files:CreateAccessPoint"], ofService("s3files"), created),
              ];
    return [
        {
            document: document(
                statement(
                    "Describe",
                    [
                        "elasticfilesystem:DescribeAccessPoints", "elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets",
                        "s3files:ListAccessPoints", "s3files:ListFileSystems", "ec2:DescribeAvailabilityZones",
                    ],
                    "*",
                ),
                ...createStatements,
                statement("TagAccessPoints", ["elasticfilesystem:TagResource", "s3files:TagResource"], "*", { StringLike: { [`aws:ResourceTag/${EFS_TAG}`]: "true" } }),
                statement("DeleteAccessPoints", ["elasticfilesystem:DeleteAccessPoint", "s3files:DeleteAccessPoint"], "*", { StringEquals: { [`aws:ResourceTag/${EFS_TAG}`]: "true" } }),
            ),
        },
    ];
}

export function checkEfsCsiDriver(problems: Problems, path: string, inputs: EfsCsiDriverPolicy): void {
    checkList(problems, `${path}.fileSystemArns`, inputs.fileSystemArns, SHAPES.efsFileSystem, false);
}

export const efsCsiDriverDefinition: WellKnownAddOn<EfsCsiDriverPolicy> = {
    title: "Amazon EFS CSI driver",
    source: "kubernetes-sigs/aws-efs-csi-driver v3.4.1 (3fcc6bdd) docs/iam-policy-example.json",
    check: checkEfsCsiDriver,
    render: efsCsiDriver,
};
