import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkList, document, kmsStatements, statement } from "../common";
import { Unwrapped, WellKnownAddOn } from "../addOn";

/** Amazon EBS CSI driver: volumes and snapshots it tags, plus grants on the given KMS keys for encrypted volumes. */
export interface EbsCsiDriverPolicy {
    /** ARNs of the customer-managed KMS keys of encrypted volumes (`arn:aws:kms:<region>:<account>:key/<id>`). Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/**
 * Amazon EBS CSI driver.
 * Source: kubernetes-sigs/aws-ebs-csi-driver v1.54.0 (1b474372), docs/example-iam-policy.json, unchanged through
 * v1.58.0 (v1.46.0 added ec2:DescribeVolumeStatus, v1.54.0 ec2:CopyVolumes, v1.59.0 ec2:DescribeInstanceTypes and
 * ec2:LockSnapshot): volumes and snapshots scoped by the driver's tags; and docs/install.md "Set up driver
 * permissions" for KMS-encrypted volumes (grants limited to AWS resources, on the given keys only).
 */
export function ebsCsiDriver(inputs: Unwrapped<EbsCsiDriverPolicy>, env: PolicyEnvironment): WellKnownDocument[] {
    const p = env.partition;
    const volumes = `arn:${p}:ec2:*:*:volume/*`;
    const snapshots = `arn:${p}:ec2:*:*:snapshot/*`;
    const tagged = (sid: string, actions: string[], resource: string, key: string, value: string) => statement(sid, actions, resource, { StringLike: { [key]: value } });
    return [
        {
            document: document(
                statement("Describe", ["ec2:DescribeAvailabilityZones", "ec2:DescribeInstances", "ec2:DescribeSnapshots", "ec2:DescribeTags", "ec2:DescribeVolumes", "ec2:DescribeVolumesModifications", "ec2:DescribeVolumeStatus"], "*"),
                statement("SnapshotAndModifyVolumes", ["ec2:CreateSnapshot", "ec2:ModifyVolume"], volumes),
                statement("CopyVolumes", ["ec2:CopyVolumes"], `arn:${p}:ec2:*:*:volume/vol-*`),
                statement("AttachVolumes", ["ec2:AttachVolume", "ec2:DetachVolume"], [volumes, `arn:${p}:ec2:*:*:instance/*`]),
                statement("VolumesFromSnapshots", ["ec2:CreateVolume", "ec2:EnableFastSnapshotRestores"], snapshots),
                statement("TagOnCreate", ["ec2:CreateTags"], [volumes, snapshots], { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot", "CopyVolumes"] } }),
                statement("DeleteTags", ["ec2:DeleteTags"], [volumes, snapshots]),
                tagged("CreateClusterVolumes", ["ec2:CreateVolume", "ec2:CopyVolumes"], volumes, "aws:RequestTag/ebs.csi.aws.com/cluster", "true"),
                tagged("CreateNamedVolumes", ["ec2:CreateVolume", "ec2:CopyVolumes"], volumes, "aws:RequestTag/CSIVolumeName", "*"),
                tagged("DeleteClusterVolumes", ["ec2:DeleteVolume"], volumes, "ec2:ResourceTag/ebs.csi.aws.com/cluster", "true"),
                tagged("DeleteNamedVolumes", ["ec2:DeleteVolume"], volumes, "ec2:ResourceTag/CSIVolumeName", "*"),
                tagged("DeletePvcVolumes", ["ec2:DeleteVolume"], volumes, "ec2:ResourceTag/kubernetes.io/created-for/pvc/name", "*"),
                tagged("CreateNamedSnapshots", ["ec2:CreateSnapshot"], snapshots, "aws:RequestTag/CSIVolumeSnapshotName", "*"),
                tagged("CreateClusterSnapshots", ["ec2:CreateSnapshot"], snapshots, "aws:RequestTag/ebs.csi.aws.com/cluster", "true"),
                tagged("DeleteNamedSnapshots", ["ec2:DeleteSnapshot"], snapshots, "ec2:ResourceTag/CSIVolumeSnapshotName", "*"),
                tagged("DeleteClusterSnapshots", ["ec2:DeleteSnapshot"], snapshots, "ec2:ResourceTag/ebs.csi.aws.com/cluster", "true"),
                ...kmsStatements("", inputs.kmsKeyArns ?? [], true),
            ),
        },
    ];
}

export function checkEbsCsiDriver(problems: Problems, path: string, inputs: EbsCsiDriverPolicy): void {
    checkList(problems, `${path}.kmsKeyArns`, inputs.kmsKeyArns, SHAPES.kmsKey, false);
}

export const ebsCsiDriverDefinition: WellKnownAddOn<EbsCsiDriverPolicy> = {
    title: "Amazon EBS CSI driver",
    source: "kubernetes-sigs/aws-ebs-csi-driver v1.54.0 (1b474372) docs/example-iam-policy.json, docs/install.md (KMS)",
    check: checkEbsCsiDriver,
    render: ebsCsiDriver,
};
