import * as aws from "@pulumi/aws";
import test from "ava";
import { CrossAccountRole, PodIdentityWorkload, PodIdentityWorkloadArgs } from "../provider";
import { credentialProcessScript } from "../provider/crossAccount/credentialProcess";
import { CREDENTIALS_REVISION_ANNOTATION } from "../provider/kubernetes/workload";
import { run, value } from "./support/harness";
import { validateKubernetesObject } from "./support/kubernetesSchema";
import { restrictedViolations } from "./support/podSecurity";
import { accountRootArnOf, clusterArnOf, roleArnOf } from "./support/awsIds";

const serial = test.serial;
const READER = "arn:aws:iam::222233334444:role/reader";
const WRITER = "arn:aws:iam::555566667777:role/data/writer";

serial("config-file mode: config map, mounts, env, chain permission and outputs", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("chain", {
                clusterName: "prod",
                namespace: "chain",
                crossAccount: {
                    targets: [
                        { roleArn: READER, region: "eu-west-1", roleSessionName: "chain-reader", durationSeconds: 1800 },
                        { roleArn: WRITER, profileName: "writer", externalId: "ext-123", default: true },
                    ],
                },
                workload: { image: "app:1", runAsUser: 1000, env: { LOG_LEVEL: "info" } },
            }),
    );
    const configMap = r.get("chain-aws-config");
    t.is(configMap.type, "kubernetes:core/v1:ConfigMap");
    t.is(configMap.parent, r.get("chain").urn);
    t.like(configMap.inputs.metadata, { name: "chain-aws-config", namespace: "chain" });
    t.is(configMap.inputs.data["credential-process.sh"], credentialProcessScript());
    t.is(
        configMap.inputs.data.config,
        [
            "# Rendered by pulumi-eks-pod-identity: Pod Identity credentials chained into other accounts' roles.",
            "[profile pod-identity]",
            "credential_process = /etc/aws-pod-identity/credential-process.sh",
            "",
            "[profile reader]",
            `role_arn = ${READER}`,
            "source_profile = pod-identity",
            "role_session_name = chain-reader",
            "duration_seconds = 1800",
            "region = eu-west-1",
            "sts_regional_endpoints = regional",
            "",
            "[profile writer]",
            `role_arn = ${WRITER}`,
            "source_profile = pod-identity",
            "external_id = ext-123",
            // No region of its own: the cluster's, so every SDK calls the regional STS endpoint.
            "region = us-west-2",
            "sts_regional_endpoints = regional",
            "",
        ].join("\n"),
    );
    t.deepEqual(r.dependenciesOf("chain-aws-config"), ["chain-namespace"], "only the namespace: the account check uses the cluster's ARN, so the file is known at preview");

    const chainPolicy = JSON.parse(r.get("chain-cross-account").inputs.policy);
    t.deepEqual(chainPolicy.Statement, [{ Sid: "ChainIntoTargetRoles", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: [READER, WRITER] }]);

    const pod = r.get("chain-deployment").inputs.spec.template.spec;
    t.deepEqual(pod.volumes.find((v: any) => v.name === "aws-pod-identity"), {
        name: "aws-pod-identity",
        configMap: {
            name: "chain-aws-config",
            defaultMode: 0o444,
            items: [{ key: "config", path: "config" }, { key: "credential-process.sh", path: "credential-process.sh", mode: 0o555 }],
        },
    });
    t.deepEqual(pod.containers[0].volumeMounts.find((m: any) => m.name === "aws-pod-identity"), { name: "aws-pod-identity", mountPath: "/etc/aws-pod-identity", readOnly: true });
    t.deepEqual(pod.containers[0].env, [
        { name: "LOG_LEVEL", value: "info" },
        { name: "HOME", value: "/tmp" },
        { name: "AWS_CONFIG_FILE", value: "/etc/aws-pod-identity/config" },
        { name: "AWS_PROFILE", value: "writer" },
        { name: "AWS_SDK_LOAD_CONFIG", value: "1" },
    ]);
    t.deepEqual(restrictedViolations(pod), []);
    t.deepEqual(validateKubernetesObject(r.get("chain-deployment").inputs), []);
    t.deepEqual(validateKubernetesObject(configMap.inputs), []);

    const w = r.result;
    t.deepEqual(await value(w.awsProfiles), ["reader", "writer"]);
    t.is(await value(w.defaultAwsProfile), "writer");
    t.is(await value(w.awsConfigFile), configMap.inputs.data.config);
    const fragment = (await value(w.podSpecFragment))!;
    t.deepEqual(fragment.env.map((e) => e.name), ["AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_SDK_LOAD_CONFIG"]);
    t.is((fragment.volumes[0] as any).configMap.name, "chain-aws-config");
    t.is(await value(w.externalId), undefined);
    t.is(r.get("chain-association").inputs.targetRoleArn, undefined);
});

serial("EcsContainer variant: no script, profiles read the agent through the SDK", async (t) => {
    const r = await run(
        () => new PodIdentityWorkload("ecs", { clusterName: "prod", namespace: "ecs", crossAccount: { credentialSource: "ecsContainer", mountPath: "/aws", targets: [{ roleArn: READER }] } }),
    );
    const data = r.get("ecs-aws-config").inputs.data;
    t.deepEqual(Object.keys(data), ["config"]);
    t.is(data.config.split("\n").filter((l: string) => l && !l.startsWith("#")).join("|"), `[profile reader]|role_arn = ${READER}|credential_source = EcsContainer|region = us-west-2|sts_regional_endpoints = regional`);
    const fragment = (await value(r.result.podSpecFragment))!;
    t.deepEqual((fragment.volumes[0] as any).configMap.items, [{ key: "config", path: "config" }]);
    t.deepEqual(fragment.env[0], { name: "AWS_CONFIG_FILE", value: "/aws/config" });
    t.false(r.has("ecs-deployment"), "without a workload the fragment is for the user's own pods");
});

serial("native mode: targetRoleArn on the association, no config map, external id read from EKS", async (t) => {
    const r = await run(
        () => new PodIdentityWorkload("native", { clusterName: "prod", namespace: "native", association: { disableSessionTags: true }, crossAccount: { mode: "native", targets: [{ roleArn: READER }] }, workload: { image: "app", runAsUser: 1 } }),
    );
    t.like(r.get("native-association").inputs, { targetRoleArn: READER, disableSessionTags: true });
    t.false(r.has("native-aws-config"));
    t.deepEqual(JSON.parse(r.get("native-cross-account").inputs.policy).Statement[0].Resource, [READER]);
    t.is(await value(r.result.externalId), "ext-0000", "the association's own output, as the mocked EKS returned it");
    t.deepEqual(await value(r.result.awsProfiles), ["reader"]);
    t.is(await value(r.result.podSpecFragment), undefined);
    t.deepEqual(r.get("native-deployment").inputs.spec.template.spec.containers[0].env, [{ name: "HOME", value: "/tmp" }], "no profile variables: EKS chains");
});

serial("a new target role rolls the pods", async (t) => {
    const revision = async (name: string, roleArn: string) => {
        const r = await run(() => new PodIdentityWorkload(name, { clusterName: "roll", namespace: name, crossAccount: { targets: [{ roleArn }] }, workload: { image: "app", runAsUser: 1 } }));
        return r.get(`${name}-deployment`).inputs.spec.template.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION];
    };
    t.not(await revision("roll-a", READER), await revision("roll-b", "arn:aws:iam::222233334444:role/other"));
});

serial("existing role: the chain permission is left to the role's owner", async (t) => {
    const r = await run(() => new PodIdentityWorkload("owned", { clusterName: "prod", namespace: "owned", roleArn: roleArnOf("owned"), crossAccount: { targets: [{ roleArn: READER }] } }));
    t.false(r.has("owned-cross-account"));
    t.true(r.has("owned-aws-config"));
});

serial("CrossAccountRole: trust pinned to the source role and the workload's session tags, through account B's provider", async (t) => {
    const source = roleArnOf("chain-source");
    const r = await run(() => {
        const accountB = new aws.Provider("account-b", { region: "eu-west-1", assumeRoles: [{ roleArn: "arn:aws:iam::222233334444:role/deployer" }] });
        return new CrossAccountRole(
            "reader",
            {
                sourceRoleArns: [source],
                clusterArns: [clusterArnOf("prod")],
                namespaces: ["chain"],
                serviceAccounts: ["chain"],
                policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b-data/*"] }],
                role: { name: "reader", maxSessionDuration: 7200 },
            },
            { providers: [accountB] },
        );
    });
    t.is(r.get("reader").type, "eks-pod-identity:index:CrossAccountRole");
    t.deepEqual(r.childrenOf("reader").sort(), ["reader-permissions", "reader-role"]);
    t.regex(r.get("reader-role").provider ?? "", /::account-b::/);
    t.regex(r.get("reader-permissions").provider ?? "", /::account-b::/);
    t.deepEqual(JSON.parse(r.get("reader-role").inputs.assumeRolePolicy), {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ChainFromPodIdentity",
                Effect: "Allow",
                Principal: { AWS: accountRootArnOf() },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    ArnEquals: { "aws:PrincipalArn": source },
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-arn": clusterArnOf("prod"),
                        "aws:RequestTag/kubernetes-namespace": "chain",
                        "aws:RequestTag/kubernetes-service-account": "chain",
                    },
                },
            },
        ],
    });
    t.is(await value(r.result.roleArn), roleArnOf("reader"));
});

serial("CrossAccountRole with an external id (session tags disabled)", async (t) => {
    const r = await run(() => new CrossAccountRole("ext", { sourceRoleArns: [roleArnOf("a")], trustMode: "externalId", externalId: "a-1b2c3d" }));
    const [assume, tag] = JSON.parse(r.get("ext-role").inputs.assumeRolePolicy).Statement;
    t.deepEqual(assume.Action, ["sts:AssumeRole"]);
    t.deepEqual(assume.Condition, { ArnEquals: { "aws:PrincipalArn": roleArnOf("a") }, StringEquals: { "sts:ExternalId": "a-1b2c3d" } });
    // sts:ExternalId is no condition key of TagSession: tagged (transitive) sessions must still get through.
    t.deepEqual(tag, { Sid: "PassSessionTags", Effect: "Allow", Principal: { AWS: accountRootArnOf() }, Action: ["sts:TagSession"], Condition: { ArnEquals: { "aws:PrincipalArn": roleArnOf("a") } } });
});

const badWorkloads: [string, Partial<PodIdentityWorkloadArgs>, RegExp][] = [
    ["no targets", { crossAccount: { targets: [] } }, /crossAccount\.targets: give at least one target role/],
    ["malformed target ARN", { crossAccount: { targets: [{ roleArn: "arn:aws:iam::2222:role/x" }] } }, /crossAccount\.targets\[0\]\.roleArn: .*not an IAM role ARN/],
    ["same account without reason", { clusterArn: clusterArnOf("bad"), crossAccount: { targets: [{ roleArn: roleArnOf("x") }] } }, /crossAccount\.targets\[0\]\.roleArn: is in the source role's own account 123456789012: .*sameAccountReason/],
    ["duplicate profile names", { crossAccount: { targets: [{ roleArn: READER, profileName: "p" }, { roleArn: WRITER, profileName: "p" }] } }, /crossAccount\.targets\[1\]\.profileName: "p" is already used by targets\[0\]/],
    ["two defaults", { crossAccount: { targets: [{ roleArn: READER, default: true }, { roleArn: WRITER, default: true }] } }, /crossAccount\.targets: 2 targets are marked default/],
    ["profile named like the source", { crossAccount: { targets: [{ roleArn: READER, profileName: "pod-identity" }] } }, /profileName: "pod-identity" is the source profile's name/],
    ["bad profile name", { crossAccount: { targets: [{ roleArn: READER, profileName: "has space" }] } }, /profileName: "has space" is not a usable profile name/],
    ["duration beyond the chaining cap", { crossAccount: { targets: [{ roleArn: READER, durationSeconds: 7200 }] } }, /durationSeconds: 7200 is out of range: use a whole number from 900 to 3600 seconds \(STS allows at most one hour for a chained role\)/],
    ["duration too short", { crossAccount: { targets: [{ roleArn: READER, durationSeconds: 60 }] } }, /durationSeconds: 60 is out of range: use a whole number from 900 to 3600/],
    ["bad region", { crossAccount: { targets: [{ roleArn: READER, region: "Europe" }] } }, /region: "Europe" is not an AWS region/],
    ["bad session name", { crossAccount: { targets: [{ roleArn: READER, roleSessionName: "a b" }] } }, /roleSessionName: "a b" is not a valid session name/],
    ["native with two targets", { crossAccount: { mode: "native", targets: [{ roleArn: READER }, { roleArn: WRITER }] } }, /crossAccount\.targets: native mode chains into exactly one role/],
    ["native with an external id", { crossAccount: { mode: "native", targets: [{ roleArn: READER, externalId: "x" }] } }, /externalId: is generated by EKS in native mode/],
    ["native with mount path", { crossAccount: { mode: "native", mountPath: "/x", targets: [{ roleArn: READER }] } }, /crossAccount\.mountPath: applies to mode "configFile" only/],
    ["native + session policy with tags on", { association: { sessionPolicy: "{}" }, crossAccount: { mode: "native", targets: [{ roleArn: READER }] } }, /association\.sessionPolicy: EKS accepts a session policy only with session tags disabled/],
    ["relative mount path", { crossAccount: { mountPath: "aws", targets: [{ roleArn: READER }] } }, /crossAccount\.mountPath: the string "aws" is not an absolute path/],
    ["env sets AWS_PROFILE", { workload: { image: "x", env: { AWS_PROFILE: "mine" } }, crossAccount: { targets: [{ roleArn: READER }] } }, /workload\.env\.AWS_PROFILE: is set by crossAccount/],
    ["unknown mode", { crossAccount: { mode: "chain" as any, targets: [{ roleArn: READER }] } }, /crossAccount\.mode: .*use one of "configFile", "native"/],
];
for (const [title, override, expected] of badWorkloads) {
    serial(`cross-account bad input is rejected at preview: ${title}`, (t) => {
        const name = `xa-${title.replace(/[^a-z]/g, "")}`.slice(0, 40);
        const error = t.throws(() => new PodIdentityWorkload(name, { clusterName: "bad", namespace: name, ...override } as PodIdentityWorkloadArgs));
        t.regex(error!.message, expected);
        t.is(error!.constructor.name, "InputPropertiesError");
    });
}

serial("same-account target with a reason is accepted; default profile names that collide are caught once known", async (t) => {
    await run(() => new PodIdentityWorkload("same", { clusterName: "prod", clusterArn: clusterArnOf("prod"), namespace: "same", crossAccount: { targets: [{ roleArn: roleArnOf("x"), sameAccountReason: "separate boundary" }] } }));
    const r = await run(() => new PodIdentityWorkload("clash", { clusterName: "prod", namespace: "clash", crossAccount: { targets: [{ roleArn: READER }, { roleArn: "arn:aws:iam::555566667777:role/reader" }] } }));
    t.regex(r.failures.map((e) => e.message).join("\n"), /crossAccount\.targets: two targets get the profile name "reader"/);
    t.false(r.has("clash-aws-config"));
});

serial("a same-account target is caught once the created role's ARN is known", async (t) => {
    const r = await run(() => new PodIdentityWorkload("late-same", { clusterName: "prod", namespace: "late-same", crossAccount: { targets: [{ roleArn: roleArnOf("x") }] } }));
    t.regex(r.failures.map((e) => e.message).join("\n"), /crossAccount\.targets\[0\]\.roleArn: is in the source role's own account/);
    t.false(r.has("late-same-cross-account"));
    t.false(r.has("late-same-aws-config"));
});

const badRoles: [string, Record<string, unknown>, RegExp][] = [
    ["no sources", { sourceRoleArns: [] }, /sourceRoleArns: required/],
    ["malformed source", { sourceRoleArns: ["role/a"] }, /sourceRoleArns\[0\]: "role\/a" is not an IAM role ARN/],
    ["session tags without pins", { sourceRoleArns: [roleArnOf("a")] }, /clusterArns: required with trustMode "sessionTags"[\s\S]*namespaces: required[\s\S]*serviceAccounts: required/],
    ["external id mode without id", { sourceRoleArns: [roleArnOf("a")], trustMode: "externalId" }, /externalId: required with trustMode "externalId"/],
    ["external id with tag pins", { sourceRoleArns: [roleArnOf("a")], trustMode: "externalId", externalId: "abc", namespaces: ["x"] }, /namespaces: applies to trustMode "sessionTags" only/],
    ["bad cluster ARN", { sourceRoleArns: [roleArnOf("a")], clusterArns: ["prod"], namespaces: ["a"], serviceAccounts: ["b"] }, /clusterArns\[0\]: "prod" is not an EKS cluster ARN/],
    ["bad session duration", { sourceRoleArns: [roleArnOf("a")], trustMode: "externalId", externalId: "abc", role: { maxSessionDuration: 100 } }, /role\.maxSessionDuration: 100 is out of range/],
];
for (const [title, args, expected] of badRoles) {
    serial(`CrossAccountRole bad input is rejected: ${title}`, (t) => {
        const error = t.throws(() => new CrossAccountRole(`cr-${title.replace(/[^a-z]/g, "")}`, args as any));
        t.regex(error!.message, expected);
        t.is(error!.constructor.name, "InputPropertiesError");
    });
}
