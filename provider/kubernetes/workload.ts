import * as pulumi from "@pulumi/pulumi";
import { Integer } from "../types";

/**
 * Pure builders for the namespaced Kubernetes objects. They return plain manifests (with Inputs where the
 * values come from other resources) so that tests and the offline plan can check exactly what is applied.
 */

export const CREDENTIALS_REVISION_ANNOTATION = "eks-pod-identity.pulumi.com/credentials-revision";
export const MANAGED_BY_LABEL = { "app.kubernetes.io/managed-by": "pulumi-eks-pod-identity" };

/** A port the container listens on. */
export interface ContainerPort {
    /** Port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-'). Optional. */
    name?: string;
    /** Port number, 1–65535. */
    containerPort: Integer;
    /** `TCP` (default), `UDP` or `SCTP`. */
    protocol?: "TCP" | "UDP" | "SCTP";
}

/** CPU and memory requests and limits of a container, in Kubernetes quantities. */
export interface ResourceRequirements {
    /** Minimum resources the scheduler reserves, e.g. `{ cpu: "100m", memory: "128Mi" }`. */
    requests?: Record<string, string>;
    /** Hard caps, e.g. `{ memory: "256Mi" }`. */
    limits?: Record<string, string>;
}

/** An HTTP GET health check. */
export interface HttpGetAction {
    /** Path to request, e.g. `/healthz`. Default `/`. */
    path?: string;
    /** Port number (1–65535) or name of a container port. */
    port: Integer | string;
    /** `HTTP` (default) or `HTTPS`. */
    scheme?: "HTTP" | "HTTPS";
}

/** A TCP connect health check. */
export interface TcpSocketAction {
    /** Port number (1–65535) or name of a container port. */
    port: Integer | string;
}

/** A command run in the container as a health check. */
export interface ExecAction {
    /** The command and its arguments, run without a shell; exit status 0 is healthy. */
    command: string[];
}

/** A gRPC health check (grpc.health.v1). */
export interface GrpcAction {
    /** Port number, 1–65535. */
    port: Integer;
    /** Service name sent in the health check request. Default: the server's overall health. */
    service?: string;
}

/** A container health check: exactly one handler, and its timing. */
export interface Probe {
    /** HTTP GET check. Give exactly one of `httpGet`, `tcpSocket`, `exec`, `grpc`. */
    httpGet?: HttpGetAction;
    /** TCP connect check. */
    tcpSocket?: TcpSocketAction;
    /** Command run in the container; exit 0 is healthy. */
    exec?: ExecAction;
    /** gRPC health check. */
    grpc?: GrpcAction;
    /** Seconds after start before the first probe. Default 0. */
    initialDelaySeconds?: Integer;
    /** Seconds between probes. Default 10. */
    periodSeconds?: Integer;
    /** Seconds before a probe times out. Default 1. */
    timeoutSeconds?: Integer;
    /** Consecutive failures before the probe counts as failed. Default 3. */
    failureThreshold?: Integer;
    /** Consecutive successes before the probe counts as passed. Default 1. */
    successThreshold?: Integer;
}

/** Lets pods schedule onto nodes with a matching taint. */
export interface Toleration {
    /** Taint key to tolerate; empty with `operator: Exists` tolerates every taint. */
    key?: string;
    /** `Equal` (default) or `Exists`. */
    operator?: "Equal" | "Exists";
    /** Taint value, with `operator: Equal`. */
    value?: string;
    /** `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty tolerates all effects. */
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    /** With `NoExecute`: how long the pod stays bound after the taint appears. */
    tolerationSeconds?: Integer;
}

export interface NamespaceSpecInputs {
    name: pulumi.Input<string>;
    labels: Record<string, pulumi.Input<string>>;
    /** Pod Security admission level enforced on the namespace; `undefined` leaves the cluster default. */
    podSecurityLevel?: "restricted" | "baseline" | "privileged";
    /** The owner annotations (ownership.ts). */
    annotations?: Record<string, string>;
}

export function namespaceManifest(inputs: NamespaceSpecInputs) {
    const podSecurity: Record<string, string> = inputs.podSecurityLevel
        ? {
              "pod-security.kubernetes.io/enforce": inputs.podSecurityLevel,
              "pod-security.kubernetes.io/enforce-version": "latest",
              "pod-security.kubernetes.io/warn": inputs.podSecurityLevel,
              "pod-security.kubernetes.io/audit": inputs.podSecurityLevel,
          }
        : {};
    return {
        apiVersion: "v1" as const,
        kind: "Namespace" as const,
        metadata: { name: inputs.name, labels: { ...MANAGED_BY_LABEL, ...podSecurity, ...inputs.labels }, annotations: inputs.annotations ?? {} },
    };
}

export function serviceAccountManifest(inputs: { name: pulumi.Input<string>; namespace: pulumi.Input<string>; labels: Record<string, pulumi.Input<string>>; annotations: Record<string, pulumi.Input<string>> }) {
    return {
        apiVersion: "v1" as const,
        kind: "ServiceAccount" as const,
        metadata: { name: inputs.name, namespace: inputs.namespace, labels: { ...MANAGED_BY_LABEL, ...inputs.labels }, annotations: inputs.annotations },
        // Pod Identity mounts its own projected token; the API-server token is not needed and is a credential
        // every compromised container would otherwise carry.
        automountServiceAccountToken: false,
    };
}

export interface DeploymentInputs {
    name: string;
    instance: string;
    namespace: pulumi.Input<string>;
    serviceAccountName: pulumi.Input<string>;
    containerName: string;
    image: pulumi.Input<string>;
    replicas: Integer;
    command?: pulumi.Input<string>[];
    args?: pulumi.Input<string>[];
    env: Record<string, pulumi.Input<string>>;
    ports: ContainerPort[];
    resources?: ResourceRequirements;
    livenessProbe?: Probe;
    readinessProbe?: Probe;
    startupProbe?: Probe;
    nodeSelector: Record<string, pulumi.Input<string>>;
    tolerations: Toleration[];
    labels: Record<string, pulumi.Input<string>>;
    podAnnotations: Record<string, pulumi.Input<string>>;
    credentialsRevision: pulumi.Input<string>;
    runAsUser?: Integer;
    runAsGroup?: Integer;
    readOnlyRootFilesystem: boolean;
    /** Init containers run before the main container (the wait for credentials), with the volumes they need. */
    initContainers?: { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] };
    /** Volumes, mounts and variables added for the cross-account profile. */
    /** Annotations of the Deployment object (not of its pods): the owner annotations (ownership.ts). */
    annotations?: Record<string, string>;
    extra?: pulumi.Output<{ volumes: Record<string, unknown>[]; volumeMounts: Record<string, unknown>[]; env: { name: string; value: string }[] } | undefined>;
}

/** A container's security context under the "restricted" Pod Security Standard: non-root, no escalation, no capabilities. */
export function restrictedContainerSecurityContext(readOnlyRootFilesystem: boolean) {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function selectorLabels(name: string, instance: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": instance };
}

/**
 * The Deployment. Security context defaults satisfy the "restricted" Pod Security Standard; node placement avoids
 * nodes where the Pod Identity agent cannot run (Windows, Fargate), since pods there would never get credentials.
 */
export function deploymentManifest(inputs: DeploymentInputs) {
    const selector = selectorLabels(inputs.name, inputs.instance);
    // With a read-only root filesystem, tools that write under $HOME (the AWS CLI caches assumed-role credentials in
    // ~/.aws/cli/cache) need a writable home: the /tmp emptyDir, unless the user chose one.
    const homeDefault = inputs.readOnlyRootFilesystem && inputs.env.HOME === undefined ? { HOME: "/tmp" } : {};
    const ownEnv = Object.entries({ ...inputs.env, ...homeDefault }).map(([name, value]) => ({ name, value }));
    const ownVolumes = [...(inputs.readOnlyRootFilesystem ? [{ name: "tmp", emptyDir: {} }] : []), ...(inputs.initContainers?.volumes ?? [])];
    const ownMounts = inputs.readOnlyRootFilesystem ? [{ name: "tmp", mountPath: "/tmp" }] : [];
    const extra = inputs.extra ?? pulumi.output(undefined);
    const nonEmpty = <T>(list: T[]) => (list.length > 0 ? list : undefined);
    const env = extra.apply((e) => nonEmpty([...ownEnv, ...(e?.env ?? [])]));
    // The fragment's entries are Kubernetes Volume and VolumeMount objects, typed loosely where they are built.
    const volumes = extra.apply((e) => nonEmpty([...ownVolumes, ...(e?.volumes ?? [])])) as pulumi.Output<any[] | undefined>;
    const volumeMounts = extra.apply((e) => nonEmpty([...ownMounts, ...(e?.volumeMounts ?? [])])) as pulumi.Output<any[] | undefined>;
    return {
        apiVersion: "apps/v1" as const,
        kind: "Deployment" as const,
        metadata: { name: inputs.name, namespace: inputs.namespace, labels: { ...MANAGED_BY_LABEL, ...inputs.labels, ...selector }, annotations: inputs.annotations ?? {} },
        spec: {
            replicas: inputs.replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: {
                    labels: { ...inputs.labels, ...selector },
                    annotations: { ...inputs.podAnnotations, [CREDENTIALS_REVISION_ANNOTATION]: inputs.credentialsRevision },
                },
                spec: {
                    serviceAccountName: inputs.serviceAccountName,
                    automountServiceAccountToken: false,
                    securityContext: {
                        runAsNonRoot: true,
                        ...(inputs.runAsUser !== undefined ? { runAsUser: inputs.runAsUser } : {}),
                        ...(inputs.runAsGroup !== undefined ? { runAsGroup: inputs.runAsGroup } : {}),
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                    nodeSelector: { "kubernetes.io/os": "linux", ...inputs.nodeSelector },
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [{ matchExpressions: [{ key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] }] }],
                            },
                        },
                    },
                    ...(inputs.tolerations.length > 0 ? { tolerations: inputs.tolerations } : {}),
                    volumes,
                    ...(inputs.initContainers ? { initContainers: inputs.initContainers.containers as any[] } : {}),
                    containers: [
                        {
                            name: inputs.containerName,
                            image: inputs.image,
                            ...(inputs.command ? { command: inputs.command } : {}),
                            ...(inputs.args ? { args: inputs.args } : {}),
                            env,
                            ...(inputs.ports.length > 0 ? { ports: inputs.ports.map((p) => ({ protocol: "TCP", ...p })) } : {}),
                            ...(inputs.resources ? { resources: inputs.resources } : {}),
                            ...(inputs.livenessProbe ? { livenessProbe: inputs.livenessProbe } : {}),
                            ...(inputs.readinessProbe ? { readinessProbe: inputs.readinessProbe } : {}),
                            ...(inputs.startupProbe ? { startupProbe: inputs.startupProbe } : {}),
                            securityContext: restrictedContainerSecurityContext(inputs.readOnlyRootFilesystem),
                            volumeMounts,
                        },
                    ],
                },
            },
        },
    };
}
