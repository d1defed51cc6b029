import * as pulumi from "@pulumi/pulumi";
import { ResourceRequirements, Toleration } from "../kubernetes/workload";
import { checkDnsSubdomain, checkLabels, checkResourceRequirements, checkToleration } from "../kubernetes/rules";
import { Problems, checkOneOf, checkStringMap, describe, joinPath, keyPath } from "../validation/problems";
import { AgentHelmChart, NODE_CRITICAL_PRIORITY } from "./helmChart";

/** The EKS add-on that runs the Pod Identity agent DaemonSet. */
export const AGENT_ADDON_NAME = "eks-pod-identity-agent";
/** The agent's IPv4 link-local listen address; the IPv6 one is fd00:ec2::23. */
export const AGENT_IPV4_ADDRESS = "169.254.170.23";

export const RESOLVE_CONFLICTS = ["NONE", "OVERWRITE", "PRESERVE"] as const;
/** How EKS resolves add-on fields changed outside EKS: `NONE` fails, `OVERWRITE` takes over, `PRESERVE` keeps them. */
export type ResolveConflicts = (typeof RESOLVE_CONFLICTS)[number];

/** Agent settings shared by the standalone `PodIdentityAgent` and a workload's `agent` block. */
export interface AgentSettings {
    /**
     * Add-on version, e.g. `v1.3.4-eksbuild.1`. Default: the most recent version EKS lists as compatible with the
     * cluster's Kubernetes version, looked up at preview.
     */
    addonVersion?: string;
    /**
     * Bind the agent to its IPv4 address only (`-b 169.254.170.23`). Needed on nodes with IPv6 disabled, where the
     * agent otherwise fails to start. Default `false`.
     */
    ipv4Only?: boolean;
    /** Tolerations for the agent DaemonSet, so it also runs on tainted nodes. Default: the add-on's own (tolerate all). */
    tolerations?: Toleration[];
    /** CPU and memory for the agent container. Default: the add-on's own. */
    resources?: ResourceRequirements;
    /** Further add-on configuration values merged over the typed ones (see `aws eks describe-addon-configuration`). */
    extraConfigurationValues?: Record<string, unknown>;
    /**
     * What EKS does when the add-on's fields already exist in the cluster at creation. Default `OVERWRITE`, so an
     * agent installed earlier by hand is taken over instead of failing the create.
     */
    resolveConflictsOnCreate?: "NONE" | "OVERWRITE";
    /** What EKS does with fields changed outside EKS on update. Default `OVERWRITE`: the stack is the source of truth. */
    resolveConflictsOnUpdate?: ResolveConflicts;
    /** Tags on the add-on resource: at most 50, keys 1–128 and values up to 256 letters, digits, spaces and `_ . : / = + - @`, no `aws:` prefix. */
    tags?: Record<string, string>;
}

/**
 * Settings of the standalone `PodIdentityAgent` beyond those a workload's `agent` block takes: the install method
 * and the agent's placement. The same typed settings serve both methods; a setting a method cannot apply is refused
 * at preview, naming it.
 */
export interface AgentInstallSettings {
    /**
     * Install the agent from its Helm chart (a local chart or a chart repository at an exact version) through the
     * Kubernetes provider, instead of the EKS add-on. Then the add-on's settings (`addonVersion`, `kubernetesVersion`,
     * `extraConfigurationValues`, `resolveConflictsOnCreate/Update`, `tags`) are refused. Default: the EKS add-on.
     */
    helm?: AgentHelmChart;
    /**
     * The agent's container image, e.g. a private registry's copy
     * `111122223333.dkr.ecr.eu-west-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.29` (the chart's `image.override`).
     * Helm only: the add-on runs the image EKS publishes for its version. Default: the chart's.
     */
    image?: string;
    /**
     * Node labels the agent's nodes must carry (the chart's `nodeSelector`); `kubernetes.io/os` can only be `linux`.
     * Helm only: the add-on's configuration has no node selector (use `affinity` there). Default: none (the chart's
     * affinity already keeps the agent to Linux, amd64/arm64, non-Fargate nodes).
     */
    nodeSelector?: Record<string, string>;
    /**
     * The agent pods' affinity (a Kubernetes `Affinity` object: `nodeAffinity`, `podAffinity`, `podAntiAffinity`),
     * replacing the chart's or add-on's default, which keeps the agent to Linux amd64/arm64 nodes and off Fargate:
     * keep those terms when replacing it. Default: the chart's or add-on's.
     */
    affinity?: Record<string, unknown>;
    /**
     * Priority class of the agent pods. Default `system-node-critical`: under node pressure the kubelet evicts other
     * pods before the agent, and the scheduler may preempt them to place it. The add-on runs at
     * `system-node-critical` and cannot be changed: another value is refused there.
     */
    priorityClassName?: string;
}

/** The inputs only the EKS add-on applies, refused with the Helm method. */
const ADDON_ONLY = ["addonVersion", "kubernetesVersion", "extraConfigurationValues", "resolveConflictsOnCreate", "resolveConflictsOnUpdate", "tags"] as const;

/**
 * Refuses what the chosen install method cannot apply, naming each input and what to use instead. Kept in one place
 * so that the two methods' gaps are listed side by side. The add-on's side follows its configuration schema
 * (`aws eks describe-addon-configuration --addon-name eks-pod-identity-agent`; v1.3.2-eksbuild.2 is quoted in the
 * agent repository's issue "The addon configuration schema from EKS web console does not allow customizing environment
 * variables"): `additionalProperties: false` at the top, with `affinity`, `agent.additionalArgs`, `tolerations`,
 * `resources` among its keys and no image, so EKS would refuse the rest at apply.
 */
export function checkInstallMethod(problems: Problems, settings: AgentSettings & AgentInstallSettings & { kubernetesVersion?: unknown }): void {
    if (settings.helm !== undefined) {
        for (const key of ADDON_ONLY) {
            if (settings[key] !== undefined) {
                const instead = key === "extraConfigurationValues" ? "give raw chart values in helm.values" : "remove it";
                problems.add(key, `applies to the EKS add-on only, and helm installs the agent from its chart: ${instead}`);
            }
        }
        return;
    }
    if (settings.image !== undefined) {
        problems.add("image", "the EKS add-on runs the image EKS publishes for its version and cannot take another: install from the chart (helm) to use a private registry's image");
    }
    if (settings.nodeSelector !== undefined) {
        problems.add("nodeSelector", "the EKS add-on's configuration has no node selector: express it as affinity (nodeAffinity), or install from the chart (helm)");
    }
    if (settings.priorityClassName !== undefined && settings.priorityClassName !== NODE_CRITICAL_PRIORITY) {
        problems.add("priorityClassName", `the EKS add-on runs the agent at ${NODE_CRITICAL_PRIORITY}, which its configuration cannot change: remove it, or install from the chart (helm)`);
    }
}

/** Checks the placement settings both methods share (and the Helm-only ones when given). */
export function checkAgentPlacement(problems: Problems, settings: AgentInstallSettings): void {
    if (settings.image !== undefined && (settings.image === "" || /\s/.test(settings.image))) {
        problems.add("image", `${describe(settings.image)} is not an image reference: give e.g. registry.example.com/eks/eks-pod-identity-agent:0.1.29`);
    }
    checkStringMap(problems, "nodeSelector", settings.nodeSelector);
    checkLabels(problems, "nodeSelector", settings.nodeSelector, "node label key");
    const os = settings.nodeSelector?.["kubernetes.io/os"];
    if (os !== undefined && os !== "linux") {
        problems.add(keyPath("nodeSelector", "kubernetes.io/os"), "the Pod Identity agent runs on Linux nodes only: remove it or use linux");
    }
    if (settings.affinity !== undefined) {
        if (typeof settings.affinity !== "object" || settings.affinity === null || Array.isArray(settings.affinity)) {
            problems.add("affinity", `expected an Affinity object (nodeAffinity, podAffinity, podAntiAffinity), got ${describe(settings.affinity)}`);
        } else {
            // core/v1 Affinity has exactly these three fields; the API server would drop or refuse anything else.
            for (const key of Object.keys(settings.affinity).filter((k) => !["nodeAffinity", "podAffinity", "podAntiAffinity"].includes(k))) {
                problems.add(keyPath("affinity", key), "is not a field of a Kubernetes Affinity: use nodeAffinity, podAffinity or podAntiAffinity");
            }
        }
    }
    if (settings.priorityClassName !== undefined) {
        // PriorityClass names are DNS-1123 subdomains (apimachinery ValidateObjectMeta for PriorityClass).
        checkDnsSubdomain(problems, "priorityClassName", settings.priorityClassName);
    }
}

/**
 * The chart's values, in the interface of the agent's chart (`charts/eks-pod-identity-agent/values.yaml`):
 * `clusterName`, `env.AWS_REGION`, `priorityClassName`, `image.override`, `agent.additionalArgs`, `tolerations`,
 * `nodeSelector`, `affinity`, `resources`; `helm.values` merged over them.
 */
export function agentChartValues(settings: AgentSettings & AgentInstallSettings & { helm: AgentHelmChart }, clusterName: pulumi.Input<string>): Record<string, unknown> {
    const values: Record<string, unknown> = {
        clusterName,
        env: { AWS_REGION: settings.helm.region },
        priorityClassName: settings.priorityClassName ?? NODE_CRITICAL_PRIORITY,
    };
    if (settings.image !== undefined) {
        values.image = { override: settings.image };
    }
    if (settings.ipv4Only) {
        values.agent = { additionalArgs: { "-b": AGENT_IPV4_ADDRESS } };
    }
    for (const key of ["tolerations", "nodeSelector", "affinity", "resources"] as const) {
        if (settings[key] !== undefined) {
            values[key] = settings[key];
        }
    }
    return deepMerge(values, settings.helm.values ?? {});
}

/** The add-on's configuration values document, or `undefined` when nothing differs from the add-on's defaults. */
export function agentConfigurationValues(settings: AgentSettings & Pick<AgentInstallSettings, "affinity">): Record<string, unknown> | undefined {
    const values: Record<string, unknown> = {};
    if (settings.ipv4Only) {
        values.agent = { additionalArgs: { "-b": AGENT_IPV4_ADDRESS } };
    }
    if (settings.tolerations) {
        values.tolerations = settings.tolerations;
    }
    if (settings.resources) {
        values.resources = settings.resources;
    }
    if (settings.affinity) {
        values.affinity = settings.affinity;
    }
    const merged = deepMerge(values, settings.extraConfigurationValues ?? {});
    return Object.keys(merged).length > 0 ? merged : undefined;
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(extra)) {
        const current = out[key];
        out[key] = isObject(current) && isObject(value) ? deepMerge(current, value) : value;
    }
    return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function checkAgentSettings(problems: Problems, path: string, settings: AgentSettings): void {
    if (settings.addonVersion !== undefined && !/^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(settings.addonVersion)) {
        problems.add(joinPath(path, "addonVersion"), `"${settings.addonVersion}" is not an EKS add-on version: use the form v1.3.4-eksbuild.1, or omit it for the latest compatible version`);
    }
    checkOneOf(problems, joinPath(path, "resolveConflictsOnCreate"), settings.resolveConflictsOnCreate, ["NONE", "OVERWRITE"]);
    checkOneOf(problems, joinPath(path, "resolveConflictsOnUpdate"), settings.resolveConflictsOnUpdate, RESOLVE_CONFLICTS);
    if (settings.extraConfigurationValues !== undefined && !isObject(settings.extraConfigurationValues)) {
        problems.add(joinPath(path, "extraConfigurationValues"), `expected an object, got ${describe(settings.extraConfigurationValues)}`);
    }
    checkBindContradiction(problems, joinPath(path, "extraConfigurationValues"), settings.ipv4Only, settings.extraConfigurationValues);
    // The add-on applies these to its DaemonSet: the API server checks them as it would a pod's.
    if (settings.tolerations !== undefined && !Array.isArray(settings.tolerations)) {
        problems.add(joinPath(path, "tolerations"), `expected a list of tolerations, got ${describe(settings.tolerations)}`);
    }
    (Array.isArray(settings.tolerations) ? settings.tolerations : []).forEach((t, i) => checkToleration(problems, joinPath(path, `tolerations[${i}]`), t));
    checkResourceRequirements(problems, joinPath(path, "resources"), settings.resources);
}

/** Raw values (add-on configuration or chart values, the same `agent.additionalArgs` key) that contradict `ipv4Only`. */
export function checkBindContradiction(problems: Problems, path: string, ipv4Only: boolean | undefined, raw: unknown): void {
    const bind = (raw as { agent?: { additionalArgs?: Record<string, unknown> } } | undefined)?.agent?.additionalArgs?.["-b"];
    if (ipv4Only && bind !== undefined && bind !== AGENT_IPV4_ADDRESS) {
        problems.add(`${path}.agent.additionalArgs`, `sets "-b" to ${describe(bind)}, which contradicts ipv4Only; drop one of them`);
    }
}
