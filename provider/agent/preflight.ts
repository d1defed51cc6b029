import * as pulumi from "@pulumi/pulumi";

/**
 * Preflight warnings: conditions under which pods would get no credentials, or the agent would not start, that we can
 * see at preview but that are not necessarily mistakes (the user may know better), so they warn instead of failing.
 * The checks are pure functions returning the messages; components print them with `pulumi.log.warn`.
 */

/** One selector of an EKS Fargate profile, as `aws.eks.FargateProfile`'s `selectors` hold them. */
export interface FargateProfileSelector {
    /** Namespace the profile selects; EKS accepts the wildcards `*` and `?`. Required. */
    namespace: string;
    /** Pod labels the profile also requires (all of them). Default: none (every pod of the namespace). */
    labels?: Record<string, string>;
}

/** EKS Fargate profile namespace patterns: `*` any run of characters, `?` one character (EKS User Guide, "Fargate profile"). */
function globMatches(pattern: string, value: string): boolean {
    const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${regex}$`).test(value);
}

/**
 * Fargate runs a pod when one profile selector matches its namespace and all that selector's labels are among the
 * pod's labels; the Pod Identity agent is a DaemonSet and Fargate runs no DaemonSets (EKS User Guide, "EKS Pod
 * Identity restrictions": Linux EC2 nodes only). `podLabels` undefined: the pods are not ours (no `workload`), so a
 * selector with labels may or may not match them.
 */
export function fargateWarnings(namespace: string, podLabels: Record<string, string> | undefined, selectors: FargateProfileSelector[]): string[] {
    const out: string[] = [];
    selectors.forEach((selector, i) => {
        if (typeof selector?.namespace !== "string" || !globMatches(selector.namespace, namespace)) {
            return;
        }
        const labels = Object.entries(selector.labels ?? {});
        const where = `fargateProfileSelectors[${i}] (namespace "${selector.namespace}"${labels.length > 0 ? `, labels ${labels.map(([k, v]) => `${k}=${v}`).join(", ")}` : ""})`;
        if (labels.length === 0 || (podLabels !== undefined && labels.every(([k, v]) => podLabels[k] === v))) {
            out.push(`${where} selects the pods of namespace "${namespace}" for Fargate, where the Pod Identity agent does not run: they would get no credentials (the Deployment's affinity keeps its own pods off Fargate, so they would stay Pending). Run them on EC2 nodes, or use IRSA on Fargate.`);
        } else if (podLabels === undefined) {
            out.push(`${where} matches namespace "${namespace}": pods there carrying its labels run on Fargate, where the Pod Identity agent does not run, and would get no credentials.`);
        }
    });
    return out;
}

/**
 * A workload node selector pointing at Windows (or at Fargate's compute type) schedules its pods where no agent
 * answers. `kubernetes.io/os` other than linux is already refused; the older and Windows-only labels are warned about.
 */
export function nodeSelectorWarnings(path: string, nodeSelector: Record<string, string> | undefined): string[] {
    const out: string[] = [];
    for (const [key, value] of Object.entries(nodeSelector ?? {})) {
        if (key === "kubernetes.io/os") {
            continue; // refused by the workload's own checks when not linux
        }
        // The deprecated os label, and the label only Windows nodes carry (kubelet well-known labels).
        const windows = key === "node.kubernetes.io/windows-build" || (key === "beta.kubernetes.io/os" && value !== "linux");
        if (windows) {
            out.push(`${path}.${key} selects Windows nodes, where the Pod Identity agent does not run (Linux EC2 nodes only): the pods would get no credentials.`);
        } else if (key === "eks.amazonaws.com/compute-type" && value === "fargate") {
            out.push(`${path}.${key} selects Fargate, where the Pod Identity agent does not run; the Deployment's affinity also keeps it off Fargate, so its pods would stay Pending.`);
        }
    }
    return out;
}

/** The port every pod's credential endpoint uses: EKS injects `http://169.254.170.23/v1/credentials` (port 80). */
export const AGENT_HOST_PORT = 80;

/**
 * The agent is a host-network pod of ours bound to host port 80 on every node. Raw values that move its own ports
 * onto 80 clash with it on the host network, and moving the credential port off 80 leaves every pod without
 * credentials (the injected endpoint is fixed). `values` is the rendered chart values or add-on configuration.
 */
export function agentPortWarnings(path: string, values: Record<string, unknown> | undefined): string[] {
    const out: string[] = [];
    const agent = (values?.agent ?? {}) as Record<string, unknown>;
    const metrics = (values?.metrics ?? {}) as Record<string, unknown>;
    const args = (agent.additionalArgs ?? {}) as Record<string, unknown>;
    for (const flag of ["--port", "-p"]) {
        if (args[flag] !== undefined && String(args[flag]) !== String(AGENT_HOST_PORT)) {
            out.push(`${path}.agent.additionalArgs["${flag}"] moves the agent off port ${AGENT_HOST_PORT}, but EKS points every pod at http://169.254.170.23/v1/credentials (port 80): pods would get no credentials.`);
        }
    }
    for (const [where, port] of [["agent.probePort", agent.probePort], ["metrics.port", metrics.port]] as const) {
        if (port !== undefined && String(port) === String(AGENT_HOST_PORT)) {
            out.push(`${path}.${where} is ${AGENT_HOST_PORT}, the port the agent itself binds on the host network of every node: the agent would fail to start.`);
        }
    }
    return out;
}

const installs = new Map<"addon" | "helm", string>();

/**
 * Records an agent install of this program and warns when both methods appear: the add-on and the chart create the
 * same DaemonSet (`kube-system/eks-pod-identity-agent`), so on one cluster they overwrite each other (when the cluster
 * names are only known after preview, the one-agent-per-cluster claim cannot tell yet).
 */
export function noteAgentInstall(resource: pulumi.Resource, component: string, method: "addon" | "helm"): string | undefined {
    installs.set(method, component);
    const other = installs.get(method === "addon" ? "helm" : "addon");
    if (other === undefined) {
        return undefined;
    }
    const message = `${component} installs the Pod Identity agent as ${method === "addon" ? "the EKS add-on" : "its Helm chart"}, and ${other} in this program as ${method === "addon" ? "its Helm chart" : "the EKS add-on"}: on one cluster both would manage the DaemonSet kube-system/eks-pod-identity-agent and overwrite each other. Use one method per cluster.`;
    void pulumi.log.warn(message, resource);
    return message;
}

/** Prints each warning on the component (shown by `pulumi preview` and `up` under the component). */
export function warnAll(resource: pulumi.Resource, warnings: string[]): void {
    for (const warning of warnings) {
        void pulumi.log.warn(warning, resource);
    }
}
