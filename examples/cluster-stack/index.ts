// A cluster stack: the EKS cluster (from @pulumi/eks), the Pod Identity agent it owns, and one workload.
// Outputs of eks.Cluster flow straight into the components.
import * as eks from "@pulumi/eks";
import { PodIdentityAgent, PodIdentityWorkload } from "../../provider";

const cluster = new eks.Cluster("apps", { authenticationMode: eks.AuthenticationMode.Api });

const agent = new PodIdentityAgent("pod-identity-agent", {
    clusterName: cluster.eksCluster.name,
    // Nodes here run with IPv6 disabled, so the agent binds its IPv4 address only.
    ipv4Only: true,
});

const reporter = new PodIdentityWorkload(
    "reporter",
    {
        clusterName: cluster.eksCluster.name,
        clusterArn: cluster.eksCluster.arn,
        namespace: "reports",
        policyStatements: [{ sid: "ReadReports", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::example-reports/*"] }],
        agent: { waitFor: agent },
        workload: { image: "public.ecr.aws/aws-cli/aws-cli:2.17.0", command: ["sh", "-c", "aws sts get-caller-identity; sleep 3600"], runAsUser: 1000 },
    },
    { providers: { kubernetes: cluster.provider } },
);

export const roleArn = reporter.roleArn;
export const associationId = reporter.associationId;
