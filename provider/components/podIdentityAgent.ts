import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AGENT_ADDON_NAME, AgentSettings, agentConfigurationValues, checkAgentSettings } from "../agent/configuration";
import { claim } from "./claims";
import { checkClusterName } from "../validation/eksNames";
import { Problems, isPlain } from "../validation/problems";
import { checkAwsTags } from "../validation/awsTags";
import { checkShapeFirst } from "../validation/shape";

export interface PodIdentityAgentArgs extends AgentSettings {
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
 * The `eks-pod-identity-agent` EKS add-on, for cluster stacks. One per cluster: a second install of the same
 * cluster in one program is rejected at preview.
 */
export class PodIdentityAgent extends pulumi.ComponentResource {
    /** The add-on's ARN. */
    public readonly addonArn: pulumi.Output<string>;
    /** The installed add-on version. */
    public readonly addonVersion: pulumi.Output<string>;
    /** The rendered configuration values JSON, or undefined when the add-on's defaults apply. */
    public readonly configurationValues: pulumi.Output<string | undefined>;
    /** The add-on resource, for `dependsOn`. */
    public readonly addon: aws.eks.Addon;

    constructor(name: string, args: PodIdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = `PodIdentityAgent "${name}"`;
        const problems = new Problems();
        // Types first: the rules below assume well-typed values.
        const addMissing = checkShapeFirst(component, PODIDENTITYAGENT_TYPE, args);
        if (args.clusterName === undefined || args.clusterName === "") {
            problems.add("clusterName", "required: give the EKS cluster's name (e.g. cluster.eksCluster.name)");
        }
        if (typeof args.clusterName === "string" && args.clusterName !== "") {
            checkClusterName(problems, args.clusterName);
        }
        checkAgentSettings(problems, "", args);
        checkAwsTags(problems, "tags", args.tags, "eks");
        addMissing(problems);
        problems.throwIfAny(component);
        const clusterName = claimAgent(component, args.clusterName);
        // Registered only once the inputs are valid: a rejected component leaves nothing half-registered.
        super(PODIDENTITYAGENT_TYPE, name, {}, opts);

        const addonVersion =
            args.addonVersion ??
            aws.eks.getAddonVersionOutput(
                {
                    addonName: AGENT_ADDON_NAME,
                    kubernetesVersion: args.kubernetesVersion ?? aws.eks.getClusterOutput({ name: clusterName }, { parent: this }).version,
                    mostRecent: true,
                },
                { parent: this },
            ).version;

        const values = agentConfigurationValues(args);
        this.addon = new aws.eks.Addon(
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
            { parent: this },
        );
        this.addonArn = this.addon.arn;
        this.addonVersion = this.addon.addonVersion;
        this.configurationValues = pulumi.output(values ? JSON.stringify(values) : undefined);
        this.registerOutputs({ addonArn: this.addonArn, addonVersion: this.addonVersion, configurationValues: this.configurationValues });
    }
}

/** Claims the cluster's one agent install; plain names are checked now, resource outputs once known. */
function claimAgent(component: string, clusterName: pulumi.Input<string>): pulumi.Input<string> {
    const check = (name: string) => {
        const invalid = new Problems();
        checkClusterName(invalid, name);
        invalid.throwIfAny(component);
        const owner = claim("agent", name, component);
        if (owner) {
            const problems = new Problems();
            problems.add("clusterName", `the Pod Identity agent of cluster "${name}" is already installed by ${owner} in this program: install it once (e.g. a PodIdentityAgent in the cluster stack) and leave agent.install false elsewhere`);
            problems.throwIfAny(component);
        }
        return name;
    };
    return isPlain(clusterName) ? check(clusterName as string) : pulumi.output(clusterName).apply(check);
}
