import { ResourceRequirements, Toleration } from "../kubernetes/workload";
import { checkResourceRequirements, checkToleration } from "../kubernetes/rules";
import { Problems, checkOneOf, describe, joinPath } from "../validation/problems";

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

/** The add-on's configuration values document, or `undefined` when nothing differs from the add-on's defaults. */
export function agentConfigurationValues(settings: AgentSettings): Record<string, unknown> | undefined {
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
    const bind = (settings.extraConfigurationValues as { agent?: { additionalArgs?: Record<string, unknown> } } | undefined)?.agent?.additionalArgs?.["-b"];
    if (settings.ipv4Only && bind !== undefined && bind !== AGENT_IPV4_ADDRESS) {
        problems.add(joinPath(path, "extraConfigurationValues.agent.additionalArgs"), `sets "-b" to ${describe(bind)}, which contradicts ipv4Only; drop one of them`);
    }
    // The add-on applies these to its DaemonSet: the API server checks them as it would a pod's.
    if (settings.tolerations !== undefined && !Array.isArray(settings.tolerations)) {
        problems.add(joinPath(path, "tolerations"), `expected a list of tolerations, got ${describe(settings.tolerations)}`);
    }
    (Array.isArray(settings.tolerations) ? settings.tolerations : []).forEach((t, i) => checkToleration(problems, joinPath(path, `tolerations[${i}]`), t));
    checkResourceRequirements(problems, joinPath(path, "resources"), settings.resources);
}
