import * as pulumi from "@pulumi/pulumi";
import { PodIdentityAgent } from "../../../provider";

/**
 * A cluster stack that installs the Pod Identity agent from its Helm chart (the TypeScript library directly): a local
 * chart path, or a chart repository at an exact version, as the stack's configuration says. Used by agentHelm.e2e.ts.
 */
export async function program(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config();
    const agent = new PodIdentityAgent("agent", {
        clusterName: config.require("clusterName"),
        helm: {
            chart: config.require("chart"),
            repository: config.get("repository"),
            version: config.get("version"),
            region: "us-west-2",
            namespace: config.get("namespace"),
        },
        image: "registry.example.com/eks/eks-pod-identity-agent:0.1.29",
        ipv4Only: true,
        resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        tolerations: [{ operator: "Exists" }],
    });
    return { installMethod: agent.installMethod, chartValues: agent.chartValues };
}
