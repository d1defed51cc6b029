import * as pulumi from "@pulumi/pulumi";
import { Integer } from "../types";
import { AgentSettings } from "../agent/configuration";
import type { CrossAccountSettings } from "../crossAccount/args";
import { ContainerPort, Probe, ResourceRequirements, Toleration } from "../kubernetes/workload";
import type { PodIdentityAgent } from "./podIdentityAgent";
import { PolicyStatement } from "../iam/policyDocument";
import { WellKnownPolicies } from "../wellKnownPolicies/registry";
import type { FargateProfileSelector } from "../agent/preflight";
import type { WaitForCredentialsSettings } from "../agent/waitForCredentials";
import { InlinePolicy, RoleSettings } from "./roleArgs";

export { InlinePolicy, RoleSettings };


/** A principal in an additional trust statement. */
export interface TrustPrincipal {
    /** `Service`, `AWS` or `Federated`. */
    type: "Service" | "AWS" | "Federated";
    /** Principals of that type, e.g. service principals or role ARNs. */
    identifiers: pulumi.Input<string>[];
}

/** An extra statement for the role's trust policy. */
export interface TrustStatement extends Omit<PolicyStatement, "resources" | "notResources" | "sessionTagScope"> {
    /** Who may assume the role through this statement. Required. */
    principals: TrustPrincipal[];
}

/**
 * The role's trust policy. Secure by default: only EKS Pod Identity, only from this cluster and its account,
 * and (with session tags) only for this workload's namespace and service account. Every narrowing can be widened
 * (lists) or dropped (`any*` flags) explicitly.
 */
export interface TrustSettings {
    /**
     * Clusters allowed to hand out the role (`aws:SourceArn`). Default: this workload's cluster. Widen for
     * blue/green clusters.
     */
    clusterArns?: pulumi.Input<string>[];
    /** Drop the `aws:SourceArn` condition: any cluster of the allowed accounts may use the role. Default `false`. */
    anyCluster?: boolean;
    /** Accounts allowed as `aws:SourceAccount`. Default: the accounts of `clusterArns`. */
    sourceAccounts?: pulumi.Input<string>[];
    /** Drop the `aws:SourceAccount` condition. Default `false`. */
    anySourceAccount?: boolean;
    /**
     * Namespaces allowed through the `kubernetes-namespace` session tag; must include this workload's namespace.
     * Default: this workload's namespace. Requires session tags.
     */
    namespaces?: string[];
    /** Drop the namespace condition. Default `false` (implied when session tags are disabled). */
    anyNamespace?: boolean;
    /**
     * Service accounts allowed through the `kubernetes-service-account` session tag; must include this workload's
     * service account (`serviceAccountName`, or the component name). Default: this workload's service account.
     * Requires session tags.
     */
    serviceAccounts?: string[];
    /** Drop the service-account condition. Default `false` (implied when session tags are disabled). */
    anyServiceAccount?: boolean;
    /**
     * IRSA migration: ARN of the cluster's IAM OIDC provider, `arn:aws:iam::<account>:oidc-provider/<issuer URL
     * without https://>` (e.g. `…:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/<id>`). Adds an
     * `sts:AssumeRoleWithWebIdentity` statement for this namespace/service account, so pods keep working with IRSA
     * while moving to Pod Identity. Default: none.
     */
    irsaOidcProviderArn?: pulumi.Input<string>;
    /** Statements appended to the trust policy as given. Default: none. */
    additionalStatements?: TrustStatement[];
}


/** Settings of the EKS Pod Identity association. */
export interface AssociationSettings {
    /**
     * Do not attach the six session tags (cluster ARN and name, namespace, service account, pod name and UID).
     * Default `false`: the tags enable the trust policy's namespace/service-account pinning and ABAC permissions.
     */
    disableSessionTags?: boolean;
    /**
     * A session policy further restricting the role's permissions for this association (JSON text or object, at
     * most 2048 characters). EKS requires `disableSessionTags: true` with it.
     */
    sessionPolicy?: pulumi.Input<string | Record<string, unknown>>;
    /** Tags on the association. Merged over `tags`; with them at most 50, keys 1–128 and values up to 256 letters, digits, spaces and `_ . : / = + - @`, no `aws:` prefix. */
    tags?: Record<string, string>;
}

/** The workload's agent: install the add-on here, or wait for one installed elsewhere in the program. */
export interface WorkloadAgentSettings extends AgentSettings {
    /**
     * Install the `eks-pod-identity-agent` add-on as part of this workload. Default `false`: in platform stacks
     * the cluster stack owns the agent. At most one install per cluster per program.
     */
    install?: boolean;
    /** An agent installed elsewhere in this program; the Deployment waits for it. */
    waitFor?: PodIdentityAgent;
}

/** The Deployment. Omit it to create only the namespace and service account (for Helm or Argo CD workloads). */
export interface WorkloadSettings {
    /** Container image, e.g. `public.ecr.aws/aws-cli/aws-cli:2.17.0` (no whitespace). Required. */
    image: pulumi.Input<string>;
    /**
     * Deployment name, a DNS-1123 subdomain of at most 63 characters (it is also the pods' `app.kubernetes.io/name`
     * label). Default: the component name, which is also their `app.kubernetes.io/instance` label.
     */
    name?: string;
    /** Container name, a DNS-1123 label. Default `app`. */
    containerName?: string;
    /** Replica count, 0–1000. Default 1. */
    replicas?: Integer;
    /** Entrypoint override. Default: the image's. */
    command?: pulumi.Input<string>[];
    /** Arguments. Default: the image's. */
    args?: pulumi.Input<string>[];
    /** Environment variables. Names the Pod Identity webhook injects (AWS_CONTAINER_*) are rejected. */
    env?: Record<string, pulumi.Input<string>>;
    /** Container ports. Default: none. */
    ports?: ContainerPort[];
    /**
     * CPU and memory requests and limits, as Kubernetes quantities (`100m`, `1.5Gi`, `1e3`); a request may not exceed
     * its limit. Default: none (the namespace's LimitRange applies).
     */
    resources?: ResourceRequirements;
    /** Liveness probe. Default: none. */
    livenessProbe?: Probe;
    /** Readiness probe. Default: none. */
    readinessProbe?: Probe;
    /** Startup probe. Default: none. */
    startupProbe?: Probe;
    /** Node labels the pods must match, merged over `kubernetes.io/os: linux` (the agent runs on Linux only). */
    nodeSelector?: Record<string, string>;
    /** Tolerations of node taints. Default: none. */
    tolerations?: Toleration[];
    /** Labels on the Deployment and its pods; `app.kubernetes.io/name` and `app.kubernetes.io/instance` are set by the component. */
    labels?: Record<string, string>;
    /** Annotations on the pods (keys and values together at most 256 KiB). */
    podAnnotations?: Record<string, pulumi.Input<string>>;
    /** UID to run as; must not be 0. Default: the image's user, which must then be numeric and non-root. */
    runAsUser?: Integer;
    /** GID to run as. Default: the image's. */
    runAsGroup?: Integer;
    /** Mount the root filesystem read-only, with a writable emptyDir at /tmp (and `HOME=/tmp` unless `env` sets HOME). Default `true`. */
    readOnlyRootFilesystem?: boolean;
    /**
     * Hold the main container until the node's Pod Identity agent hands out the pod's credentials: an init container
     * (`wait-for-pod-identity`, restricted Pod Security Standard) asks the agent with the credential helper until it
     * answers or `timeoutSeconds` pass, logging one line when it starts waiting and one when it ends, never a
     * credential. For pods that call AWS at start-up on nodes that may be new. Default: none (no init container).
     */
    waitForCredentials?: WaitForCredentialsSettings;
}

/**
 * Existing objects this component may take over. Taking one over is never the default: without it, the component
 * refuses (at preview, before anything changes) to create a namespace, service account, ConfigMap or Deployment that
 * already exists in the cluster unless this component created it (its `eks-pod-identity.pulumi.com/owner` annotation
 * names this organization, project, stack and component).
 */
export interface AdoptSettings {
    /**
     * Take over the namespace when it already exists: the component adds its labels (including the "restricted" Pod
     * Security Standard, which then applies to the pods already there) and annotations, and never deletes it, also
     * when it did not exist before: `pulumi destroy` leaves it in the cluster. Only with `createNamespace`. Default `false`.
     */
    namespace?: boolean;
    /**
     * Take over the service account when it already exists: the component sets its labels, annotations and
     * `automountServiceAccountToken: false`, and never deletes it (also when it did not exist before). Only with
     * `createServiceAccount`. Default `false`.
     */
    serviceAccount?: boolean;
}

export interface PodIdentityWorkloadArgs {
    /** Name of the EKS cluster. Required; an `eks.Cluster`'s `eksCluster.name` output works as is. */
    clusterName: pulumi.Input<string>;
    /**
     * ARN of the cluster, for the trust policy's `aws:SourceArn`/`aws:SourceAccount` conditions. Default: looked up
     * from `clusterName` (one `eks:DescribeCluster` call at preview).
     */
    clusterArn?: pulumi.Input<string>;
    /** Kubernetes namespace of the workload, a DNS-1123 label (at most 63 characters). Required. */
    namespace: pulumi.Input<string>;
    /**
     * Create the namespace (labelled to enforce the "restricted" Pod Security Standard). Default `true`, except for
     * the namespaces Kubernetes owns (`kube-system`, `kube-public`, `kube-node-lease`, `default`): those are never
     * created or relabelled, so the default there is `false` and an explicit `true` is rejected. A namespace known
     * only after preview that turns out to be one of them fails the component unless this is `false`.
     */
    createNamespace?: boolean;
    /** Extra labels on a created namespace (label keys and values as Kubernetes allows them). */
    namespaceLabels?: Record<string, string>;
    /** Service account name, a DNS-1123 subdomain. Default: the component name. */
    serviceAccountName?: pulumi.Input<string>;
    /** Create the service account (with `automountServiceAccountToken: false`). Default `true`. */
    createServiceAccount?: boolean;
    /** Existing namespace and service account this component may take over. Default: none (an existing one is refused). */
    adopt?: AdoptSettings;
    /**
     * The kubeconfig (contents, or the path of a file, as the Kubernetes provider's `kubeconfig` takes it) through which
     * the component reads the cluster at preview and update, to check that the Kubernetes objects it is about to
     * create do not exist yet or were created by it. Required when the component is given a Kubernetes provider of
     * your own (pass that provider's kubeconfig, e.g. an `eks.Cluster`'s `kubeconfigJson`); it may be unknown at
     * preview (a cluster created in the same update), and the check then runs at update, before anything changes.
     * A secret: encrypted in the state, passed to no resource or output. Default: the default Kubernetes provider's configuration
     * (`kubernetes:kubeconfig`, `kubernetes:context`), else `$KUBECONFIG`, else `~/.kube/config`.
     * @secret
     */
    kubeconfig?: pulumi.Input<string>;
    /**
     * ARN of an existing role to associate (e.g. one the IAM team owns). Then no IAM resources are created, and
     * `role`, `trust` and permission inputs are rejected. Default: a role is created.
     */
    roleArn?: pulumi.Input<string>;
    /** Settings of the created role. */
    role?: RoleSettings;
    /** Trust policy of the created role. */
    trust?: TrustSettings;
    /**
     * ARNs of managed policies to attach (at most 20; AWS's default quota is 10), in the cluster's partition. Each
     * becomes the attachment `<component>-managed-<policy name>`; a later policy with the name of an earlier one gets
     * its account and path appended. Default: none.
     */
    managedPolicyArns?: pulumi.Input<string>[];
    /** Typed statements rendered into one inline policy named `<component>-permissions`. Default: none. */
    policyStatements?: PolicyStatement[];
    /** Raw inline policy documents. All inline policies together stay under IAM's 10,240 characters. Default: none. */
    inlinePolicies?: InlinePolicy[];
    /**
     * Well-known policies of cluster add-ons (AWS Load Balancer Controller, EBS CSI driver, ExternalDNS, Karpenter, …),
     * each written from the upstream project's documented policy and scoped by its typed inputs. Each becomes a
     * customer-managed policy `<component>-well-known-<policy>` attached to the role (Karpenter's two), so they do not
     * use the role's inline budget; they count towards the role's managed-policy attachments with `managedPolicyArns`.
     * Default: none.
     */
    wellKnownPolicies?: WellKnownPolicies;
    /**
     * Accept policy statements that allow every action (`*`) on every resource (`*`), i.e. administrator access.
     * Default `false`: such a statement is rejected at preview.
     */
    allowFullAccess?: boolean;

    /** The Pod Identity association's settings. */
    association?: AssociationSettings;
    /** The Pod Identity agent. Default: not installed here. */
    agent?: WorkloadAgentSettings;
    /** The Deployment. Default: none (namespace and service account only). */
    workload?: WorkloadSettings;
    /** Access to roles in other accounts by role chaining. Default: none. */
    crossAccount?: CrossAccountSettings;
    /**
     * Selectors of the cluster's Fargate profiles (e.g. an `aws.eks.FargateProfile`'s `selectors` output), for a
     * preflight warning: pods that a selector matches run on Fargate, where the Pod Identity agent does not run.
     * Only read for the warning. Default: none (not checked).
     */
    fargateProfileSelectors?: pulumi.Input<FargateProfileSelector[]>;
    /**
     * Tags on every AWS resource created (role, association, add-on): at most 50, keys 1–128 and values up to 256 letters, digits, spaces and `_ . : / = + - @`, no `aws:` prefix. IAM compares keys
     * without case, so `Team` here and `team` in `role.tags` are refused.
     */
    tags?: Record<string, string>;
}
