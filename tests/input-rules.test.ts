import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { CrossAccountRole, PodIdentityAgent, PodIdentityWorkload, PodIdentityWorkloadArgs, WellKnownPolicySet } from "../provider";
import { run } from "./support/harness";
import { clusterArnOf, roleArnOf } from "./support/awsIds";

/*
 * The AWS rules every input is checked against at preview (issue "Every input: checked against the real rules, never a
 * crash, nothing registered before it is checked"): what is refused names the path the user wrote, and a component
 * refused for a plain input registers nothing at all.
 */

// The engine is process-global: tests run one at a time.
const serial = test.serial;

const CN_CLUSTER = "arn:aws-cn:eks:cn-north-1:123456789012:cluster/prod";
const GOV_CLUSTER = "arn:aws-us-gov:eks:us-gov-west-1:123456789012:cluster/prod";
const base: PodIdentityWorkloadArgs = { clusterName: "prod", clusterArn: clusterArnOf("prod"), namespace: "rules" };
const cnBase: PodIdentityWorkloadArgs = { ...base, clusterArn: CN_CLUSTER };

/** Asserts the constructor throws an input error matching `expected`, and that nothing was registered. */
async function refusedBeforeRegistration(t: any, construct: () => unknown, expected: RegExp): Promise<void> {
    const r = await run(() => t.throws(construct) as Error | undefined);
    t.truthy(r.result, "the constructor threw");
    t.regex(r.result!.message, expected);
    t.is(r.result!.constructor.name, "InputPropertiesError");
    t.deepEqual(r.resources.map((x) => x.name), [], "nothing registered, not even the component");
    t.deepEqual(r.failures, []);
}

const refusedWorkloadInputs: [string, Partial<PodIdentityWorkloadArgs> | Record<string, unknown>, RegExp][] = [
    // Family 1 and 2: documents checked in the validate step, at the user's paths.
    ["trust statement principal not a principal", { trust: { additionalStatements: [{ principals: [{ type: "AWS", identifiers: [roleArnOf("ci")] }], actions: ["sts:AssumeRole"] }, { principals: [{ type: "AWS", identifiers: ["ci-role"] }], actions: ["sts:AssumeRole"] }] } }, /trust\.additionalStatements\[1\]\.principals\[0\]\.identifiers\[0\]: the string "ci-role" is not a AWS principal/],
    ["trust statement unknown action", { trust: { additionalStatements: [{ principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }], actions: ["sts:AssumeRol"] }] } }, /trust\.additionalStatements\[0\]\.actions\[0\]: unknown action/],
    ["trust statement bad service principal", { trust: { additionalStatements: [{ principals: [{ type: "Service", identifiers: ["ec2"] }], actions: ["sts:AssumeRole"] }] } }, /trust\.additionalStatements\[0\]\.principals\[0\]\.identifiers\[0\]: the string "ec2" is not a Service principal/],
    ["trust statement principal type twice", { trust: { additionalStatements: [{ principals: [{ type: "AWS", identifiers: ["111122223333"] }, { type: "AWS", identifiers: ["444455556666"] }], actions: ["sts:AssumeRole"] }] } }, /trust\.additionalStatements\[0\]\.principals\[1\]\.type: "AWS" is given twice/],
    ["session tag not a Pod Identity tag", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"] }, { actions: ["s3:GetObject"], resources: ["*"] }, { actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: { tags: ["team" as any] } }] }, /policyStatements\[2\]\.sessionTagScope\.tags\[0\]: the string "team" is not allowed: use one of "eks-cluster-arn"/],
    ["session tag scope prefix not a key prefix", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: { resourceTagKeyPrefix: "ResourceTag" } }] }, /policyStatements\[0\]\.sessionTagScope\.resourceTagKeyPrefix: the string "ResourceTag" is not a condition key prefix/],
    ["session tag scope prefix unknown global key", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: { resourceTagKeyPrefix: "aws:ResourceTags" } }] }, /policyStatements\[0\]\.sessionTagScope\.resourceTagKeyPrefix: "aws:ResourceTags" is not a global tag condition key prefix/],
    ["condition replaced by the scope", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], conditions: [{ test: "StringEquals", variable: "aws:ResourceTag/kubernetes-namespace", values: ["x"] }], sessionTagScope: {} }] }, /policyStatements\[0\]\.conditions\[0\]: "StringEquals" on "aws:ResourceTag\/kubernetes-namespace" is also set by sessionTagScope/],
    ["inline policies alone over the role budget", { inlinePolicies: Array.from({ length: 3 }, (_, i) => ({ name: `big${i}`, policy: { Version: "2012-10-17", Statement: Array.from({ length: 40 }, (_, j) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::bucket-with-a-long-name-${j}/*` })) } })) }, /- inlinePolicies: the role's inline policies add up to \d+ characters \(inlinePolicies \d+\); IAM allows 10240/],
    ["statements and inline policies over the budget together", { policyStatements: Array.from({ length: 60 }, (_, i) => ({ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::bucket-with-a-rather-long-name-${i}/prefix/*`] })), inlinePolicies: [{ name: "more", policy: { Version: "2012-10-17", Statement: Array.from({ length: 80 }, (_, j) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::other-bucket-with-a-long-name-${j}/*` })) } }] }, /inlinePolicies: the role's inline policies add up to \d+ characters \(policyStatements \d+, inlinePolicies \d+\)/],
    // Family 3: silent surprises.
    ["empty session tag list", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: { tags: [] } }] }, /policyStatements\[0\]\.sessionTagScope\.tags: an empty list would scope nothing and grant the statement to every pod/],
    // Family 4: tags.
    ["tag key with a character AWS refuses", { tags: { "team!": "a" } }, /tags\.team!: the tag key "team!" has characters AWS does not accept/],
    ["tag value with a character AWS refuses", { role: { tags: { team: "a#b" } } }, /role\.tags\.team: the value "a#b" has characters AWS does not accept/],
    ["tag key over 128 characters", { tags: { ["k".repeat(129)]: "a" } }, /tags\.k+: tag keys must be 1 to 128 characters long/],
    ["tag value over 256 characters", { association: { tags: { team: "v".repeat(257) } } }, /association\.tags\.team: tag values must be at most 256 characters long/],
    ["role tag keys differing only in case", { tags: { Team: "a" }, role: { tags: { team: "b" } } }, /role\.tags\.team: IAM tag keys are not case sensitive: "team" would land on the same resource as tags\.Team/],
    ["one map with keys differing only in case", { tags: { Team: "a", team: "b" } }, /tags\.team: IAM tag keys are not case sensitive/],
    ["merged tags over 50", { tags: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`a${i}`, "x"])), role: { tags: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`b${i}`, "x"])) } }, /role\.tags: tags and role\.tags together put 60 tags on one resource; AWS allows at most 50/],
    ["agent tag with a character AWS refuses", { agent: { install: true, tags: { "a*": "b" } } }, /agent\.tags\.a\*: the tag key "a\*" has characters AWS does not accept/],
    // Family 4: partitions, against the cluster's.
    ["AWS-managed policy of another partition", { ...cnBase, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, /managedPolicyArns\[0\]: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["permissions boundary of another partition", { ...cnBase, role: { permissionsBoundary: "arn:aws:iam::123456789012:policy/boundary" } }, /role\.permissionsBoundary: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["existing role of another partition", { ...cnBase, roleArn: roleArnOf("existing") }, /roleArn: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["statement resource of another partition", { ...cnBase, policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }] }, /policyStatements\[0\]\.resources\[0\]: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["inline policy resource of another partition", { ...cnBase, inlinePolicies: [{ name: "raw", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: ["arn:aws-cn:s3:::a/*", "arn:aws:s3:::b/*"] }] } }] }, /inlinePolicies\[0\]\.policy\.Statement\[0\]\.Resource\[1\]: is in partition "aws"/],
    ["session policy resource of another partition", { ...cnBase, association: { disableSessionTags: true, sessionPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] } } }, /association\.sessionPolicy\.Statement\[0\]\.Resource\[0\]: is in partition "aws"/],
    ["trusted cluster of another partition", { ...cnBase, trust: { clusterArns: [CN_CLUSTER, clusterArnOf("blue")] } }, /trust\.clusterArns\[1\]: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["trust principal of another partition", { ...cnBase, trust: { additionalStatements: [{ principals: [{ type: "AWS", identifiers: [roleArnOf("ci")] }], actions: ["sts:AssumeRole"] }] } }, /trust\.additionalStatements\[0\]\.principals\[0\]\.identifiers\[0\]: is in partition "aws"/],
    ["cross-account target of another partition", { ...cnBase, crossAccount: { targets: [{ roleArn: "arn:aws:iam::555566667777:role/reader" }] } }, /crossAccount\.targets\[0\]\.roleArn: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["well-known KMS key of another partition", { ...cnBase, wellKnownPolicies: { ebsCsiDriver: { kmsKeyArns: ["arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"] } } }, /wellKnownPolicies\.ebsCsiDriver\.kmsKeyArns\[0\]: is in partition "aws" but clusterArn is in "aws-cn"/],
    ["ARNs disagreeing while the cluster ARN is looked up", { clusterArn: undefined, managedPolicyArns: ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] }, /managedPolicyArns\[1\]: is in partition "aws" but managedPolicyArns\[0\] is in "aws-cn"/],
    // Family 5: inline names the component derives.
    ["inline policy named like the derived cross-account policy", { crossAccount: { targets: [{ roleArn: "arn:aws:iam::555566667777:role/reader" }] }, inlinePolicies: [{ name: "cross-account", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } }] }, /inlinePolicies\[0\]\.name: "cross-account" is the name of the inline policy this component derives from crossAccount/],
];

for (const [title, override, expected] of refusedWorkloadInputs) {
    serial(`PodIdentityWorkload refuses at construction, registering nothing: ${title}`, async (t) => {
        const name = `r-${title.replace(/[^a-z]/g, "")}`.slice(0, 40);
        await refusedBeforeRegistration(t, () => new PodIdentityWorkload(name, { ...base, namespace: "rules", ...override } as PodIdentityWorkloadArgs), expected);
    });
}

serial("limits exactly met and other partitions with matching ARNs are accepted", async (t) => {
    const r = await run(() => {
        new PodIdentityWorkload("cn", {
            ...cnBase,
            namespace: "cn",
            managedPolicyArns: ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
            role: { permissionsBoundary: "arn:aws-cn:iam::123456789012:policy/boundary", tags: Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`b${i}`, "x"])) },
            policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws-cn:s3:::orders/*", "arn:*:s3:::any-partition/*", "*"] }],
            tags: { ["k".repeat(128)]: "v".repeat(256), "Team Name_1.2:3/4=5+6-7@8": "Ünïcödé väluë", ...Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`a${i}`, "x"])) },
            trust: { additionalStatements: [{ principals: [{ type: "AWS", identifiers: ["arn:aws-cn:iam::111122223333:role/ci", "111122223333"] }, { type: "Service", identifiers: ["ec2.amazonaws.com.cn"] }], actions: ["sts:AssumeRole"] }] },
        });
        new PodIdentityWorkload("gov", {
            clusterName: "prod",
            clusterArn: GOV_CLUSTER,
            namespace: "gov",
            managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"],
            policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws-us-gov:s3:::orders/*"], sessionTagScope: { tags: ["kubernetes-namespace"] } }],
        });
    });
    t.deepEqual(r.failures, []);
    t.true(r.has("cn-managed-ReadOnlyAccess"));
    t.deepEqual(JSON.parse(r.get("cn-role").inputs.assumeRolePolicy).Statement[1].Principal, { AWS: ["arn:aws-cn:iam::111122223333:role/ci", "111122223333"], Service: ["ec2.amazonaws.com.cn"] });
    t.deepEqual(JSON.parse(r.get("gov-permissions").inputs.policy).Statement[0].Condition, { StringEquals: { "aws:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}" } });
});

serial("the inline budget is met exactly: accepted", async (t) => {
    // One statement whose resource pads the document to exactly 10,240 characters (whitespace excluded).
    const document = (padding: number) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"b".repeat(padding)}` }] });
    const empty = JSON.stringify(document(0)).length;
    const exact = document(10240 - empty);
    t.is(JSON.stringify(exact).length, 10240);
    const r = await run(() => new PodIdentityWorkload("exact", { ...base, namespace: "exact", inlinePolicies: [{ name: "exact", policy: exact }] }));
    t.deepEqual(r.failures, []);
    t.true(r.has("exact-exact"));
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("over", { ...base, namespace: "over", inlinePolicies: [{ name: "over", policy: document(10241 - empty) }] }), /inlinePolicies: the role's inline policies add up to 10241 characters/);
});

serial("a statement holding an Output is checked as it resolves, at its path, and no policy carrying it registers", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("late", {
                ...base,
                namespace: "late",
                policyStatements: [{ actions: ["s3:GetObject"], resources: [pulumi.output("arn:aws:s3:::a/*")] }, { actions: ["s3:GetObject"], resources: [pulumi.output("bucket/*")] }],
            }),
    );
    t.regex(r.failures.map((e) => e.message).join("\n"), /policyStatements\[1\]\.resources\[0\]: the string "bucket\/\*" is not an ARN/);
    t.false(r.has("late-permissions"));
});

serial("managed policies with one name get distinct children; the first keeps today's name", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("ro", {
                ...base,
                namespace: "ro",
                managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/team/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/ReadOnlyAccess"],
            }),
    );
    t.deepEqual(r.failures, []);
    const attachments = r.resources.filter((x) => x.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    t.deepEqual(
        attachments.map((x) => [x.name, x.inputs.policyArn]),
        [
            ["ro-managed-ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
            ["ro-managed-ReadOnlyAccess-123456789012-team", "arn:aws:iam::123456789012:policy/team/ReadOnlyAccess"],
            ["ro-managed-ReadOnlyAccess-123456789012", "arn:aws:iam::123456789012:policy/ReadOnlyAccess"],
        ],
    );
});

serial("PodIdentityAgent: the EKS cluster name rule, plain now and Outputs once known", async (t) => {
    await refusedBeforeRegistration(t, () => new PodIdentityAgent("bad-name", { clusterName: "my cluster", addonVersion: "v1.3.4-eksbuild.1" }), /clusterName: the string "my cluster" is not an EKS cluster name/);
    await refusedBeforeRegistration(t, () => new PodIdentityAgent("too-long", { clusterName: "c".repeat(101), addonVersion: "v1.3.4-eksbuild.1" }), /clusterName: .* is not an EKS cluster name/);
    await refusedBeforeRegistration(t, () => new PodIdentityAgent("bad-tag", { clusterName: "tagged", addonVersion: "v1.3.4-eksbuild.1", tags: { "a&b": "c" } }), /tags\.a&b: the tag key "a&b" has characters AWS does not accept/);
    const ok = await run(() => new PodIdentityAgent("longest", { clusterName: "c".repeat(100), addonVersion: "v1.3.4-eksbuild.1" }));
    t.deepEqual(ok.failures, []);
    const late = await run(() => new PodIdentityAgent("late-name", { clusterName: pulumi.output("_bad"), addonVersion: "v1.3.4-eksbuild.1" }));
    t.regex(late.failures.map((e) => e.message).join("\n"), /clusterName: the string "_bad" is not an EKS cluster name/);
    t.false(late.has("late-name-addon"));
});

const crossAccountBase = { sourceRoleArns: [roleArnOf("source")], clusterArns: [clusterArnOf("prod")], namespaces: ["a"], serviceAccounts: ["b"] };
const refusedCrossAccountInputs: [string, Record<string, unknown>, RegExp][] = [
    ["bad statement", { policyStatements: [{ actions: ["s3:GetObjekt"], resources: ["*"] }] }, /policyStatements\[0\]\.actions\[0\]: unknown action "GetObjekt"/],
    ["bad inline policy", { inlinePolicies: [{ name: "raw", policy: "{not json" }] }, /inlinePolicies\[0\]\.policy: is not valid JSON/],
    ["empty session tag scope", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: { tags: [] } }] }, /policyStatements\[0\]\.sessionTagScope\.tags: an empty list/],
    ["policy of another partition", { sourceRoleArns: ["arn:aws-cn:iam::123456789012:role/source"], clusterArns: [CN_CLUSTER], managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, /managedPolicyArns\[0\]: is in partition "aws" but clusterArns\[0\] is in "aws-cn"/],
    ["tag with a character AWS refuses", { tags: { "a,b": "c" } }, /tags\["?a,b"?\]|tags\.a,b: the tag key "a,b" has characters AWS does not accept/],
];
for (const [title, override, expected] of refusedCrossAccountInputs) {
    serial(`CrossAccountRole refuses at construction, registering nothing: ${title}`, async (t) => {
        await refusedBeforeRegistration(t, () => new CrossAccountRole(`cr-${title.replace(/[^a-z]/g, "")}`, { ...crossAccountBase, ...override } as any), expected);
    });
}

serial("CrossAccountRole: a cluster ARN known later that is not an ARN is an input error, and no role registers", async (t) => {
    const r = await run(() => new CrossAccountRole("late-cluster", { ...crossAccountBase, clusterArns: [pulumi.output("prod")] }));
    t.regex(r.failures.map((e) => e.message).join("\n"), /CrossAccountRole "late-cluster" has invalid inputs:\n {2}- clusterArns\[0\]: "prod" is not an EKS cluster ARN/);
    t.false(r.has("late-cluster-role"));
});

serial("WellKnownPolicySet: a plain document problem is refused before anything registers", async (t) => {
    await refusedBeforeRegistration(
        t,
        () => new WellKnownPolicySet("cn-set", { clusterArn: CN_CLUSTER, policies: { ebsCsiDriver: { kmsKeyArns: ["arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"] } } }),
        /policies\.ebsCsiDriver\.kmsKeyArns\[0\]: is in partition "aws" but clusterArn is in "aws-cn"/,
    );
    const ok = await run(() => new WellKnownPolicySet("cn-ok", { clusterArn: CN_CLUSTER, policies: { ebsCsiDriver: { kmsKeyArns: ["arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"] } } }));
    t.deepEqual(ok.failures, []);
});

serial("a trust policy over IAM's maximum is refused before the role registers", async (t) => {
    const statements = Array.from({ length: 40 }, (_, i) => ({ principals: [{ type: "AWS" as const, identifiers: [`arn:aws:iam::1111222233${String(i).padStart(2, "0")}:role/deployer-with-a-long-name`] }], actions: ["sts:AssumeRole"] }));
    const r = await run(() => new PodIdentityWorkload("wide-trust", { ...base, namespace: "wide-trust", trust: { additionalStatements: statements } }));
    t.regex(r.failures.map((e) => e.message).join("\n"), /trust: the trust policy is \d+ characters; IAM allows at most 4096/);
    t.false(r.has("wide-trust-role"));
});

serial("plain cross-account targets are checked in full before anything registers", async (t) => {
    await refusedBeforeRegistration(
        t,
        () => new PodIdentityWorkload("short-id", { ...base, namespace: "short-id", crossAccount: { targets: [{ roleArn: "arn:aws:iam::555566667777:role/reader", externalId: "x" }] } }),
        /crossAccount\.targets\[0\]\.externalId/,
    );
});

serial("ARNs known later are held to the partition as they resolve, and a looked-up cluster decides", async (t) => {
    const late = await run(() => new PodIdentityWorkload("late-arn", { ...cnBase, namespace: "late-arn", managedPolicyArns: [pulumi.output("arn:aws:iam::aws:policy/ReadOnlyAccess")] }));
    t.regex(late.failures.map((e) => e.message).join("\n"), /managedPolicyArns\[0\]: is in partition "aws" but clusterArn is in "aws-cn"/);
    t.false(late.has("late-arn-managed-0"));
    // The harness's cluster lookup answers with an `aws` ARN.
    const lookedUp = await run(() => new PodIdentityWorkload("looked-up", { clusterName: "prod", namespace: "looked-up", managedPolicyArns: ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"] }));
    t.regex(lookedUp.failures.map((e) => e.message).join("\n"), /managedPolicyArns\[0\]: is in partition "aws-cn" but the cluster is in "aws"/);
    t.false(lookedUp.has("looked-up-role"));
    t.false(lookedUp.has("looked-up-managed-ReadOnlyAccess"));
});

serial("CrossAccountRole: a managed policy ARN known later is checked as it resolves, before its attachment registers", async (t) => {
    const r = await run(() => new CrossAccountRole("late-policy", { ...crossAccountBase, managedPolicyArns: [pulumi.output("ReadOnlyAccess")] }));
    t.regex(r.failures.map((e) => e.message).join("\n"), /managedPolicyArns\[0\]: "ReadOnlyAccess" is not an IAM policy ARN/);
    t.false(r.has("late-policy-managed-0"));
});

serial("malformed permission entries are input errors, never a crash", async (t) => {
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("null-inline", { ...base, namespace: "null-inline", inlinePolicies: [null as any] }), /inlinePolicies\[0\]: null is not allowed: give an object with the keys name, policy/);
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("null-statement", { ...base, namespace: "null-statement", policyStatements: [null as any] }), /policyStatements\[0\]: null is not allowed: give an object/);
    await refusedBeforeRegistration(
        t,
        () => new PodIdentityWorkload("odd-scope", { ...base, namespace: "odd-scope", policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: "yes" as any }] }),
        /policyStatements\[0\]\.sessionTagScope: expected an object/,
    );
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("null-trust", { ...base, namespace: "null-trust", trust: { additionalStatements: [null as any] } }), /trust\.additionalStatements\[0\]: null is not allowed: give an object/);
});

serial("names only clash where the component derives them: cross-account is a fine inline name without crossAccount", async (t) => {
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] };
    const r = await run(() => new PodIdentityWorkload("named", { ...base, namespace: "named", inlinePolicies: [{ name: "cross-account", policy }] }));
    t.deepEqual(r.failures, []);
    t.is(r.get("named-cross-account").inputs.name, "cross-account");
});

serial("attachment names are unique by construction, with ARNs known later among them", async (t) => {
    const { managedAttachmentSuffixes } = await import("../provider/components/childNames");
    t.deepEqual(managedAttachmentSuffixes([pulumi.output("x"), "arn:aws:iam::aws:policy/0", "arn:aws:iam::aws:policy/job-function/0", "arn:aws:iam::aws:policy/0"]), ["arn-0", "0", "0-aws-job-function", "0-aws"]);
});

/*
 * Values known only later get the rules plain values get (validation/inputRules.ts): the same error at the path the
 * user wrote, never a TypeError, and no resource registered with the refused value. The families of the issue
 * "independent checks of inputs nobody here chose"; every input is swept in tests/input-corpus.test.ts.
 */

const POLICY_ARN = "arn:aws:iam::123456789012:policy/reader";
const TARGET_ROLE = "arn:aws:iam::444455556666:role/reader";

/** Every error a program ended with, every resource it registered, and whether any error was not an input error. */
async function later(program: () => void, preview = false) {
    const thrown: Error[] = [];
    const r = await run(() => {
        try {
            program();
        } catch (e) {
            thrown.push(e as Error);
        }
    }, { preview });
    const errors = [...thrown, ...r.failures];
    return {
        messages: errors.map((e) => e.message).join("\n"),
        crashes: errors.filter((e) => !pulumi.InputPropertiesError.isInstance(e)),
        names: r.resources.map((x) => x.name),
        carrying: (value: string) => r.resources.filter((x) => JSON.stringify(x.inputs).includes(value)).map((x) => x.name),
    };
}

const wrongKind: [string, (value: pulumi.Input<string>, name: string) => void, string][] = [
    ["roleArn", (roleArn, name) => new PodIdentityWorkload(name, { ...base, namespace: name, roleArn }), "roleArn"],
    ["crossAccount.targets[0].roleArn (config file)", (roleArn, name) => new PodIdentityWorkload(name, { ...base, namespace: name, crossAccount: { targets: [{ roleArn }] } }), "crossAccount.targets[0].roleArn"],
    [
        "crossAccount.targets[0].roleArn (native)",
        (roleArn, name) => new PodIdentityWorkload(name, { ...base, namespace: name, association: { disableSessionTags: true }, crossAccount: { mode: "native", targets: [{ roleArn }] } }),
        "crossAccount.targets[0].roleArn",
    ],
    ["CrossAccountRole sourceRoleArns[0]", (roleArn, name) => new CrossAccountRole(name, { ...crossAccountBase, sourceRoleArns: [roleArn] }), "sourceRoleArns[0]"],
];

for (const [title, construct, path] of wrongKind) {
    serial(`family 1: a policy ARN where a role ARN belongs, given as an Output, is refused at ${title}, never a TypeError, and reaches no resource`, async (t) => {
        const expected = new RegExp(`${path.replace(/[[\].]/g, "\\$&")}: "${POLICY_ARN}" is not an IAM role ARN \\(it names iam:policy, not iam:role\\)`);
        const plain = await later(() => construct(POLICY_ARN, `wk-plain-${title.replace(/[^a-z]/g, "")}`.slice(0, 30)));
        t.regex(plain.messages, expected);
        t.deepEqual(plain.names, [], "plain: refused before anything registered");
        for (const preview of [false, true]) {
            const r = await later(() => construct(pulumi.output(POLICY_ARN), `wk-${preview ? "p" : "u"}-${title.replace(/[^a-z]/g, "")}`.slice(0, 30)), preview);
            t.deepEqual(r.crashes.map((e) => e.message), [], "no error other than the input error");
            t.regex(r.messages, expected);
            t.deepEqual(r.carrying(POLICY_ARN), [], "no resource registered with the refused ARN");
        }
    });
}

serial("family 1: the role name and account are taken from a role ARN only through its rule", async (t) => {
    // An ARN that the rule refuses never reaches the parse that derives the name (formerly `parseRoleArn(arn)!.name`).
    const r = await later(() => new PodIdentityWorkload("derive", { ...base, namespace: "derive", roleArn: pulumi.output("arn:aws:iam::123456789012:role/") }));
    t.deepEqual(r.crashes.map((e) => e.message), []);
    t.regex(r.messages, /roleArn: "arn:aws:iam::123456789012:role\/" is not an IAM role ARN/);
    t.false(r.names.includes("derive-association"));
    const ok = await run(() => new PodIdentityWorkload("derive-ok", { ...base, namespace: "derive-ok", roleArn: pulumi.output(roleArnOf("app", "/team/")) }));
    t.deepEqual(ok.failures, []);
    t.is(ok.get("derive-ok").outputs?.roleName, "app");
});

serial("family 2: a container image with whitespace is refused alike, plain or as an Output, and no Deployment carries it", async (t) => {
    const workload = (image: pulumi.Input<string>) => ({ image, runAsUser: 1000 });
    const expected = /workload\.image: " nginx:1\.27 " is not an image reference \(the image reference grammar has no whitespace\): remove the whitespace: "nginx:1\.27"/;
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("image-plain", { ...base, namespace: "image-plain", workload: workload(" nginx:1.27 ") }), expected);
    for (const preview of [false, true]) {
        const r = await later(() => new PodIdentityWorkload(`image-${preview}`, { ...base, namespace: `image-${preview}`, workload: workload(pulumi.output(" nginx:1.27 ")) }), preview);
        t.deepEqual(r.crashes.map((e) => e.message), []);
        t.regex(r.messages, expected);
        t.false(r.names.includes(`image-${preview}-deployment`), "the Deployment never registers");
    }
    // Empty is "required" however it arrives.
    const empty = await later(() => new PodIdentityWorkload("image-empty", { ...base, namespace: "image-empty", workload: workload(pulumi.output("")) }));
    t.regex(empty.messages, /workload\.image: required: give the container image/);
});

serial("other inputs known later are checked as they resolve too: a CrossAccountRole's permissions boundary, an agent's cluster name of the wrong type", async (t) => {
    const boundary = await later(() => new CrossAccountRole("late-boundary", { ...crossAccountBase, role: { permissionsBoundary: pulumi.output("boundary") } }));
    t.regex(boundary.messages, /role\.permissionsBoundary: "boundary" is not an IAM policy ARN/);
    t.false(boundary.names.includes("late-boundary-role"));
    const agent = await later(() => new PodIdentityAgent("late-type", { clusterName: pulumi.output(5 as unknown as string), addonVersion: "v1.3.4-eksbuild.1" }));
    t.deepEqual(agent.crashes.map((e) => e.message), []);
    t.regex(agent.messages, /clusterName: expected a string, got number 5/, "the message a plain 5 gets from the shape check");
    const external = await later(() => new PodIdentityWorkload("late-external", { ...base, namespace: "late-external", crossAccount: { targets: [{ roleArn: TARGET_ROLE, externalId: pulumi.output(12345678 as unknown as string) }] } }));
    t.regex(external.messages, /crossAccount\.targets\[0\]\.externalId: expected a string, got number 12345678/);
    t.false(external.names.includes("late-external-aws-config"));
});

serial("a cluster ARN naming another cluster is refused once both are known, as when both are plain", async (t) => {
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("arn-name", { ...base, clusterName: "other", namespace: "arn-name" }), /clusterArn: names cluster "prod" but clusterName is "other"/);
    const r = await later(() => new PodIdentityWorkload("arn-name-later", { ...base, clusterName: pulumi.output("other"), namespace: "arn-name-later" }));
    t.regex(r.messages, /clusterArn: names cluster "prod" but clusterName is "other"/);
    t.false(r.names.includes("arn-name-later-association"));
});

serial("a managed policy listed twice is refused once every ARN is known, as when all are plain", async (t) => {
    const arn = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("twice", { ...base, namespace: "twice", managedPolicyArns: [arn, arn] }), /managedPolicyArns\[1\]: "arn:aws:iam::aws:policy\/ReadOnlyAccess" is listed twice/);
    const r = await later(() => new PodIdentityWorkload("twice-later", { ...base, namespace: "twice-later", managedPolicyArns: [arn, pulumi.output(arn)] }));
    t.regex(r.messages, /managedPolicyArns\[1\]: "arn:aws:iam::aws:policy\/ReadOnlyAccess" is listed twice/);
    t.deepEqual(r.names.filter((n) => n.startsWith("twice-later-managed")), ["twice-later-managed-ReadOnlyAccess"], "only the first attachment registers");
});

serial("the trusted namespaces and service accounts must include the workload's own, known now or later", async (t) => {
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("own-ns", { ...base, namespace: "own-ns", trust: { namespaces: ["other"] } }), /trust\.namespaces: does not include this workload's namespace "own-ns"/);
    const ns = await later(() => new PodIdentityWorkload("own-ns-later", { ...base, namespace: pulumi.output("own-ns-later"), trust: { namespaces: ["other"] } }));
    t.regex(ns.messages, /trust\.namespaces: does not include this workload's namespace "own-ns-later"/);
    // The service account defaults to the component's name: that one must be trusted too.
    await refusedBeforeRegistration(t, () => new PodIdentityWorkload("own-sa", { ...base, namespace: "own-sa", trust: { serviceAccounts: ["other"] } }), /trust\.serviceAccounts: does not include this workload's service account "own-sa"/);
    const sa = await later(() => new PodIdentityWorkload("own-sa-later", { ...base, namespace: "own-sa-later", serviceAccountName: pulumi.output("app"), trust: { serviceAccounts: ["other"] } }));
    t.regex(sa.messages, /trust\.serviceAccounts: does not include this workload's service account "app"/);
});

/*
 * Family 3: ARNs checked against the form AWS documents for each kind (provider/iam/arn.ts): an IAM OIDC provider is
 * `oidc-provider/<its URL without https://>` (IAM User Guide, "Create an OpenID Connect (OIDC) identity provider in
 * IAM"; IAM API Reference, CreateOpenIDConnectProvider `Url`), and the siblings: role, policy, cluster.
 */

const OIDC = "arn:aws:iam::123456789012:oidc-provider/";
const refusedArns: [string, string, string, RegExp][] = [
    ["trust.irsaOidcProviderArn", "OIDC provider with its https:// scheme", `${OIDC}https://oidc.eks.us-east-1.amazonaws.com/id/ABC`, /URL scheme "https:\/\/", which the provider's ARN leaves out: use "arn:aws:iam::123456789012:oidc-provider\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/ABC"/],
    ["trust.irsaOidcProviderArn", "OIDC provider with an http:// scheme", `${OIDC}http://oidc.example.com`, /URL scheme "http:\/\/"/],
    ["trust.irsaOidcProviderArn", "OIDC provider with a port", `${OIDC}oidc.example.com:8443/realms/a`, /it has a port number/],
    ["trust.irsaOidcProviderArn", "OIDC provider with a query", `${OIDC}oidc.example.com/a?b=c`, /it has a query or fragment/],
    ["trust.irsaOidcProviderArn", "OIDC provider with a fragment", `${OIDC}oidc.example.com/#a`, /it has a query or fragment/],
    ["trust.irsaOidcProviderArn", "OIDC provider without a host", OIDC, /the provider's host is missing/],
    ["trust.irsaOidcProviderArn", "OIDC provider with whitespace inside", `${OIDC}oidc.example.com/a b`, /it has whitespace/],
    ["trust.irsaOidcProviderArn", "OIDC provider with whitespace around", ` ${OIDC}oidc.example.com`, /it has whitespace around it: remove the whitespace/],
    ["trust.irsaOidcProviderArn", "OIDC provider URL over IAM's 255 characters", `${OIDC}oidc.example.com/${"a".repeat(240)}`, /its URL would be 265 characters; IAM allows 255/],
    ["trust.irsaOidcProviderArn", "OIDC provider with a host that is not a DNS name", `${OIDC}-oidc.example.com/id`, /is not an IAM OIDC provider ARN/],
    ["trust.irsaOidcProviderArn", "a role ARN where an OIDC provider belongs", roleArnOf("ci"), /it names iam:role, not iam:oidc-provider/],
    ["roleArn", "role ARN without the / after role", "arn:aws:iam::123456789012:roleapp", /it names iam:roleapp, not iam:role/],
    ["roleArn", "role ARN without a name", "arn:aws:iam::123456789012:role/", /is not an IAM role ARN/],
    ["roleArn", "role ARN with a path over IAM's 512 characters", `arn:aws:iam::123456789012:role/${"p/".repeat(256)}app`, /is not an IAM role ARN/],
    ["roleArn", "an STS session's ARN where a role ARN belongs", "arn:aws:sts::123456789012:assumed-role/app/session", /it names sts:assumed-role, not iam:role/],
    ["roleArn", "role ARN with whitespace around", `${roleArnOf("app")}\n`, /it has whitespace around it: remove the whitespace/],
    ["managedPolicyArns[0]", "policy ARN without the / after policy", "arn:aws:iam::aws:policyReadOnlyAccess", /it names iam:policyReadOnlyAccess, not iam:policy/],
    ["managedPolicyArns[0]", "a role ARN where a policy ARN belongs", roleArnOf("app"), /it names iam:role, not iam:policy/],
    ["trust.clusterArns[0]", "a Pod Identity association's ARN where a cluster ARN belongs", "arn:aws:eks:us-west-2:123456789012:podidentityassociation/prod/a-0123456789abcdefg", /it names eks:podidentityassociation, not eks:cluster/],
];

for (const [path, title, value, expected] of refusedArns) {
    serial(`family 3: ${title} is refused at ${path}, plain before anything registers and as an Output`, async (t) => {
        const name = `arn-${title.replace(/[^a-z]/g, "")}`.slice(0, 30);
        const args = (v: pulumi.Input<string>) =>
            path === "roleArn" ? { roleArn: v } : path === "managedPolicyArns[0]" ? { managedPolicyArns: [v] } : path === "trust.clusterArns[0]" ? { trust: { clusterArns: [v] } } : { trust: { irsaOidcProviderArn: v } };
        const at = new RegExp(`${path.replace(/[[\].]/g, "\\$&")}: .*${expected.source}`);
        await refusedBeforeRegistration(t, () => new PodIdentityWorkload(name, { ...base, namespace: name, ...args(value) } as PodIdentityWorkloadArgs), at);
        const r = await later(() => new PodIdentityWorkload(`${name}-l`, { ...base, namespace: `${name}-l`, ...args(pulumi.output(value)) } as PodIdentityWorkloadArgs));
        t.deepEqual(r.crashes.map((e) => e.message), []);
        t.regex(r.messages, at);
    });
}

serial("family 3: ARNs of the documented forms are accepted, and the OIDC issuer is the ARN's resource part", async (t) => {
    const accepted = [
        { trust: { irsaOidcProviderArn: `${OIDC}oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE` } },
        { trust: { irsaOidcProviderArn: `${OIDC}token.actions.githubusercontent.com` } },
        // IAM keeps a provider URL as given, trailing slash included (an issuer such as https://tenant.auth0.com/).
        { trust: { irsaOidcProviderArn: `${OIDC}tenant.auth0.com/` } },
        { trust: { irsaOidcProviderArn: `arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC` }, clusterArn: "arn:aws-cn:eks:cn-north-1:123456789012:cluster/prod" },
        { roleArn: `arn:aws:iam::123456789012:role/${"p/".repeat(254)}app` },
        { roleArn: "arn:aws:iam::123456789012:role/a+b=c,d.e@f_g-h" },
        { roleArn: "arn:aws:iam::123456789012:role/path!with~ascii*/app" },
        { managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonEKSClusterPolicy", `arn:aws:iam::123456789012:policy/${"n".repeat(128)}`] },
    ];
    for (const [i, args] of accepted.entries()) {
        const r = await run(() => new PodIdentityWorkload(`arn-ok-${i}`, { ...base, namespace: `arn-ok-${i}`, ...args } as PodIdentityWorkloadArgs));
        t.deepEqual(r.failures.map((e) => e.message), [], JSON.stringify(args));
    }
    const issuer = await run(() => new PodIdentityWorkload("issuer", { ...base, namespace: "issuer", trust: { irsaOidcProviderArn: `${OIDC}oidc.eks.us-east-1.amazonaws.com/id/ABC` } }));
    const irsa = JSON.parse(issuer.get("issuer-role").inputs.assumeRolePolicy).Statement.find((s: any) => s.Action === "sts:AssumeRoleWithWebIdentity" || s.Action?.includes?.("sts:AssumeRoleWithWebIdentity"));
    t.truthy(irsa?.Condition?.StringEquals?.["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"], JSON.stringify(irsa));
});
