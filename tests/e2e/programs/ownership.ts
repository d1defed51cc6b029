import * as pulumi from "@pulumi/pulumi";
import { PodIdentityWorkload } from "../../../provider";

/**
 * A workload whose namespace and service account may already exist in the cluster, for the e2e tests of the rule
 * that the component never takes over or deletes what it did not create: the TypeScript library directly.
 */
export async function program(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config();
    const workload = new PodIdentityWorkload(config.require("team"), {
        clusterName: config.require("clusterName"),
        clusterArn: config.require("clusterArn"),
        namespace: config.require("namespace"),
        createNamespace: config.getBoolean("createNamespace"),
        serviceAccountName: config.require("serviceAccount"),
        adopt: { namespace: config.getBoolean("adoptNamespace"), serviceAccount: config.getBoolean("adoptServiceAccount") },
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        role: { path: config.require("rolePath") },
    });
    return { roleArn: workload.roleArn, namespace: workload.namespace };
}
