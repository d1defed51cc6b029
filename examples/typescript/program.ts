// One PodIdentityWorkload built through the generated Node.js SDK (sdk/nodejs). The body is a function so that the
// same program runs under `pulumi up` (index.ts) and as an Automation API inline program.
import * as pulumi from "@pulumi/pulumi";
import * as podidentity from "pulumi-eks-pod-identity-sdk";

export async function program(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config();
    const workload = new podidentity.PodIdentityWorkload("sdk-example", {
        clusterName: config.require("clusterName"),
        clusterArn: config.require("clusterArn"),
        namespace: config.get("namespace") ?? "payments",
        serviceAccountName: config.get("serviceAccount") ?? "api",
        role: { path: config.get("rolePath") ?? "/" },
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        policyStatements: [
            {
                sid: "ReadExampleParameters",
                effect: podidentity.PolicyStatementEffect.Allow,
                actions: ["ssm:GetParameter"],
                resources: ["arn:aws:ssm:*:*:parameter/sdk-example/*"],
            },
        ],
        workload: {
            image: "public.ecr.aws/aws-cli/aws-cli:2.17.0",
            command: ["sh", "-c", "aws sts get-caller-identity; sleep 3600"],
            runAsUser: 1000,
        },
    });
    return {
        roleArn: workload.roleArn,
        roleName: workload.roleName,
        associationArn: workload.associationArn,
        associationId: workload.associationId,
        namespace: workload.namespace,
        serviceAccountName: workload.serviceAccountName,
        deploymentName: workload.deploymentName,
        trustPolicy: workload.trustPolicy,
        permissionsPolicy: workload.permissionsPolicy,
        credentialsRevision: workload.credentialsRevision,
        awsProfiles: workload.awsProfiles,
    };
}
