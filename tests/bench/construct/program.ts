import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PodIdentityWorkload } from "../../../provider/index";
import { ACCOUNT, clusterArnOf } from "../../support/awsIds";

/**
 * One Pulumi program for the throughput benchmark, run in its own process against the engine double's
 * ResourceMonitor over gRPC: `node program.js <component|raw> <count> <engine address>`. It registers `count`
 * quick-start workloads, either through the component or written by hand with raw @pulumi/aws and
 * @pulumi/kubernetes resources (the same six resources, inputs and dependencies), and prints one JSON line:
 * milliseconds until the engine acknowledged every registration, and the resident memory then.
 */

const CLUSTER = "bench";
const CLUSTER_ARN = clusterArnOf(CLUSTER);

function componentWorkload(i: number): void {
    new PodIdentityWorkload(`w${i}`, {
        clusterName: CLUSTER,
        clusterArn: CLUSTER_ARN,
        namespace: `team-${i}`,
        policyStatements: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::bucket-${i}/*`] }],
        workload: { image: "nginx:1.27", runAsUser: 1000 },
    });
}

/** The same resources a user would write without the component. */
function rawWorkload(i: number): void {
    const name = `w${i}`;
    const namespace = `team-${i}`;
    const role = new aws.iam.Role(`${name}-role`, {
        description: `EKS Pod Identity role for ${namespace}/${name} on cluster ${CLUSTER}`,
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "EksPodIdentity",
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    Condition: {
                        StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:RequestTag/kubernetes-namespace": namespace, "aws:RequestTag/kubernetes-service-account": name },
                        ArnEquals: { "aws:SourceArn": CLUSTER_ARN },
                    },
                },
            ],
        }),
        tags: {},
    });
    const permissions = new aws.iam.RolePolicy(`${name}-permissions`, {
        role: role.id,
        name: "permissions",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::bucket-${i}/*`] }] }),
    });
    const association = new aws.eks.PodIdentityAssociation(`${name}-association`, { clusterName: CLUSTER, namespace, serviceAccount: name, roleArn: role.arn, tags: {} });
    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
        metadata: { name: namespace, labels: { "app.kubernetes.io/managed-by": "pulumi", "pod-security.kubernetes.io/enforce": "restricted" } },
    });
    const sa = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata: { name, namespace: ns.metadata.name }, automountServiceAccountToken: false });
    const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
    new k8s.apps.v1.Deployment(
        `${name}-deployment`,
        {
            metadata: { name, namespace: ns.metadata.name, labels },
            spec: {
                replicas: 1,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels, annotations: { "eks-pod-identity.pulumi.com/credentials-revision": association.associationId } },
                    spec: {
                        serviceAccountName: sa.metadata.name,
                        automountServiceAccountToken: false,
                        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
                        nodeSelector: { "kubernetes.io/os": "linux" },
                        volumes: [{ name: "tmp", emptyDir: {} }],
                        containers: [
                            {
                                name: "app",
                                image: "nginx:1.27",
                                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                    },
                },
            },
        },
        { dependsOn: [association, permissions] },
    );
}

async function main(): Promise<void> {
    const [variant, countText, engineAddress] = process.argv.slice(2);
    const count = Number(countText);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings");
    settings.resetOptions("bench", "throughput", 16, engineAddress, engineAddress, false, "");
    await settings.awaitFeatureSupport();
    const build = variant === "raw" ? rawWorkload : componentWorkload;
    const started = process.hrtime.bigint();
    await pulumi.runtime.runInPulumiStack(async () => {
        for (let i = 0; i < count; i++) {
            build(i);
        }
        return {};
    });
    await settings.waitForRPCs();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(JSON.stringify({ variant, count, ms, rssMb: process.memoryUsage().rss / 1048576 }) + "\n");
    process.exit(0);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
