import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AGENT_ADDON_NAME,
    AgentInstallSettings,
    AgentSettings,
    agentChartValues,
    agentConfigurationValues,
    checkAgentPlacement,
    checkAgentSettings,
    checkBindContradiction,
    checkInstallMethod,
} from "../agent/configuration";
import { AgentHelmChart, ChartSource, DEFAULT_AGENT_NAMESPACE, DEFAULT_AGENT_RELEASE, checkAgentHelmChart } from "../agent/helmChart";
import { agentPortWarnings, noteAgentInstall, warnAll } from "../agent/preflight";
import { claim } from "./claims";
import { checkClusterName } from "../validation/eksNames";
import { Problems } from "../validation/problems";
import { InputRules } from "../validation/inputRules";
import { checkAwsTags } from "../validation/awsTags";
import { checkShapeFirst } from "../validation/shape";

export interface PodIdentityAgentArgs extends AgentSettings, AgentInstallSettings {
    /** Name of the EKS cluster to install the agent on. Required. */
    clusterName: pulumi.Input<string>;
    /**
     * Kubernetes version of the cluster (e.g. `1.31`), used to pick the latest compatible add-on version when
     * `addonVersion` is not given. Default: read from the cluster.
     */
    kubernetesVersion?: pulumi.Input<string>;
}

export const PODIDENTITYAGENT_TYPE = "eks-pod-identity:index:PodIdentityAgent";

/**
 * The EKS Pod Identity agent, for cluster stacks: the `eks-pod-identity-agent` EKS add-on (default), or the agent's
 * Helm chart from a local path or a chart repository at an exact version (`helm`), with the same typed settings.
 * One per cluster, whatever the method: a second install of the same cluster in one program is rejected at preview.
 */
export class PodIdentityAgent extends pulumi.ComponentResource {
    /** The add-on's ARN; undefined with `helm`. */
    public readonly addonArn: pulumi.Output<string | undefined>;
    /** The installed add-on version; undefined with `helm`. */
    public readonly addonVersion: pulumi.Output<string | undefined>;
    /** The rendered configuration values JSON, or undefined when the add-on's defaults apply (and with `helm`). */
    public readonly configurationValues: pulumi.Output<string | undefined>;
    /** How the agent is installed: `addon` or `helm`. */
    public readonly installMethod: pulumi.Output<string>;
    /** The chart values rendered from the typed settings and `helm.values` (JSON); undefined with the add-on. */
    public readonly chartValues: pulumi.Output<string | undefined>;
    /** The add-on resource; undefined with `helm`. */
    public readonly addon?: aws.eks.Addon;
    /** The Helm chart resource; undefined with the add-on. */
    public readonly chart?: k8s.helm.v4.Chart;
    /** What installs the agent (the add-on or the chart), for `dependsOn`. */
    public readonly installation: pulumi.Resource;

    constructor(name: string, args: PodIdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = `PodIdentityAgent "${name}"`;
        // Types first: the rules below assume well-typed values (values known later are type-checked as they resolve).
        const shape = checkShapeFirst(component, PODIDENTITYAGENT_TYPE, args);
        // From here on the args as the shape check hands them on: every Output wrapped in its type check.
        args = shape.args;
        const rules = new InputRules(component);
        const problems = rules.problems;
        if (args.clusterName === undefined) {
            problems.add("clusterName", CLUSTER_NAME_REQUIRED);
        }
        const checkedName = rules.check("clusterName", args.clusterName, checkAgentClusterName);
        checkAgentSettings(problems, "", args);
        checkAwsTags(problems, "tags", args.tags, "eks");
        checkInstallMethod(problems, args);
        checkAgentPlacement(problems, args);
        const source = args.helm === undefined ? undefined : checkAgentHelmChart(problems, "helm", args.helm);
        if (args.helm !== undefined) {
            checkBindContradiction(problems, "helm.values", args.ipv4Only, args.helm.values);
        }
        shape.addMissing(problems);
        rules.throwIfAny();
        // The cluster's one agent install, claimed with the name that passed its rule: at once when it is plain.
        const clusterName = rules.beforeRegistering(checkedName!, (check, cluster) => claimAgent(check, component, cluster));
        // Registered only once the inputs are valid: a rejected component leaves nothing half-registered.
        super(PODIDENTITYAGENT_TYPE, name, {}, opts);
        noteAgentInstall(this, component, args.helm === undefined ? "addon" : "helm");
        warnAll(this, args.helm === undefined ? agentPortWarnings("extraConfigurationValues", args.extraConfigurationValues) : agentPortWarnings("helm.values", args.helm.values));

        const installed = args.helm === undefined ? installAddon(this, name, args, clusterName) : installChart(this, name, { ...args, helm: args.helm }, source!, clusterName);
        this.addon = installed.addon;
        this.chart = installed.chart;
        this.installation = (installed.addon ?? installed.chart)!;
        this.installMethod = pulumi.output(installed.addon ? "addon" : "helm");
        this.addonArn = installed.addon ? installed.addon.arn : pulumi.output(undefined);
        this.addonVersion = installed.addon ? installed.addon.addonVersion : pulumi.output(undefined);
        this.configurationValues = pulumi.output(installed.configurationValues ? JSON.stringify(installed.configurationValues) : undefined);
        this.chartValues = installed.chartValues ? pulumi.output(installed.chartValues).apply((v) => JSON.stringify(v)) : pulumi.output(undefined);
        this.registerOutputs({
            installMethod: this.installMethod,
            addonArn: this.addonArn,
            addonVersion: this.addonVersion,
            configurationValues: this.configurationValues,
            chartValues: this.chartValues,
        });
    }
}

/** What an install method registered, and the values it rendered. */
interface Installed {
    addon?: aws.eks.Addon;
    chart?: k8s.helm.v4.Chart;
    configurationValues?: Record<string, unknown>;
    chartValues?: Record<string, unknown>;
}

/** The add-on `<name>-addon`, at the given version or the latest compatible one (looked up at preview). */
function installAddon(parent: PodIdentityAgent, name: string, args: PodIdentityAgentArgs, clusterName: pulumi.Input<string>): Installed {
    const addonVersion =
        args.addonVersion ??
        aws.eks.getAddonVersionOutput(
            {
                addonName: AGENT_ADDON_NAME,
                kubernetesVersion: args.kubernetesVersion ?? aws.eks.getClusterOutput({ name: clusterName }, { parent }).version,
                mostRecent: true,
            },
            { parent },
        ).version;
    const values = agentConfigurationValues(args);
    const addon = new aws.eks.Addon(
        `${name}-addon`,
        {
            clusterName,
            addonName: AGENT_ADDON_NAME,
            addonVersion,
            configurationValues: values ? JSON.stringify(values) : undefined,
            resolveConflictsOnCreate: args.resolveConflictsOnCreate ?? "OVERWRITE",
            resolveConflictsOnUpdate: args.resolveConflictsOnUpdate ?? "OVERWRITE",
            tags: args.tags,
        },
        { parent },
    );
    return { addon, configurationValues: values };
}

/**
 * The chart `<name>-chart`, rendered by the Kubernetes provider's Helm support (helm.v4.Chart: the provider renders
 * the templates and applies each object as a resource of its own, so previews show the DaemonSet's diff).
 */
function installChart(parent: PodIdentityAgent, name: string, args: PodIdentityAgentArgs & { helm: AgentHelmChart }, source: ChartSource, clusterName: pulumi.Input<string>): Installed {
    const values = agentChartValues(args, clusterName);
    const chart = new k8s.helm.v4.Chart(
        `${name}-chart`,
        {
            name: args.helm.releaseName ?? DEFAULT_AGENT_RELEASE,
            namespace: args.helm.namespace ?? DEFAULT_AGENT_NAMESPACE,
            ...(source.kind === "local" ? { chart: source.path } : { chart: source.chart, version: source.version, repositoryOpts: { repo: source.repository } }),
            values,
        },
        { parent },
    );
    return { chart, chartValues: values };
}

const CLUSTER_NAME_REQUIRED = "required: give the EKS cluster's name (e.g. cluster.eksCluster.name)";

/** `clusterName`'s rule, the same for a plain name and one known later. */
function checkAgentClusterName(problems: Problems, path: string, value: string): void {
    if (value === "") {
        problems.add(path, CLUSTER_NAME_REQUIRED);
    } else {
        checkClusterName(problems, value, path);
    }
}

/** Claims the cluster's one agent install for this program. */
function claimAgent(problems: Problems, component: string, name: string): string {
    const owner = claim("agent", name, component);
    if (owner) {
        problems.add("clusterName", `the Pod Identity agent of cluster "${name}" is already installed by ${owner} in this program: install it once (e.g. a PodIdentityAgent in the cluster stack) and leave agent.install false elsewhere`);
    }
    return name;
}
