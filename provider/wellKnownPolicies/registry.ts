import * as pulumi from "@pulumi/pulumi";
import * as addon from "./addons";
import { WellKnownAddOn } from "./addOn";

/*
 * Adding an add-on: its module under addons/ (args interface, check, render, definition), its line in addons/index.ts,
 * and here its `WellKnownPolicies` member and its `WELL_KNOWN_POLICIES` entry, at the same position in both.
 *
 * Why two entries here rather than `WellKnownPolicies` mapped from `WELL_KNOWN_POLICIES`: the package schema is
 * generated from this interface by tools/schema/generate-schema.ts, which reads declared property signatures and
 * their JSDoc (each becomes an SDK property's description); it refuses a mapped type ("unsupported type"), and a
 * mapped member has no JSDoc of its own. The mapped type of `WELL_KNOWN_POLICIES` makes the compiler reject a member
 * without an entry and an entry without a member; their order (documented and rendered order, and the schema's) is
 * kept by hand and checked by tests/well-known-policies.test.ts.
 */

/**
 * Well-known policies for cluster add-ons, each written from the upstream project's documented permission list and
 * scoped by its inputs. Each key present enables that policy as a customer-managed policy attached to the role.
 */
export interface WellKnownPolicies {
    /** AWS Load Balancer Controller. */
    awsLoadBalancerController?: addon.AwsLoadBalancerControllerPolicy;
    /** Amazon EBS CSI driver. */
    ebsCsiDriver?: addon.EbsCsiDriverPolicy;
    /** Amazon EFS CSI driver. */
    efsCsiDriver?: addon.EfsCsiDriverPolicy;
    /** Amazon FSx for Lustre CSI driver. */
    fsxLustreCsiDriver?: addon.FsxLustreCsiDriverPolicy;
    /** Mountpoint for Amazon S3 CSI driver. */
    mountpointS3CsiDriver?: addon.MountpointS3CsiDriverPolicy;
    /** Amazon VPC CNI plugin. */
    vpcCni?: addon.VpcCniPolicy;
    /** ExternalDNS (Route 53). */
    externalDns?: addon.ExternalDnsPolicy;
    /** cert-manager (Route 53 DNS-01). */
    certManager?: addon.CertManagerPolicy;
    /** External Secrets Operator (Secrets Manager, SSM Parameter Store). */
    externalSecrets?: addon.ExternalSecretsPolicy;
    /** Cluster Autoscaler. */
    clusterAutoscaler?: addon.ClusterAutoscalerPolicy;
    /** Karpenter controller. */
    karpenter?: addon.KarpenterPolicy;
    /** Velero with the AWS plugin. */
    velero?: addon.VeleroPolicy;
    /** AWS Node Termination Handler (queue processor). */
    nodeTerminationHandler?: addon.NodeTerminationHandlerPolicy;
    /** Amazon Managed Service for Prometheus. */
    amazonManagedPrometheus?: addon.AmazonManagedPrometheusPolicy;
    /** AWS App Mesh controller. */
    appMeshController?: addon.AppMeshControllerPolicy;
    /** App Mesh Envoy proxies. */
    appMeshEnvoy?: addon.AppMeshEnvoyPolicy;
    /** Amazon CloudWatch Observability add-on. */
    cloudWatchObservability?: addon.CloudWatchObservabilityPolicy;
    /** AWS Gateway API controller (Amazon VPC Lattice). */
    gatewayApiController?: addon.GatewayApiControllerPolicy;
    /** AWS Private CA Issuer for cert-manager. */
    privateCaIssuer?: addon.PrivateCaIssuerPolicy;
}

export type WellKnownPolicyKey = keyof WellKnownPolicies;
export type ResolvedWellKnownPolicies = pulumi.Unwrap<WellKnownPolicies>;

/** The definition of the well-known policy with this key. */
export type WellKnownPolicyDefinition<K extends WellKnownPolicyKey> = WellKnownAddOn<NonNullable<WellKnownPolicies[K]>>;

/** Every well-known policy, in the order they are documented and rendered. */
export const WELL_KNOWN_POLICIES: { [K in WellKnownPolicyKey]-?: WellKnownPolicyDefinition<K> } = {
    awsLoadBalancerController: addon.awsLoadBalancerControllerDefinition,
    ebsCsiDriver: addon.ebsCsiDriverDefinition,
    efsCsiDriver: addon.efsCsiDriverDefinition,
    fsxLustreCsiDriver: addon.fsxLustreCsiDriverDefinition,
    mountpointS3CsiDriver: addon.mountpointS3CsiDriverDefinition,
    vpcCni: addon.vpcCniDefinition,
    externalDns: addon.externalDnsDefinition,
    certManager: addon.certManagerDefinition,
    externalSecrets: addon.externalSecretsDefinition,
    clusterAutoscaler: addon.clusterAutoscalerDefinition,
    karpenter: addon.karpenterDefinition,
    velero: addon.veleroDefinition,
    nodeTerminationHandler: addon.nodeTerminationHandlerDefinition,
    amazonManagedPrometheus: addon.amazonManagedPrometheusDefinition,
    appMeshController: addon.appMeshControllerDefinition,
    appMeshEnvoy: addon.appMeshEnvoyDefinition,
    cloudWatchObservability: addon.cloudWatchObservabilityDefinition,
    gatewayApiController: addon.gatewayApiControllerDefinition,
    privateCaIssuer: addon.privateCaIssuerDefinition,
};
