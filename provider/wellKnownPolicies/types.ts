import * as pulumi from "@pulumi/pulumi";

/**
 * Typed inputs of the well-known add-on policies. Each key present in `WellKnownPolicies` enables that policy,
 * rendered from the upstream project's documented permission list and scoped by the inputs given here.
 */

/** AWS Load Balancer Controller: scoped as upstream scopes it, by the `elbv2.k8s.aws/cluster` tag on what it creates. */
export interface AwsLoadBalancerControllerPolicy {
    /**
     * Grant the WAF (Regional and v2) and Shield actions for `alb.ingress.kubernetes.io/wafv2-acl-arn`,
     * `waf-acl-id` and `shield-advanced-protection`. Default `true` (as upstream).
     */
    webAclAndShield?: boolean;
}

/** Amazon EBS CSI driver: volumes and snapshots it tags, plus grants on the given KMS keys for encrypted volumes. */
export interface EbsCsiDriverPolicy {
    /** ARNs of the customer-managed KMS keys of encrypted volumes (`arn:aws:kms:<region>:<account>:key/<id>`). Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/** Amazon EFS CSI driver (EFS and Amazon S3 Files): access points it tags on the given file systems. */
export interface EfsCsiDriverPolicy {
    /**
     * ARNs of the file systems the driver may create access points on: EFS (`arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…`)
     * and/or S3 Files (`arn:aws:s3files:<region>:<account>:file-system/fs-…`); a service with none listed gets no create permission.
     * Default: any file system of either service, as upstream (the access points are still scoped by the `efs.csi.aws.com/cluster` tag).
     */
    fileSystemArns?: pulumi.Input<string>[];
}

/** Amazon FSx for Lustre CSI driver: creates and deletes file systems, optionally linked to S3 buckets. */
export interface FsxLustreCsiDriverPolicy {
    /** ARNs of the S3 buckets used as data repositories (`arn:aws:s3:::<bucket>`). Default: none (no S3 access). */
    dataRepositoryBucketArns?: pulumi.Input<string>[];
}

/** Mountpoint for Amazon S3 CSI driver: mounts the given buckets. */
export interface MountpointS3CsiDriverPolicy {
    /** ARNs of the buckets to mount (`arn:aws:s3:::<bucket>`). Required, at least one. */
    bucketArns: pulumi.Input<string>[];
    /** Mount read-only: no PutObject, DeleteObject or AbortMultipartUpload. Default `false`. */
    readOnly?: boolean;
    /** ARNs of KMS keys of SSE-KMS encrypted buckets. Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/** Amazon VPC CNI plugin (`aws-node`): the network-interface permissions of `AmazonEKS_CNI_Policy`, or its IPv6 variant. */
export interface VpcCniPolicy {
    /** The cluster's IP family. Default `ipv4`. */
    ipFamily?: "ipv4" | "ipv6";
}

/** ExternalDNS with the Route 53 provider: changes records of the given hosted zones only. */
export interface ExternalDnsPolicy {
    /** Ids of the Route 53 hosted zones it may change (e.g. `Z0123456789ABCDEFGHIJ`, without `/hostedzone/`). Required, at least one. */
    hostedZoneIds: pulumi.Input<string>[];
}

/** cert-manager's Route 53 DNS-01 solver: `_acme-challenge` TXT records in the given hosted zones. */
export interface CertManagerPolicy {
    /** Ids of the Route 53 hosted zones of the domains it solves challenges for. Required, at least one. */
    hostedZoneIds: pulumi.Input<string>[];
}

/** External Secrets Operator: reads the given Secrets Manager secrets and SSM parameters. Give at least one list. */
export interface ExternalSecretsPolicy {
    /** ARNs of Secrets Manager secrets; a trailing `*` (e.g. `…:secret:prod/orders-*`) matches the random suffix or a path. */
    secretsManagerArns?: pulumi.Input<string>[];
    /** ARNs of SSM parameters (`arn:aws:ssm:<region>:<account>:parameter/<name>`); a trailing `*` matches a path. */
    ssmParameterArns?: pulumi.Input<string>[];
    /** ARNs of the KMS keys the secrets or parameters are encrypted with (customer-managed keys only). Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/** Cluster Autoscaler: scales the Auto Scaling groups tagged for the given clusters. */
export interface ClusterAutoscalerPolicy {
    /**
     * Clusters whose node groups it may scale, matched on the `k8s.io/cluster-autoscaler/<cluster>: owned` tag.
     * Default: the workload's cluster.
     */
    clusterNames?: pulumi.Input<string>[];
}

/** Karpenter (v1): launches and terminates the instances of this cluster's node pools. */
export interface KarpenterPolicy {
    /** ARNs of the node roles Karpenter passes to the instances it launches. Required, at least one. */
    nodeRoleArns: pulumi.Input<string>[];
    /** ARN of the SQS interruption queue (`--interruption-queue`). Default: none (interruption handling off). */
    interruptionQueueArn?: pulumi.Input<string>;
}

/** Velero with the AWS plugin: backups to the given buckets, EBS snapshots. */
export interface VeleroPolicy {
    /** ARNs of the backup buckets (`arn:aws:s3:::<bucket>`). Required, at least one. */
    bucketArns: pulumi.Input<string>[];
    /** ARNs of KMS keys of SSE-KMS encrypted buckets. Default: none. */
    kmsKeyArns?: pulumi.Input<string>[];
}

/** AWS Node Termination Handler in queue-processor mode. */
export interface NodeTerminationHandlerPolicy {
    /** ARNs of the SQS queues it reads events from. Required, at least one. */
    queueArns: pulumi.Input<string>[];
}

/** Amazon Managed Service for Prometheus: remote write and/or query of the given workspaces. */
export interface AmazonManagedPrometheusPolicy {
    /** ARNs of the workspaces (`arn:aws:aps:<region>:<account>:workspace/ws-…`). Required, at least one. */
    workspaceArns: pulumi.Input<string>[];
    /** Grant `aps:RemoteWrite` (Prometheus agent, ADOT collector). Default `true`. */
    remoteWrite?: boolean;
    /** Grant the query actions (Grafana, KEDA, Prometheus adapter). Default `false`. */
    query?: boolean;
}

/** AWS App Mesh controller: manages App Mesh and Cloud Map resources (all `*`, as upstream). */
export interface AppMeshControllerPolicy {
    /** Grant the Cloud Map and Route 53 health-check actions for service discovery. Default `true` (as upstream). */
    cloudMap?: boolean;
}

/** The Envoy proxies of an App Mesh virtual node or gateway. */
export interface AppMeshEnvoyPolicy {
    /** ARNs of the virtual nodes or gateways the proxies serve (`arn:aws:appmesh:<region>:<account>:mesh/<mesh>/virtualNode/<name>`). Required, at least one. */
    virtualNodeArns: pulumi.Input<string>[];
    /** ARNs of ACM certificates the proxies export for TLS. Default: none. */
    certificateArns?: pulumi.Input<string>[];
    /** ARNs of ACM Private CAs whose certificates the proxies validate. Default: none. */
    certificateAuthorityArns?: pulumi.Input<string>[];
}

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

/** AWS Gateway API controller for Amazon VPC Lattice. */
export interface GatewayApiControllerPolicy {
    /** Grant the access-log delivery actions (CloudWatch Logs, S3, Firehose). Default `true` (as upstream). */
    accessLogs?: boolean;
}

/** AWS Private CA Issuer for cert-manager: issues certificates from the given CAs. */
export interface PrivateCaIssuerPolicy {
    /** ARNs of the private CAs (`arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>`). Required, at least one. */
    certificateAuthorityArns: pulumi.Input<string>[];
}

/**
 * Well-known policies for cluster add-ons, each written from the upstream project's documented permission list and
 * scoped by its inputs. Each key present enables that policy as a customer-managed policy attached to the role.
 */
export interface WellKnownPolicies {
    /** AWS Load Balancer Controller. */
    awsLoadBalancerController?: AwsLoadBalancerControllerPolicy;
    /** Amazon EBS CSI driver. */
    ebsCsiDriver?: EbsCsiDriverPolicy;
    /** Amazon EFS CSI driver. */
    efsCsiDriver?: EfsCsiDriverPolicy;
    /** Amazon FSx for Lustre CSI driver. */
    fsxLustreCsiDriver?: FsxLustreCsiDriverPolicy;
    /** Mountpoint for Amazon S3 CSI driver. */
    mountpointS3CsiDriver?: MountpointS3CsiDriverPolicy;
    /** Amazon VPC CNI plugin. */
    vpcCni?: VpcCniPolicy;
    /** ExternalDNS (Route 53). */
    externalDns?: ExternalDnsPolicy;
    /** cert-manager (Route 53 DNS-01). */
    certManager?: CertManagerPolicy;
    /** External Secrets Operator (Secrets Manager, SSM Parameter Store). */
    externalSecrets?: ExternalSecretsPolicy;
    /** Cluster Autoscaler. */
    clusterAutoscaler?: ClusterAutoscalerPolicy;
    /** Karpenter controller. */
    karpenter?: KarpenterPolicy;
    /** Velero with the AWS plugin. */
    velero?: VeleroPolicy;
    /** AWS Node Termination Handler (queue processor). */
    nodeTerminationHandler?: NodeTerminationHandlerPolicy;
    /** Amazon Managed Service for Prometheus. */
    amazonManagedPrometheus?: AmazonManagedPrometheusPolicy;
    /** AWS App Mesh controller. */
    appMeshController?: AppMeshControllerPolicy;
    /** App Mesh Envoy proxies. */
    appMeshEnvoy?: AppMeshEnvoyPolicy;
    /** Amazon CloudWatch Observability add-on. */
    cloudWatchObservability?: CloudWatchObservabilityPolicy;
    /** AWS Gateway API controller (Amazon VPC Lattice). */
    gatewayApiController?: GatewayApiControllerPolicy;
    /** AWS Private CA Issuer for cert-manager. */
    privateCaIssuer?: PrivateCaIssuerPolicy;
}

export type WellKnownPolicyKey = keyof WellKnownPolicies;
export type ResolvedWellKnownPolicies = pulumi.Unwrap<WellKnownPolicies>;

/** An input interface with every `pulumi.Input` resolved: what the render functions take. */
export type Unwrapped<T> = pulumi.Unwrap<T>;
