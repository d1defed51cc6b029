import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { PodIdentityWorkload, PodIdentityWorkloadArgs, WellKnownPolicySet, WellKnownPolicySetArgs, wellKnownPolicyDocuments } from "../provider";
import { ACCOUNT, clusterArnOf } from "./support/awsIds";
import { HOSTED_ZONE_ID as ZONE } from "./support/fixtures";
import { run, value } from "./support/harness";
import { ServerTruth, judgeableObjects, refusals } from "./cluster/serverTruth";

/** Well-known policies on PodIdentityWorkload: managed policies attached to the role, checked at preview. */

const serial = test.serial;
/** The Kubernetes objects of a workload with well-known policies, as the real API server judges them. */
const truth = new ServerTruth("well-known");
test.after.always(() => truth.close());
const CLUSTER = clusterArnOf("prod");
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/KarpenterNodeRole-prod`;

serial("each enabled policy becomes a managed policy attached to the role, with the standalone renderer's document", async (t) => {
    const policies = { externalDns: { hostedZoneIds: [ZONE] }, karpenter: { nodeRoleArns: [NODE_ROLE] } };
    const r = await run(
        () =>
            new PodIdentityWorkload("addons", {
                clusterName: "prod",
                clusterArn: CLUSTER,
                namespace: "kube-addons",
                wellKnownPolicies: policies,
                workload: { image: "public.ecr.aws/aws-cli/aws-cli:2.17.0", runAsUser: 1000 },
                tags: { team: "platform" },
            }),
    );
    t.deepEqual(r.failures, []);
    const expected = wellKnownPolicyDocuments(policies, CLUSTER);
    t.deepEqual(expected.map((e) => e.name), ["well-known-external-dns", "well-known-karpenter-node-lifecycle", "well-known-karpenter-integration"]);
    for (const { name, document } of expected) {
        const policy = r.get(`addons-${name}`);
        t.is(policy.type, "aws:iam/policy:Policy");
        t.deepEqual(JSON.parse(policy.inputs.policy), document, `${name}: the rendered document`);
        t.deepEqual(policy.inputs.tags, { team: "platform" });
        const attachment = r.get(`addons-${name}-attachment`);
        t.is(attachment.type, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        t.deepEqual(r.dependenciesOf(`addons-${name}-attachment`), ["addons-role", `addons-${name}`].sort());
    }
    t.false(r.has("addons-permissions"), "no inline policy: the role's inline budget stays the user's");
    const deploymentDeps = r.dependenciesOf("addons-deployment");
    for (const { name } of expected) {
        t.true(deploymentDeps.includes(`addons-${name}-attachment`), `the Deployment waits for ${name}`);
    }
    const objects = judgeableObjects(r.resources);
    t.deepEqual(objects.map((o) => o.kind).sort(), ["Deployment", "Namespace", "ServiceAccount"]);
    t.deepEqual(refusals(await truth.admit(objects)), []);
});

serial("without clusterArn the policies are rendered for the looked-up cluster", async (t) => {
    const r = await run(() => new PodIdentityWorkload("ca", { clusterName: "prod", namespace: "kube-ca", wellKnownPolicies: { clusterAutoscaler: {} } }));
    t.deepEqual(r.failures, []);
    const document = JSON.parse(r.get("ca-well-known-cluster-autoscaler").inputs.policy);
    t.deepEqual(document, wellKnownPolicyDocuments({ clusterAutoscaler: {} }, CLUSTER)[0].document);
    t.true(JSON.stringify(document).includes("k8s.io/cluster-autoscaler/prod"));
    t.deepEqual(refusals(await truth.admit(judgeableObjects(r.resources))), []);
});

const base: PodIdentityWorkloadArgs = { clusterName: "wk", clusterArn: clusterArnOf("wk"), namespace: "wk-ns" };
const badInputs: [string, Partial<PodIdentityWorkloadArgs> | Record<string, unknown>, RegExp][] = [
    ["zone id with prefix", { wellKnownPolicies: { externalDns: { hostedZoneIds: ["/hostedzone/Z0123"] } } }, /wellKnownPolicies\.externalDns\.hostedZoneIds\[0\]: give the bare id without "\/hostedzone\/", e.g. "Z0123"/],
    ["missing required list", { wellKnownPolicies: { velero: {} } }, /wellKnownPolicies\.velero\.bucketArns: required: give at least one S3 bucket ARN/],
    ["empty required list", { wellKnownPolicies: { privateCaIssuer: { certificateAuthorityArns: [] } } }, /wellKnownPolicies\.privateCaIssuer\.certificateAuthorityArns: must not be empty/],
    ["wildcard where a resource can be named", { wellKnownPolicies: { nodeTerminationHandler: { queueArns: ["*"] } } }, /wellKnownPolicies\.nodeTerminationHandler\.queueArns\[0\]: a wildcard would grant every resource of the kind: name the SQS queue ARNs/],
    ["malformed ARN", { wellKnownPolicies: { ebsCsiDriver: { kmsKeyArns: ["alias/ebs"] } } }, /wellKnownPolicies\.ebsCsiDriver\.kmsKeyArns\[0\]: "alias\/ebs" is not a KMS key ARN: use e\.g\. "arn:aws:kms:/],
    ["unknown policy", { wellKnownPolicies: { externalDNS: { hostedZoneIds: [ZONE] } } }, /wellKnownPolicies\.externalDNS: unknown input \(did you mean "externalDns"\?\): use the keys awsLoadBalancerController, /],
    ["settings not an object", { wellKnownPolicies: { vpcCni: true } }, /wellKnownPolicies\.vpcCni: expected an object with the keys ipFamily \(give \{\} for the defaults\)/],
    ["bad enum", { wellKnownPolicies: { vpcCni: { ipFamily: "dual" } } }, /wellKnownPolicies\.vpcCni\.ipFamily: the string "dual" is not allowed: use one of "ipv4", "ipv6"/],
    ["nothing to read", { wellKnownPolicies: { externalSecrets: { kmsKeyArns: [] } } }, /wellKnownPolicies\.externalSecrets: grants nothing to read: give secretsManagerArns and\/or ssmParameterArns/],
    ["with an existing role", { roleArn: `arn:aws:iam::${ACCOUNT}:role/x`, wellKnownPolicies: { vpcCni: {} } }, /wellKnownPolicies: cannot be combined with roleArn/],
    [
        "too many managed policies",
        { managedPolicyArns: Array.from({ length: 19 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`), wellKnownPolicies: { karpenter: { nodeRoleArns: [NODE_ROLE] } } },
        /wellKnownPolicies: become 2 managed policies, which with the 19 of managedPolicyArns exceed the 20 IAM attaches to a role/,
    ],
];
for (const [title, override, expected] of badInputs) {
    serial(`bad well-known policy input is rejected at construction, naming it: ${title}`, (t) => {
        const error = t.throws(() => new PodIdentityWorkload(`wk-${title.replace(/[^a-z]/g, "")}`.slice(0, 40), { ...base, ...override } as PodIdentityWorkloadArgs));
        t.regex(error!.message, expected);
        t.is(error!.constructor.name, "InputPropertiesError");
    });
}

serial("an ARN from another resource is checked once known, before the policy carrying it is registered", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("later", {
                ...base,
                namespace: "later",
                wellKnownPolicies: { nodeTerminationHandler: { queueArns: [pulumi.output("https://sqs.us-west-2.amazonaws.com/123456789012/q")] } },
            }),
    );
    const messages = r.failures.map((e) => e.message);
    t.true(messages.some((m) => /wellKnownPolicies\.nodeTerminationHandler\.queueArns\[0\]: "https:\/\/sqs.* is not an SQS queue ARN/.test(m)), messages.join("\n"));
    t.false(r.has("later-well-known-node-termination-handler"), "the managed policy was never registered with a rejected document");
});

// ---- WellKnownPolicySet: the same policies without a workload ----

serial("WellKnownPolicySet creates the managed policies alone and outputs their ARNs and documents by name", async (t) => {
    const policies = { externalDns: { hostedZoneIds: [ZONE] }, karpenter: { nodeRoleArns: [NODE_ROLE] } };
    let set!: WellKnownPolicySet;
    const r = await run(() => (set = new WellKnownPolicySet("shared", { clusterArn: CLUSTER, policies, path: "/addons/", tags: { team: "platform" } })));
    t.deepEqual(r.failures, []);
    const expected = wellKnownPolicyDocuments(policies, CLUSTER);
    t.deepEqual(
        r.resources.filter((x) => x.custom).map((x) => `${x.type} ${x.name}`).sort(),
        expected.map((e) => `aws:iam/policy:Policy shared-${e.name}`).sort(),
        "only the managed policies: no role, no attachment",
    );
    for (const { name, document } of expected) {
        const policy = r.get(`shared-${name}`);
        t.deepEqual(JSON.parse(policy.inputs.policy), document);
        t.is(policy.inputs.path, "/addons/");
        t.is(policy.parent, r.get("shared").urn, "parented to the set");
    }
    const [arns, documents] = await Promise.all([value(set.policyArns), value(set.policyDocuments)]);
    t.deepEqual(Object.keys(arns).sort(), expected.map((e) => e.name).sort());
    t.true(Object.values(arns).every((arn) => /^arn:aws:iam::\d{12}:policy\//.test(arn)), JSON.stringify(arns));
    t.deepEqual(JSON.parse(documents["well-known-external-dns"]), expected[0].document);
});

const setBadInputs: [string, Record<string, unknown>, RegExp][] = [
    ["no policies", { clusterArn: CLUSTER }, /policies: required: an object of well-known policies by key/],
    ["nothing enabled", { clusterArn: CLUSTER, policies: {} }, /policies: enables no policy: give at least one key/],
    ["bad cluster ARN", { clusterArn: "prod", policies: { vpcCni: {} } }, /clusterArn: "prod" is not an EKS cluster ARN: use arn:aws:eks:<region>:<12-digit account>:cluster\/<name>/],
    ["missing cluster ARN", { policies: { vpcCni: {} } }, /clusterArn: required: the ARN of the cluster the add-ons run in/],
    ["bad policy input", { clusterArn: CLUSTER, policies: { velero: {} } }, /policies\.velero\.bucketArns: required: give at least one S3 bucket ARN/],
    ["bad path", { clusterArn: CLUSTER, policies: { vpcCni: {} }, path: "addons" }, /path: /],
    ["reserved tag key", { clusterArn: CLUSTER, policies: { vpcCni: {} }, tags: { "aws:owner": "x" } }, /tags\.aws:owner: the aws: prefix is reserved for AWS; choose another key/],
];
for (const [title, args, expected] of setBadInputs) {
    serial(`WellKnownPolicySet rejects bad input at construction, naming it: ${title}`, (t) => {
        const error = t.throws(() => new WellKnownPolicySet(`set-${title.replace(/[^a-z]/g, "")}`, args as unknown as WellKnownPolicySetArgs));
        t.regex(error!.message, expected);
        t.is(error!.constructor.name, "InputPropertiesError");
    });
}
