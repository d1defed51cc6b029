import { Problems } from "../validation/problems";
import { PolicyEnvironment, SHAPES, WellKnownDocument, checkFlag, checkList, dnsSuffix, document, objectsOf, statement } from "./common";
import { EbsCsiDriverPolicy, EfsCsiDriverPolicy, FsxLustreCsiDriverPolicy, MountpointS3CsiDriverPolicy, VeleroPolicy } from "./types";
import type { Unwrapped } from "./types";

/** Encrypt/decrypt with the keys, and grants for AWS services only (EBS attaching encrypted volumes). */
function kmsStatements(sidPrefix: string, keys: string[], grants: boolean) {
    return keys.length === 0
        ? []
        : [
              grants && statement(`${sidPrefix}KmsGrants`, ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], keys, { Bool: { "kms:GrantIsForAWSResource": "true" } }),
              statement(`${sidPrefix}KmsUse`, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], keys),
          ];
}

/**
 * Amazon EBS CSI driver.
 * Source: kubernetes-sigs/aws-ebs-csi-driver v1.45.0, docs/example-iam-policy.json (volumes and snapshots scoped by
 * the driver's tags), and docs/install.md "Set up driver permissions" for KMS-encrypted volumes (grants limited to AWS
 * resources, on the given keys only).
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
