import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { PodIdentityAgent, PodIdentityWorkload, PodIdentityWorkloadArgs } from "../provider";
import { CREDENTIALS_REVISION_ANNOTATION } from "../provider/kubernetes/workload";
import { UNKNOWN } from "../provider/tools/plan/engine";
import { rejection, run, value } from "./support/harness";
import { ACCOUNT, clusterArnOf, policyArnOf, roleArnOf } from "./support/awsIds";
import { SECRETS_ABAC_STATEMENT } from "./support/fixtures";

// Registrations share one engine per test; the engine is process-global, so tests run one at a time.
const serial = test.serial;

const WORKLOAD = "eks-pod-identity:index:PodIdentityWorkload";

serial("quick start: role, trust, inline policy, association, namespace, service account, deployment", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("orders", {
                clusterName: "prod",
                namespace: "orders",
                policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }],
                workload: { image: "nginx:1.27", runAsUser: 1000 },
            }),
    );
    t.is(r.get("orders").type, WORKLOAD);
    t.deepEqual(r.childrenOf("orders").sort(), [
        "orders-association",
        "orders-deployment",
        "orders-namespace",
        "orders-permissions",
        "orders-role",
        "orders-service-account",
    ]);
    for (const child of r.childrenOf("orders")) {
        t.is(r.get(child).parent, r.get("orders").urn, `${child} is parented to the component`);
    }
    t.deepEqual(r.calls.map((c) => [c.token, c.inputs.name]), [["aws:eks/getCluster:getCluster", "prod"]], "cluster ARN looked up once");

    const trust = JSON.parse(r.get("orders-role").inputs.assumeRolePolicy);
    t.deepEqual(trust, {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentity",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": ACCOUNT,
                        "aws:RequestTag/kubernetes-namespace": "orders",
                        "aws:RequestTag/kubernetes-service-account": "orders",
                    },
                    ArnEquals: { "aws:SourceArn": clusterArnOf("prod") },
                },
            },
        ],
    });
    t.is(r.get("orders-role").inputs.description, "EKS Pod Identity role for orders/orders on cluster prod");
    t.is(r.get("orders-role").inputs.maxSessionDuration, undefined, "AWS default (3600) applies");

    const permissions = r.get("orders-permissions");
    t.is(permissions.inputs.name, "permissions");
    t.deepEqual(JSON.parse(permissions.inputs.policy), {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::orders/*"] }],
    });
    t.deepEqual(r.dependenciesOf("orders-permissions"), ["orders-role"]);

    const association = r.get("orders-association").inputs;
    t.like(association, { clusterName: "prod", namespace: "orders", serviceAccount: "orders", roleArn: roleArnOf("orders-role-abc1234") });
    t.is(association.disableSessionTags, undefined, "session tags stay on by default");
    t.deepEqual(r.dependenciesOf("orders-association"), ["orders-role"], "association waits for the role only, in parallel with policies");

    const ns = r.get("orders-namespace").inputs;
    t.is(ns.metadata.name, "orders");
    t.is(ns.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    const sa = r.get("orders-service-account").inputs;
    t.like(sa, { automountServiceAccountToken: false, metadata: { name: "orders", namespace: "orders" } });
    t.deepEqual(r.dependenciesOf("orders-service-account"), ["orders-namespace"]);

    const deployment = r.get("orders-deployment");
    t.deepEqual(r.dependenciesOf("orders-deployment"), ["orders-association", "orders-namespace", "orders-permissions", "orders-role", "orders-service-account"]);
    const throughInputs = Object.values(deployment.propertyDependencies).flat();
    t.false(throughInputs.includes(r.get("orders-permissions").urn), "no input refers to the policy: the dependency is the explicit dependsOn");
    t.true(deployment.dependencies.includes(r.get("orders-permissions").urn));
    const pod = deployment.inputs.spec.template;
    t.is(pod.spec.serviceAccountName, "orders");
    t.is(pod.spec.automountServiceAccountToken, false);
    t.deepEqual(pod.spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
    t.deepEqual(pod.spec.containers[0].securityContext, {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    });
    t.is(pod.spec.nodeSelector["kubernetes.io/os"], "linux");
    t.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0], {
        key: "eks.amazonaws.com/compute-type",
        operator: "NotIn",
        values: ["fargate"],
    });
    t.is(deployment.inputs.spec.replicas, 1);
    t.regex(pod.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION], /^[0-9a-f]{16}$/);

    const w = r.result;
    t.is(await value(w.roleArn), roleArnOf("orders-role-abc1234"));
    t.is(await value(w.roleName), "orders-role-abc1234");
    t.is(await value(w.associationId), "a-ordersassociation");
    t.regex(await value(w.associationArn), /^arn:aws:eks:us-west-2:123456789012:podidentityassociation\/prod\/a-/);
    t.is(await value(w.namespace), "orders");
    t.is(await value(w.serviceAccountName), "orders");
    t.is(await value(w.deploymentName), "orders");
    t.deepEqual(JSON.parse((await value(w.trustPolicy))!), trust);
    t.deepEqual(JSON.parse((await value(w.permissionsPolicy))!), JSON.parse(permissions.inputs.policy));
    t.is(await value(w.credentialsRevision), pod.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION]);
    const outputs = r.get("orders").outputs!;
    t.deepEqual(Object.keys(outputs).sort(), [
        "associationArn", "associationId", "awsProfiles", "credentialsRevision", "deploymentName", "namespace", "permissionsPolicy", "roleArn", "roleName", "serviceAccountName", "trustPolicy",
    ]);
});

serial("without workload: namespace and service account only, no Deployment", async (t) => {
    const r = await run(() => new PodIdentityWorkload("argo-app", { clusterName: "prod", namespace: "argo-apps", serviceAccountName: "app-sa" }));
    t.false(r.has("argo-app-deployment"));
    t.is(r.get("argo-app-service-account").inputs.metadata.name, "app-sa");
    t.false(r.has("argo-app-permissions"), "no statements, no inline policy");
    t.is(await value(r.result.deploymentName), undefined);
    t.is(await value(r.result.permissionsPolicy), undefined);
    t.is(r.get("argo-app-association").inputs.serviceAccount, "app-sa");
});

serial("existing role: no IAM resources, role name from the ARN, no trust policy output", async (t) => {
    const roleArn = roleArnOf("billing", "/iam-team/");
    const r = await run(() => new PodIdentityWorkload("billing", { clusterName: "prod", namespace: "billing", roleArn, createNamespace: false }));
    t.deepEqual(r.resources.filter((x) => x.type.startsWith("aws:iam")).map((x) => x.name), []);
    t.false(r.has("billing-namespace"));
    t.deepEqual(r.calls, [], "no cluster lookup is needed without a trust policy to render");
    t.is(r.get("billing-association").inputs.roleArn, roleArn);
    t.is(await value(r.result.roleName), "billing");
    t.is(await value(r.result.trustPolicy), undefined);
});

serial("given clusterArn: no lookup; trust widened to two clusters, a namespace list and two service accounts", async (t) => {
    const blue = clusterArnOf("blue");
    const green = "arn:aws:eks:us-east-1:210987654321:cluster/green";
    const r = await run(
        () =>
            new PodIdentityWorkload("shared", {
                clusterName: "blue",
                clusterArn: blue,
                namespace: "team-a",
                serviceAccountName: "reader",
                trust: { clusterArns: [blue, green], namespaces: ["team-a", "team-b"], serviceAccounts: ["reader", "writer"] },
            }),
    );
    t.deepEqual(r.calls, []);
    const condition = JSON.parse(r.get("shared-role").inputs.assumeRolePolicy).Statement[0].Condition;
    t.deepEqual(condition, {
        StringEquals: {
            "aws:SourceAccount": [ACCOUNT, "210987654321"],
            "aws:RequestTag/kubernetes-namespace": ["team-a", "team-b"],
            "aws:RequestTag/kubernetes-service-account": ["reader", "writer"],
        },
        ArnEquals: { "aws:SourceArn": [blue, green] },
    });
});

serial("each trust default can be dropped explicitly", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("loose", {
                clusterName: "prod",
                clusterArn: clusterArnOf("prod"),
                namespace: "loose",
                trust: { anyCluster: true, anyNamespace: true, anyServiceAccount: true },
            }),
    );
    t.deepEqual(JSON.parse(r.get("loose-role").inputs.assumeRolePolicy).Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT } });
});

serial("session tags disabled: no request-tag conditions, session policy passed to the association", async (t) => {
    const sessionPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] };
    const r = await run(
        () => new PodIdentityWorkload("notags", { clusterName: "prod", namespace: "notags", association: { disableSessionTags: true, sessionPolicy } }),
    );
    const condition = JSON.parse(r.get("notags-role").inputs.assumeRolePolicy).Statement[0].Condition;
    t.deepEqual(Object.keys(condition.StringEquals), ["aws:SourceAccount"]);
    t.is(r.get("notags-association").inputs.disableSessionTags, true);
    t.deepEqual(JSON.parse(r.get("notags-association").inputs.policy), sessionPolicy);
});

serial("IRSA migration adds a web-identity statement for the same service account", async (t) => {
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABCDEF`;
    const r = await run(() => new PodIdentityWorkload("migrating", { clusterName: "prod", namespace: "demo-ns", serviceAccountName: "demo-sa", trust: { irsaOidcProviderArn: provider } }));
    const irsa = JSON.parse(r.get("migrating-role").inputs.assumeRolePolicy).Statement[1];
    t.deepEqual(irsa, {
        Sid: "IrsaMigration",
        Effect: "Allow",
        Principal: { Federated: provider },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
            StringEquals: {
                "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF:sub": "system:serviceaccount:demo-ns:demo-sa",
                "oidc.eks.us-west-2.amazonaws.com/id/ABCDEF:aud": "sts.amazonaws.com",
            },
        },
    });
});

serial("managed policies, raw inline policies and role settings", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("full", {
                clusterName: "prod",
                namespace: "full",
                managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", policyArnOf("custom", "/team/")],
                inlinePolicies: [{ name: "queue", policy: JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-west-2:123456789012:q" } }) }],
                role: { name: "full-app", path: "/apps/", description: "custom", permissionsBoundary: policyArnOf("boundary"), maxSessionDuration: 7200, tags: { tier: "gold" } },
                tags: { team: "a", tier: "silver" },
                association: { tags: { purpose: "x" } },
            }),
    );
    t.like(r.get("full-managed-AmazonS3ReadOnlyAccess").inputs, { role: "full-app", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" });
    t.like(r.get("full-managed-custom").inputs, { role: "full-app", policyArn: policyArnOf("custom", "/team/") });
    t.like(r.get("full-queue").inputs, { name: "queue", role: "full-app" });
    t.like(r.get("full-role").inputs, { name: "full-app", path: "/apps/", description: "custom", maxSessionDuration: 7200, tags: { team: "a", tier: "gold" } });
    t.deepEqual(r.get("full-association").inputs.tags, { team: "a", tier: "silver", purpose: "x" });
    t.is(await value(r.result.roleArn), roleArnOf("full-app", "/apps/"));
});

serial("ABAC: the session-tag scope renders seed 002's Secrets Manager conditions", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("abac", {
                clusterName: "prod",
                namespace: "dev-ns",
                policyStatements: [SECRETS_ABAC_STATEMENT],
            }),
    );
    t.deepEqual(JSON.parse(r.get("abac-permissions").inputs.policy).Statement[0].Condition, {
        StringEquals: {
            "secretsmanager:ResourceTag/kubernetes-namespace": "${aws:PrincipalTag/kubernetes-namespace}",
            "secretsmanager:ResourceTag/eks-cluster-name": "${aws:PrincipalTag/eks-cluster-name}",
        },
    });
});

serial("agent.install: the add-on at the latest compatible version, IPv4-only, the Deployment waits for it", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("with-agent", {
                clusterName: "agent-cluster",
                namespace: "with-agent",
                agent: { install: true, ipv4Only: true, tolerations: [{ operator: "Exists" }], resources: { requests: { cpu: "25m" } } },
                workload: { image: "nginx", runAsUser: 101 },
            }),
    );
    t.is(r.get("with-agent-agent").type, "eks-pod-identity:index:PodIdentityAgent");
    t.is(r.get("with-agent-agent").parent, r.get("with-agent").urn);
    const addon = r.get("with-agent-agent-addon");
    t.is(addon.parent, r.get("with-agent-agent").urn);
    t.like(addon.inputs, { clusterName: "agent-cluster", addonName: "eks-pod-identity-agent", addonVersion: "v1.3.4-eksbuild.1", resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE" });
    t.deepEqual(JSON.parse(addon.inputs.configurationValues), {
        agent: { additionalArgs: { "-b": "169.254.170.23" } },
        tolerations: [{ operator: "Exists" }],
        resources: { requests: { cpu: "25m" } },
    });
    t.true(r.get("with-agent-deployment").dependencies.includes(addon.urn));
    t.deepEqual(
        r.calls.map((c) => c.token).sort(),
        ["aws:eks/getAddonVersion:getAddonVersion", "aws:eks/getCluster:getCluster", "aws:eks/getCluster:getCluster"],
        "one lookup for the trust policy's ARN, one for the Kubernetes version, one for the add-on version",
    );
    t.like(r.calls.find((c) => c.token.includes("getAddonVersion"))!.inputs, { addonName: "eks-pod-identity-agent", kubernetesVersion: "1.31", mostRecent: true });
});

serial("standalone PodIdentityAgent with a pinned version looks nothing up; a workload can wait for it", async (t) => {
    const r = await run(() => {
        const agent = new PodIdentityAgent("agent", { clusterName: "pinned", addonVersion: "v1.3.2-eksbuild.2" });
        return new PodIdentityWorkload("waits", { clusterName: "pinned", clusterArn: clusterArnOf("pinned"), namespace: "waits", agent: { waitFor: agent }, workload: { image: "nginx", runAsUser: 1 } });
    });
    t.deepEqual(r.calls, []);
    t.is(r.get("agent-addon").inputs.addonVersion, "v1.3.2-eksbuild.2");
    t.is(r.get("agent-addon").inputs.configurationValues, undefined, "add-on defaults when nothing is configured");
    t.true(r.get("waits-deployment").dependencies.includes(r.get("agent-addon").urn));
});

serial("an EKS cluster's outputs are accepted as they are, and order the workload after the cluster", async (t) => {
    const r = await run(() => {
        const cluster = new aws.eks.Cluster("apps", { roleArn: roleArnOf("cluster"), vpcConfig: { subnetIds: ["subnet-1"] } });
        return new PodIdentityWorkload("on-cluster", { clusterName: cluster.name, clusterArn: cluster.arn, namespace: "on-cluster" });
    });
    t.is(r.get("on-cluster-association").inputs.clusterName, "apps-0123456");
    t.deepEqual(r.dependenciesOf("on-cluster-association"), ["apps", "on-cluster-role"]);
    t.is(JSON.parse(r.get("on-cluster-role").inputs.assumeRolePolicy).Statement[0].Condition.ArnEquals["aws:SourceArn"], clusterArnOf("apps-0123456"));
    t.deepEqual(r.calls, []);
});

serial("providers passed to the component reach every child", async (t) => {
    const r = await run(() => {
        const awsProvider = new aws.Provider("aws-east", { region: "us-east-1" });
        const kubernetes = new k8s.Provider("k8s", { kubeconfig: "{}" });
        return new PodIdentityWorkload("provided", { clusterName: "prod", clusterArn: clusterArnOf("prod"), namespace: "provided", workload: { image: "nginx", runAsUser: 1 } }, { providers: [awsProvider, kubernetes] });
    });
    for (const name of ["provided-role", "provided-association"]) {
        t.regex(r.get(name).provider ?? "", /aws-east::/, `${name} uses the given AWS provider`);
    }
    for (const name of ["provided-namespace", "provided-service-account", "provided-deployment"]) {
        t.regex(r.get(name).provider ?? "", /::k8s::/, `${name} uses the given Kubernetes provider`);
    }
});

serial("credentials revision follows the role and association: a new role rolls the pods", async (t) => {
    const revision = async (name: string, roleArn: string) => {
        const r = await run(() => new PodIdentityWorkload(name, { clusterName: "rev", namespace: name, roleArn, workload: { image: "nginx", runAsUser: 1 } }));
        return r.get(`${name}-deployment`).inputs.spec.template.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION];
    };
    const a = await revision("rev-a", roleArnOf("one"));
    const b = await revision("rev-b", roleArnOf("two"));
    t.not(a, b);
});

serial("preview: values AWS assigns stay unknown, nothing is invented", async (t) => {
    const r = await run(() => new PodIdentityWorkload("preview", { clusterName: "prod", namespace: "preview", workload: { image: "nginx", runAsUser: 1 } }), { preview: true });
    t.is(r.get("preview-association").inputs.roleArn, UNKNOWN);
    t.is(r.get("preview-deployment").inputs.spec.template.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION], UNKNOWN);
    t.is(JSON.parse(r.get("preview-role").inputs.assumeRolePolicy).Statement[0].Condition.ArnEquals["aws:SourceArn"], clusterArnOf("prod"));
});

serial("two workloads claiming one service account fail at preview, naming both", async (t) => {
    const error = t.throws(() => {
        new PodIdentityWorkload("first", { clusterName: "dup", namespace: "shared", serviceAccountName: "app" });
        new PodIdentityWorkload("second", { clusterName: "dup", namespace: "shared", serviceAccountName: "app", createNamespace: false });
    });
    t.regex(error!.message, /PodIdentityWorkload "second".*serviceAccountName: service account "shared\/app" of cluster "dup" is already associated by PodIdentityWorkload "first"/s);
    await run(() => undefined);
});

serial("two workloads creating one namespace fail at preview with the fix", async (t) => {
    const error = t.throws(() => {
        new PodIdentityWorkload("ns-one", { clusterName: "dupns", namespace: "team" });
        new PodIdentityWorkload("ns-two", { clusterName: "dupns", namespace: "team" });
    });
    t.regex(error!.message, /createNamespace: namespace "team" of cluster "dupns" is already created by PodIdentityWorkload "ns-one": set createNamespace to false here/);
    await run(() => undefined);
});

serial("two agent installs for one cluster fail at preview", async (t) => {
    const error = t.throws(() => {
        new PodIdentityAgent("agent-1", { clusterName: "twice", addonVersion: "v1.3.4-eksbuild.1" });
        new PodIdentityWorkload("agent-2", { clusterName: "twice", namespace: "a2", agent: { install: true } });
    });
    t.regex(error!.message, /clusterName: the Pod Identity agent of cluster "twice" is already installed by PodIdentityAgent "agent-1"/);
    await run(() => undefined);
});

serial("a duplicate behind an Output is caught once the name is known", async (t) => {
    const r = await run(() => {
        new PodIdentityWorkload("out-one", { clusterName: "outs", namespace: "out", serviceAccountName: "sa" });
        return new PodIdentityWorkload("out-two", { clusterName: pulumi.output("outs"), namespace: "out", serviceAccountName: "sa", createNamespace: false });
    });
    t.regex(r.failures.map((e) => e.message).join("\n"), /serviceAccountName: service account "out\/sa" of cluster "outs" is already associated by PodIdentityWorkload "out-one"/);
    t.false(r.has("out-two-association"), "the association was never registered");
});

serial("a malformed ARN from another resource is rejected once known, naming the input", async (t) => {
    const r = await run(() => new PodIdentityWorkload("late", { clusterName: "prod", namespace: "late", clusterArn: pulumi.output("arn:aws:eks:us-west-2:123:cluster/prod") }));
    const error = await rejection(r.result.trustPolicy);
    t.regex(error.message, /clusterArn: "arn:aws:eks:us-west-2:123:cluster\/prod" is not an EKS cluster ARN/);
});

// Every bad input: the error names the input and says what to do.
const base: PodIdentityWorkloadArgs = { clusterName: "bad", namespace: "bad-ns" };
const badInputs: [string, Partial<PodIdentityWorkloadArgs> | Record<string, unknown>, RegExp, string?][] = [
    ["missing clusterName", { clusterName: undefined as any }, /clusterName: required/],
    ["bad clusterName", { clusterName: "-bad name" }, /clusterName: .*not an EKS cluster name/],
    ["missing namespace", { namespace: undefined as any }, /namespace: required/],
    ["namespace not DNS-1123", { namespace: "Bad_NS" }, /namespace: "Bad_NS" is not a valid DNS-1123 label/],
    ["namespace too long", { namespace: "a".repeat(64) }, /namespace: .*at most 63/],
    ["service account not DNS-1123", { serviceAccountName: "Bad SA" }, /serviceAccountName: "Bad SA" is not a valid DNS-1123 subdomain/],
    ["component name unusable as default service account", {}, /serviceAccountName: "Bad_Name" is not a valid DNS-1123 subdomain/, "Bad_Name"],
    ["malformed clusterArn", { clusterArn: "arn:aws:eks:us-west-2:1234:cluster/bad" }, /clusterArn: .*not an EKS cluster ARN/],
    ["clusterArn of another cluster", { clusterArn: clusterArnOf("other") }, /clusterArn: names cluster "other" but clusterName is "bad"/],
    ["malformed roleArn", { roleArn: "arn:aws:iam::123456789012:user/bob" }, /roleArn: .*not an IAM role ARN/],
    ["roleArn with policies", { roleArn: roleArnOf("x"), managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, /managedPolicyArns: cannot be combined with roleArn/],
    ["roleArn with role settings", { roleArn: roleArnOf("x"), role: { maxSessionDuration: 3600 } }, /role: cannot be combined with roleArn/],
    ["role name too long", { role: { name: "r".repeat(65) } }, /role\.name: .*1 to 64/],
    ["role name bad chars", { role: { name: "has space" } }, /role\.name: "has space" is not a valid IAM role name/],
    ["name and prefix", { role: { name: "a", namePrefix: "b" } }, /role\.namePrefix: conflicts with role\.name/],
    ["prefix too long", { role: { namePrefix: "p".repeat(39) } }, /role\.namePrefix: .*1 to 38/],
    ["generated name too long", {}, /role\.name: the generated role name .* would exceed IAM's 64 characters/, "w".repeat(52)],
    ["path without slashes", { role: { path: "apps" } }, /role\.path: "apps" is not a valid IAM path/],
    ["description too long", { role: { description: "d".repeat(1001) } }, /role\.description: .*at most 1000/],
    ["boundary not a policy ARN", { role: { permissionsBoundary: "arn:aws:iam::123456789012:role/x" } }, /role\.permissionsBoundary: .*not an IAM policy ARN/],
    ["session too short", { role: { maxSessionDuration: 1800 } }, /role\.maxSessionDuration: 1800 is out of range: use a whole number from 3600 to 43200/],
    ["session too long", { role: { maxSessionDuration: 50000 } }, /role\.maxSessionDuration: 50000 is out of range/],
    ["session fractional", { role: { maxSessionDuration: 3600.5 } }, /role\.maxSessionDuration/],
    ["bad managed policy ARN", { managedPolicyArns: ["AmazonS3ReadOnlyAccess"] }, /managedPolicyArns\[0\]: "AmazonS3ReadOnlyAccess" is not an IAM policy ARN/],
    ["duplicate managed policy", { managedPolicyArns: ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/A"] }, /managedPolicyArns\[1\]: .* listed twice/],
    ["too many managed policies", { managedPolicyArns: Array.from({ length: 21 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`) }, /managedPolicyArns: 21 policies given; IAM attaches at most 20/],
    ["session policy with tags on", { association: { sessionPolicy: "{}" } }, /association\.sessionPolicy: EKS accepts a session policy only with session tags disabled/],
    ["namespaces pinned with tags off", { association: { disableSessionTags: true }, trust: { namespaces: ["bad-ns"] } }, /trust\.namespaces: needs session tags/],
    ["namespace list without own namespace", { trust: { namespaces: ["other"] } }, /trust\.namespaces: does not include this workload's namespace "bad-ns"/],
    ["service account list without own", { serviceAccountName: "me", trust: { serviceAccounts: ["you"] } }, /trust\.serviceAccounts: does not include this workload's service account "me"/],
    ["list and any together", { trust: { clusterArns: [clusterArnOf("bad")], anyCluster: true } }, /trust\.anyCluster: contradicts trust\.clusterArns/],
    ["empty list", { trust: { sourceAccounts: [] } }, /trust\.sourceAccounts: must be a non-empty list/],
    ["bad account id", { trust: { sourceAccounts: ["12345"] } }, /trust\.sourceAccounts\[0\]: "12345" is not an AWS account id/],
    ["bad OIDC provider", { trust: { irsaOidcProviderArn: "oidc.eks.amazonaws.com/id/X" } }, /trust\.irsaOidcProviderArn: .*not an IAM OIDC provider ARN/],
    ["trust statement without principals", { trust: { additionalStatements: [{ principals: [], actions: ["sts:AssumeRole"] }] } }, /trust\.additionalStatements\[0\]\.principals: required/],
    ["agent settings without install", { agent: { ipv4Only: true } }, /agent: agent settings apply only when agent\.install is true/],
    ["agent version malformed", { agent: { install: true, addonVersion: "1.3" } }, /agent\.addonVersion: "1\.3" is not an EKS add-on version/],
    ["agent conflict mode", { agent: { install: true, resolveConflictsOnCreate: "PRESERVE" as any } }, /agent\.resolveConflictsOnCreate: .*use one of "NONE", "OVERWRITE"/],
    ["workload without image", { workload: {} as any }, /workload\.image: required/],
    ["replicas negative", { workload: { image: "x", replicas: -1 } }, /workload\.replicas: -1 is out of range/],
    ["root user", { workload: { image: "x", runAsUser: 0 } }, /workload\.runAsUser: 0 \(root\) breaks the restricted Pod Security Standard/],
    ["env shadowing Pod Identity", { workload: { image: "x", env: { AWS_ACCESS_KEY_ID: "AKIA" } } }, /workload\.env\.AWS_ACCESS_KEY_ID: would override or outrank the credentials/],
    ["port out of range", { workload: { image: "x", ports: [{ containerPort: 70000 }] } }, /workload\.ports\[0\]\.containerPort: 70000 is out of range/],
    ["probe with two handlers", { workload: { image: "x", livenessProbe: { httpGet: { port: 8080 }, tcpSocket: { port: 8080 } } } }, /workload\.livenessProbe: give exactly one of httpGet, tcpSocket, exec, grpc/],
    ["windows node selector", { workload: { image: "x", nodeSelector: { "kubernetes.io/os": "windows" } } }, /workload\.nodeSelector\.kubernetes\.io\/os: the Pod Identity agent runs on Linux nodes only/],
    ["toleration value with Exists", { workload: { image: "x", tolerations: [{ operator: "Exists", value: "v" }] } }, /workload\.tolerations\[0\]\.value: must be empty with operator Exists/],
    ["reserved tag key", { tags: { "aws:owner": "me" } }, /tags\.aws:owner: the aws: prefix is reserved/],
    ["allowFullAccess with an existing role", { roleArn: roleArnOf("x"), allowFullAccess: true }, /allowFullAccess: cannot be combined with roleArn/],
    ["namespace labels without namespace", { createNamespace: false, namespaceLabels: { a: "b" } }, /namespaceLabels: only apply to a namespace this component creates/],
];

for (const [title, override, expected, componentName] of badInputs) {
    serial(`bad input is rejected at construction, naming it: ${title}`, (t) => {
        const error = t.throws(() => new PodIdentityWorkload(componentName ?? `bad-${title.replace(/[^a-z]/g, "")}`.slice(0, 40), { ...base, ...override } as PodIdentityWorkloadArgs));
        t.regex(error!.message, expected);
        t.is(error!.constructor.name, "InputPropertiesError", "reported as an input error, not a crash");
        const reported = (error as any).errors.map((e: { propertyPath: string; reason: string }) => `${e.propertyPath}: ${e.reason}`);
        t.deepEqual(reported, [...new Set(reported)], "each problem is reported once");
        t.false(/TypeError|Cannot read/.test(error!.message));
    });
}

// Plain policy documents are rendered and checked in the validate step: the component throws before registering
// anything (the README's "a rejected component leaves nothing behind").
const badPolicies: [string, Partial<PodIdentityWorkloadArgs>, RegExp][] = [
    ["unknown action", { policyStatements: [{ actions: ["s3:GetObjekt"], resources: ["*"] }] }, /policyStatements\[0\]\.actions\[0\]: unknown action "GetObjekt" for service "s3" \(did you mean "GetObject"\?\)/],
    ["unknown service", { policyStatements: [{ actions: ["s4:GetObject"], resources: ["*"] }] }, /policyStatements\[0\]\.actions\[0\]: unknown service prefix "s4"/],
    ["statement without resources", { policyStatements: [{ actions: ["s3:GetObject"] }] }, /policyStatements\[0\]\.resources: missing: give resources/],
    ["resource not an ARN", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["my-bucket/*"] }] }, /policyStatements\[0\]\.resources\[0\]: the string "my-bucket\/\*" is not an ARN/],
    ["bad condition operator", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], conditions: [{ test: "StringEqual", variable: "s3:prefix", values: ["a"] }] }] }, /policyStatements\[0\]\.conditions\[0\]\.test: unknown condition operator/],
    ["unknown global condition key", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], conditions: [{ test: "StringEquals", variable: "aws:SourceAcount", values: ["1"] }] }] }, /policyStatements\[0\]\.conditions\[0\]\.variable: "aws:SourceAcount" is not a global condition key \(did you mean "aws:SourceAccount"\?\)/],
    ["duplicate condition", { policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], conditions: [{ test: "StringEquals", variable: "s3:prefix", values: ["a"] }, { test: "StringEquals", variable: "s3:prefix", values: ["b"] }] }] }, /policyStatements\[0\]\.conditions\[1\]: a second "StringEquals" on "s3:prefix"/],
    ["ABAC with tags disabled", { association: { disableSessionTags: true }, policyStatements: [{ actions: ["s3:GetObject"], resources: ["*"], sessionTagScope: {} }] }, /policyStatements\[0\]: uses the pod's session tags/],
    ["raw policy not JSON", { inlinePolicies: [{ name: "raw", policy: "{not json" }] }, /inlinePolicies\[0\]\.policy: is not valid JSON/],
    ["raw policy with principal", { inlinePolicies: [{ name: "raw", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] } }] }, /inlinePolicies\[0\]\.policy\.Statement\[0\]\.Principal: unexpected key; identity policies name no principal/],
    ["raw policy without version", { inlinePolicies: [{ name: "raw", policy: { Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] } }] }, /inlinePolicies\[0\]\.policy\.Version: must be "2012-10-17"/],
    ["raw policy bad effect", { inlinePolicies: [{ name: "raw", policy: { Version: "2012-10-17", Statement: [{ Effect: "allow", Action: "s3:GetObject", Resource: "*" }] } }] }, /inlinePolicies\[0\]\.policy\.Statement\[0\]\.Effect: must be "Allow" or "Deny"/],
    ["inline policies over the role limit", { policyStatements: Array.from({ length: 120 }, (_, i) => ({ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::bucket-with-a-rather-long-name-${i}/prefix/*`] })) }, /policyStatements: the role's inline policies add up to \d+ characters \(policyStatements \d+\); IAM allows 10240/],
    ["administrator access (typed)", { policyStatements: [{ actions: ["*"], resources: ["*"] }] }, /policyStatements\[0\]: allows every action on every resource \(administrator access\): .*set allowFullAccess to true/],
    ["administrator access (raw)", { inlinePolicies: [{ name: "admin", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } }] } }] }, /inlinePolicies\[0\]\.policy\.Statement\[0\]: allows every action on every resource/],
    ["session policy too big", { association: { disableSessionTags: true, sessionPolicy: { Version: "2012-10-17", Statement: Array.from({ length: 40 }, (_, i) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::bucket-${i}/*` })) } } }, /association\.sessionPolicy: is \d+ characters; STS accepts at most 2048/],
];

for (const [title, override, expected] of badPolicies) {
    serial(`bad policy is rejected before IAM sees it, naming the input: ${title}`, async (t) => {
        const name = `pol-${title.replace(/[^a-z]/g, "")}`.slice(0, 40);
        const r = await run(() => t.throws(() => new PodIdentityWorkload(name, { ...base, namespace: name, ...override } as PodIdentityWorkloadArgs)));
        t.regex(r.result!.message, expected);
        t.is(r.result!.constructor.name, "InputPropertiesError");
        t.deepEqual(r.resources.map((x) => x.name), [], "nothing registered, not even the component");
        t.deepEqual(r.failures, []);
    });
}

serial("PodIdentityAgent: extra configuration values merge over the typed ones", async (t) => {
    const r = await run(
        () =>
            new PodIdentityAgent("merged", {
                clusterName: "merge",
                addonVersion: "v1.3.4-eksbuild.1",
                ipv4Only: true,
                extraConfigurationValues: { agent: { additionalArgs: { "-v": "debug" } }, priorityClassName: "system-node-critical" },
                resolveConflictsOnCreate: "NONE",
                resolveConflictsOnUpdate: "PRESERVE",
                tags: { team: "platform" },
            }),
    );
    const addon = r.get("merged-addon").inputs;
    t.deepEqual(JSON.parse(addon.configurationValues), {
        agent: { additionalArgs: { "-b": "169.254.170.23", "-v": "debug" } },
        priorityClassName: "system-node-critical",
    });
    t.like(addon, { resolveConflictsOnCreate: "NONE", resolveConflictsOnUpdate: "PRESERVE", tags: { team: "platform" } });
    t.is(await value(r.result.configurationValues), addon.configurationValues);
});

const badAgentInputs: [string, Record<string, unknown>, RegExp][] = [
    ["missing clusterName", { clusterName: undefined }, /clusterName: required/],
    ["malformed version", { addonVersion: "latest" }, /addonVersion: "latest" is not an EKS add-on version/],
    ["unknown conflict mode", { resolveConflictsOnUpdate: "MERGE" }, /resolveConflictsOnUpdate: the string "MERGE" is not allowed: use one of "NONE", "OVERWRITE", "PRESERVE"/],
    ["contradicting bind address", { ipv4Only: true, extraConfigurationValues: { agent: { additionalArgs: { "-b": "0.0.0.0" } } } }, /extraConfigurationValues\.agent\.additionalArgs: sets "-b" to the string "0\.0\.0\.0", which contradicts ipv4Only/],
    ["bad toleration", { tolerations: [{ key: "a", tolerationSeconds: 5 }] }, /tolerations\[0\]\.tolerationSeconds: only applies to effect NoExecute/],
    ["reserved tag", { tags: { "aws:x": "y" } }, /tags\.aws:x: the aws: prefix is reserved/],
];
for (const [title, override, expected] of badAgentInputs) {
    serial(`PodIdentityAgent bad input is rejected, naming it: ${title}`, (t) => {
        const error = t.throws(() => new PodIdentityAgent(`agent-${title.replace(/[^a-z]/g, "")}`, { clusterName: "agent-bad", ...override } as any));
        t.regex(error!.message, expected);
        t.is(error!.constructor.name, "InputPropertiesError");
    });
}

serial("administrator access is accepted only when asked for explicitly, and a Deny of everything is fine", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("admin", {
                clusterName: "prod",
                namespace: "admin",
                allowFullAccess: true,
                policyStatements: [{ actions: ["*"], resources: ["*"] }],
            }),
    );
    t.deepEqual(r.failures, []);
    t.deepEqual(JSON.parse(r.get("admin-permissions").inputs.policy).Statement[0], { Effect: "Allow", Action: ["*"], Resource: ["*"] });
    const d = await run(() => new PodIdentityWorkload("deny-all", { clusterName: "prod", namespace: "deny-all", policyStatements: [{ effect: "Deny", actions: ["*"], resources: ["*"] }] }));
    t.deepEqual(d.failures, []);
});

serial("a rejected component registers nothing, not even itself", async (t) => {
    const r = await run(() => {
        t.throws(() => new PodIdentityWorkload("rejected", { clusterName: "prod", namespace: "Not_Valid" }));
        t.throws(() => new PodIdentityAgent("rejected-agent", { clusterName: "prod", addonVersion: "latest" }));
    });
    t.deepEqual(r.resources.map((x) => x.name), []);
    t.deepEqual(r.failures, []);
});
