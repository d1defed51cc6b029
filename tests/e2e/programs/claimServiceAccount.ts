import * as pulumi from "@pulumi/pulumi";
import { PodIdentityWorkload } from "../../../provider";

/**
 * A team's stack claiming a service account in a namespace another stack owns (so it does not create the
 * namespace): the TypeScript library directly, used by the e2e test of the one-association-per-service-account rule.
 */
export async function program(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config();
    const workload = new PodIdentityWorkload(config.require("team"), {
        clusterName: config.require("clusterName"),
        clusterArn: config.require("clusterArn"),
        namespace: config.require("namespace"),
        createNamespace: false,
        serviceAccountName: config.require("serviceAccount"),
        createServiceAccount: false,
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        role: { path: config.require("rolePath") },
    });
    return { roleArn: workload.roleArn, associationArn: workload.associationArn };
}
