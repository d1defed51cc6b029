import test from "ava";
import * as fs from "fs";
import * as path from "path";
import { UNKNOWN } from "../provider/tools/plan/engine";
import { CREDENTIALS_REVISION_ANNOTATION } from "../provider/kubernetes/workload";
import { EngineDouble, ProviderCallError, ProviderProcess, wire } from "./support/engineDouble";
import { cloudState } from "./support/harness";
import { ACCOUNT, accountRootArnOf, clusterArnOf, hostedZoneArnOf, podIdentityAssociationArnOf, roleArnOf } from "./support/awsIds";
import { HOSTED_ZONE_ID } from "./support/fixtures";
import { testCluster } from "./cluster/client";

/**
 * The component provider over the wire: the plugin is spawned as the engine spawns it (the launcher script with the
 * engine's address), asked for its schema, and sent Construct calls with protobuf inputs; its child registrations
 * land in the engine double, which answers like AWS. The same assertions as the mock tests, through the format
 * every Pulumi SDK uses. One provider process serves the whole file, as it serves one program: names are unique.
 */

const WORKLOAD = "eks-pod-identity:index:PodIdentityWorkload";
const AGENT = "eks-pod-identity:index:PodIdentityAgent";
const ROOT = path.join(__dirname, "..", "..");

let engine: EngineDouble;
let provider: ProviderProcess;

test.before(async () => {
    engine = await EngineDouble.start({
        answer: (r) => cloudState({ type: r.type, name: r.name, inputs: r.inputs } as any),
        invoke: (token, args) => {
            if (token === "aws:eks/getCluster:getCluster") {
                return { name: args.name, arn: clusterArnOf(args.name), version: "1.31" };
            }
            if (token === "aws:eks/getAddonVersion:getAddonVersion") {
                return { addonName: args.addonName, kubernetesVersion: args.kubernetesVersion, version: "v1.3.4-eksbuild.1" };
            }
            throw new Error(`unexpected invoke ${token}`);
        },
    });
    provider = await ProviderProcess.spawn(engine);
});

test.after.always(async () => {
    await provider?.kill();
    await engine?.close();
});

const serial = test.serial;

/** Construct, failing the test with the provider's stderr when the call fails unexpectedly. */
async function construct(type: string, name: string, inputs: Record<string, unknown>, options: Parameters<ProviderProcess["construct"]>[4] = {}) {
    try {
        return await provider.construct(engine, type, name, inputs, options);
    } catch (e) {
        throw new Error(`${(e as Error).message}\n${JSON.stringify((e as ProviderCallError).inputErrors ?? [])}\nprovider stderr:\n${provider.stderrText}`, { cause: e });
    }
}

async function constructError(type: string, name: string, inputs: Record<string, unknown>, options: Parameters<ProviderProcess["construct"]>[4] = {}): Promise<ProviderCallError> {
    try {
        await provider.construct(engine, type, name, inputs, options);
    } catch (e) {
        if (e instanceof ProviderCallError) {
            return e;
        }
        throw e;
    }
    throw new Error(`Construct of ${name} succeeded; expected an error`);
}

const noStackTrace = (text: string) => !/\n\s+at .+[(:]\d+/.test(text) && !/TypeError|Cannot read/.test(text);

serial("GetSchema returns the committed schema as is; the plugin reports the package version", async (t) => {
    const committed = fs.readFileSync(path.join(ROOT, "provider", "plugin", "schema.json"), "utf8");
    t.is(await provider.getSchema(), committed);
    t.is(await provider.getPluginInfo(), JSON.parse(committed).version);
});

serial("quick start: children, inputs, dependencies and every documented output through the wire", async (t) => {
    const invokesBefore = engine.invokes.length;
    const r = await construct(WORKLOAD, "orders", {
        clusterName: "prod",
        namespace: "orders",
        policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }],
        workload: { image: "nginx:1.27", runAsUser: 1000 },
    });
    const component = engine.get("orders");
    t.is(r.urn, component.urn);
    t.is(component.type, WORKLOAD);
    t.is(component.parent, engine.stackUrn());
    t.deepEqual(engine.childrenOf("orders").sort(), ["orders-association", "orders-deployment", "orders-namespace", "orders-permissions", "orders-role", "orders-service-account"]);
    t.deepEqual(
        Object.fromEntries(engine.childrenOf("orders").map((c) => [c, engine.get(c).type])),
        {
            "orders-role": "aws:iam/role:Role",
            "orders-permissions": "aws:iam/rolePolicy:RolePolicy",
            "orders-association": "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "orders-namespace": "kubernetes:core/v1:Namespace",
            "orders-service-account": "kubernetes:core/v1:ServiceAccount",
            "orders-deployment": "kubernetes:apps/v1:Deployment",
        },
    );
    t.deepEqual(engine.invokes.slice(invokesBefore).map((i) => [i.token, i.args.name]), [["aws:eks/getCluster:getCluster", "prod"]], "cluster ARN looked up once");

    const trust = JSON.parse(engine.get("orders-role").inputs.assumeRolePolicy);
    t.deepEqual(trust.Statement[0].Condition, {
        StringEquals: { "aws:SourceAccount": ACCOUNT, "aws:RequestTag/kubernetes-namespace": "orders", "aws:RequestTag/kubernetes-service-account": "orders" },
        ArnEquals: { "aws:SourceArn": clusterArnOf("prod") },
    });
    t.deepEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
    t.is(engine.get("orders-role").inputs.description, "EKS Pod Identity role for orders/orders on cluster prod");
    t.deepEqual(JSON.parse(engine.get("orders-permissions").inputs.policy), {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::orders/*"] }],
    });
    t.like(engine.get("orders-association").inputs, { clusterName: "prod", namespace: "orders", serviceAccount: "orders", roleArn: roleArnOf("orders-role-abc1234") });
    t.is(engine.get("orders-namespace").inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    t.like(engine.get("orders-service-account").inputs, { automountServiceAccountToken: false, metadata: { name: "orders", namespace: "orders" } });

    t.deepEqual(engine.dependenciesOf("orders-permissions"), ["orders-role"]);
    t.deepEqual(engine.dependenciesOf("orders-association"), ["orders-role"]);
    t.deepEqual(engine.dependenciesOf("orders-service-account"), ["orders-namespace"]);
    t.deepEqual(engine.dependenciesOf("orders-deployment"), ["orders-association", "orders-namespace", "orders-permissions", "orders-role", "orders-service-account"]);
    const pod = engine.get("orders-deployment").inputs.spec.template;
    t.is(pod.spec.serviceAccountName, "orders");
    t.deepEqual(pod.spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
    t.is(pod.spec.containers[0].securityContext.readOnlyRootFilesystem, true);

    const schema = JSON.parse(await provider.getSchema());
    const crossAccountOnly = ["awsConfigFile", "defaultAwsProfile", "externalId", "podSpecFragment"];
    t.deepEqual(
        Object.keys(r.state).sort(),
        Object.keys(schema.resources[WORKLOAD].properties).filter((k) => !crossAccountOnly.includes(k)).sort(),
        "every documented output is returned (the cross-account ones are undefined without crossAccount)",
    );
    t.like(r.state, {
        roleArn: roleArnOf("orders-role-abc1234"),
        roleName: "orders-role-abc1234",
        associationId: "a-ordersassociation",
        associationArn: podIdentityAssociationArnOf("prod", "a-ordersassociation"),
        namespace: "orders",
        serviceAccountName: "orders",
        deploymentName: "orders",
    });
    t.deepEqual(JSON.parse(r.state.trustPolicy), trust);
    t.deepEqual(JSON.parse(r.state.permissionsPolicy), JSON.parse(engine.get("orders-permissions").inputs.policy));
    t.is(r.state.credentialsRevision, pod.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION]);
    t.deepEqual(component.outputs, r.state, "the registered outputs and the returned state agree");
    t.true(r.stateDependencies.roleArn.includes(engine.get("orders-role").urn), "outputs carry their dependencies back to the caller");
});

serial("service-account-only mode: no Deployment, and no deploymentName in the state", async (t) => {
    const r = await construct(WORKLOAD, "argo-app", { clusterName: "sa-only", namespace: "argo-apps", serviceAccountName: "app-sa" });
    t.false(engine.has("argo-app-deployment"));
    t.false(engine.has("argo-app-permissions"));
    t.is(engine.get("argo-app-service-account").inputs.metadata.name, "app-sa");
    t.is(engine.get("argo-app-association").inputs.serviceAccount, "app-sa");
    t.is(r.state.deploymentName, undefined);
    t.is(r.state.permissionsPolicy, undefined);
    t.is(r.state.serviceAccountName, "app-sa");
});

serial("existing role: no IAM resources, no lookups, the role name from the ARN", async (t) => {
    const invokesBefore = engine.invokes.length;
    const roleArn = roleArnOf("billing", "/iam-team/");
    const r = await construct(WORKLOAD, "billing", { clusterName: "existing", namespace: "billing", roleArn, createNamespace: false });
    t.deepEqual(engine.childrenOf("billing").sort(), ["billing-association", "billing-service-account"]);
    t.deepEqual(engine.invokes.slice(invokesBefore), []);
    t.is(engine.get("billing-association").inputs.roleArn, roleArn);
    t.like(r.state, { roleArn, roleName: "billing" });
    t.is(r.state.trustPolicy, undefined);
});

serial("agent install: a PodIdentityAgent child with its add-on, and the Deployment waits for the add-on", async (t) => {
    const r = await construct(WORKLOAD, "with-agent", {
        clusterName: "agent-cluster",
        namespace: "with-agent",
        agent: { install: true, ipv4Only: true, tolerations: [{ operator: "Exists" }], resources: { requests: { cpu: "25m" } } },
        workload: { image: "nginx", runAsUser: 101 },
    });
    const agent = engine.get("with-agent-agent");
    t.is(agent.type, AGENT);
    t.is(agent.parent, r.urn);
    const addon = engine.get("with-agent-agent-addon");
    t.is(addon.parent, agent.urn);
    t.like(addon.inputs, { clusterName: "agent-cluster", addonName: "eks-pod-identity-agent", addonVersion: "v1.3.4-eksbuild.1", resolveConflictsOnCreate: "OVERWRITE" });
    t.deepEqual(JSON.parse(addon.inputs.configurationValues), {
        agent: { additionalArgs: { "-b": "169.254.170.23" } },
        tolerations: [{ operator: "Exists" }],
        resources: { requests: { cpu: "25m" } },
    });
    t.true(engine.get("with-agent-deployment").dependencies.includes(addon.urn));
});

serial("resource reference: a PodIdentityAgent from an earlier Construct, passed to a workload's agent.waitFor", async (t) => {
    const agent = await construct(AGENT, "cluster-agent", { clusterName: "referenced", addonVersion: "v1.3.2-eksbuild.2" });
    t.is(engine.get("cluster-agent").type, AGENT);
    t.deepEqual(Object.keys(agent.state).sort(), ["addonArn", "addonVersion", "installMethod"], "configurationValues and chartValues are undefined with the add-on's defaults");
    t.is(agent.state.addonVersion, "v1.3.2-eksbuild.2");
    const schema = JSON.parse(await provider.getSchema());
    await construct(
        WORKLOAD,
        "waits",
        {
            clusterName: "referenced",
            clusterArn: clusterArnOf("referenced"),
            namespace: "waits",
            agent: { waitFor: wire.resourceReference(agent.urn, schema.version) },
            workload: { image: "nginx", runAsUser: 1 },
        },
        { inputDependencies: { agent: [agent.urn] } },
    );
    t.false(engine.has("waits-agent"), "nothing is installed by the waiting workload");
    t.true(engine.get("waits-deployment").dependencies.includes(agent.urn), "the Deployment waits for the referenced agent (installed before its Construct answered)");
});

serial("a Kubernetes provider of the user's own without the kubeconfig input is refused, naming kubeconfig: the component cannot read that provider's cluster", async (t) => {
    const k8sProvider = `${engine.existing("pulumi:providers:kubernetes", "k8s-own", {}, "provider-id-3")}::provider-id-3`;
    const error = await t.throwsAsync(construct(WORKLOAD, "own-provider", { clusterName: "apps", clusterArn: clusterArnOf("apps"), namespace: "own-provider" }, { providers: { kubernetes: k8sProvider } }));
    t.regex(error!.message, /- kubeconfig: required with a Kubernetes provider of your own/);
    for (const child of ["own-provider-role", "own-provider-namespace", "own-provider-service-account", "own-provider-association"]) t.false(engine.has(child), `${child} is not registered`);
});

serial("values from other resources keep their dependencies; providers reach every child", async (t) => {
    const clusterUrn = engine.existing("aws:eks/cluster:Cluster", "apps", { name: "apps-0123456", arn: clusterArnOf("apps-0123456") });
    const awsProvider = `${engine.existing("pulumi:providers:aws", "aws-east", { region: "us-east-1" }, "provider-id-1")}::provider-id-1`;
    const k8sProvider = `${engine.existing("pulumi:providers:kubernetes", "k8s", {}, "provider-id-2")}::provider-id-2`;
    const repositoryUrn = engine.existing("aws:ecr/repository:Repository", "app-images");
    await construct(
        WORKLOAD,
        "on-cluster",
        {
            clusterName: wire.output("apps-0123456", [clusterUrn]),
            clusterArn: wire.output(clusterArnOf("apps-0123456"), [clusterUrn]),
            namespace: "on-cluster",
            workload: { image: wire.output("123456789012.dkr.ecr.us-west-2.amazonaws.com/app:1", [repositoryUrn]), runAsUser: 1 },
            // The cluster the Kubernetes provider reaches, read before anything is created (see the next test).
            kubeconfig: wire.secret(testCluster().kubeconfig),
        },
        {
            inputDependencies: { clusterName: [clusterUrn], clusterArn: [clusterUrn] },
            providers: { aws: awsProvider, kubernetes: k8sProvider },
        },
    );
    t.is(engine.get("on-cluster-association").inputs.clusterName, "apps-0123456");
    t.deepEqual(engine.dependenciesOf("on-cluster-association"), ["apps", "on-cluster-role"], "the association is ordered after the cluster");
    t.true(engine.dependenciesOf("on-cluster-deployment").includes("app-images"), "a nested input keeps its dependency");
    t.is(engine.get("on-cluster-deployment").inputs.spec.template.spec.containers[0].image, "123456789012.dkr.ecr.us-west-2.amazonaws.com/app:1");
    t.deepEqual(engine.get("on-cluster").providers, { aws: awsProvider, kubernetes: k8sProvider });
    for (const name of ["on-cluster-role", "on-cluster-association"]) {
        t.is(engine.get(name).provider, awsProvider, `${name} uses the given AWS provider`);
    }
    for (const name of ["on-cluster-namespace", "on-cluster-service-account", "on-cluster-deployment"]) {
        t.is(engine.get(name).provider, k8sProvider, `${name} uses the given Kubernetes provider`);
    }
});

serial("an object input sent resolved with top-level dependencies (older SDKs) still reaches the components as they expect", async (t) => {
    const imageSource = engine.existing("aws:ecr/repository:Repository", "legacy-repo");
    await construct(
        WORKLOAD,
        "legacy",
        { clusterName: "legacy", clusterArn: clusterArnOf("legacy"), namespace: "legacy", workload: { image: "repo/app:2", runAsUser: 7, replicas: 2 }, createNamespace: true },
        { inputDependencies: { workload: [imageSource] } },
    );
    const deployment = engine.get("legacy-deployment");
    t.is(deployment.inputs.spec.replicas, 2, "plain settings are plain again");
    t.is(deployment.inputs.spec.template.spec.containers[0].image, "repo/app:2");
    t.true(engine.dependenciesOf("legacy-deployment").includes("legacy-repo"), "the dependency of the object is kept by its Input-typed values");
});

serial("secrets stay secret through the component", async (t) => {
    await construct(WORKLOAD, "secretive", {
        clusterName: "secrets",
        clusterArn: clusterArnOf("secrets"),
        namespace: "secretive",
        workload: { image: "nginx", runAsUser: 1, env: { API_TOKEN: wire.output("s3cr3t", [], true), LOG_LEVEL: "info" } },
    });
    const container = engine.get("secretive-deployment").inputs.spec.template.spec.containers[0];
    t.deepEqual(container.env, [
        { name: "API_TOKEN", value: "<secret>" },
        { name: "LOG_LEVEL", value: "info" },
        { name: "HOME", value: "/tmp" },
    ]);
    t.is(container.image, "nginx", "only the secret value is secret");
});

serial("preview: values AWS assigns stay unknown in the children and in the returned state", async (t) => {
    const r = await construct(WORKLOAD, "preview", { clusterName: "preview", namespace: "preview", workload: { image: "nginx", runAsUser: 1 } }, { preview: true });
    t.is(engine.get("preview-association").inputs.roleArn, UNKNOWN);
    t.is(engine.get("preview-deployment").inputs.spec.template.metadata.annotations[CREDENTIALS_REVISION_ANNOTATION], UNKNOWN);
    t.is(JSON.parse(engine.get("preview-role").inputs.assumeRolePolicy).Statement[0].Condition.ArnEquals["aws:SourceArn"], clusterArnOf("preview"));
    t.is(r.state.roleArn, UNKNOWN);
    t.is(r.state.associationId, UNKNOWN);
    t.is(r.state.namespace, "preview");
});

// Bad inputs come back as input errors: INVALID_ARGUMENT with each property path and reason, never a stack trace.
const badInputs: [string, Record<string, unknown>, string, RegExp][] = [
    ["missing clusterName", { namespace: "bad-ns" }, "clusterName", /required/],
    ["namespace not DNS-1123", { clusterName: "bad", namespace: "Bad_NS" }, "namespace", /"Bad_NS" is not a valid DNS-1123 label/],
    ["session too short", { clusterName: "bad", namespace: "bad-ns", role: { maxSessionDuration: 1800 } }, "role.maxSessionDuration", /1800 is out of range: use a whole number from 3600 to 43200/],
    ["roleArn with policies", { clusterName: "bad", namespace: "bad-ns", roleArn: roleArnOf("x"), managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, "managedPolicyArns", /cannot be combined with roleArn/],
    ["unknown enum value", { clusterName: "bad", namespace: "bad-ns", agent: { install: true, resolveConflictsOnCreate: "PRESERVE" } }, "agent.resolveConflictsOnCreate", /use one of "NONE", "OVERWRITE"/],
    ["root user", { clusterName: "bad", namespace: "bad-ns", workload: { image: "x", runAsUser: 0 } }, "workload.runAsUser", /breaks the restricted Pod Security Standard/],
    ["port out of range", { clusterName: "bad", namespace: "bad-ns", workload: { image: "x", ports: [{ containerPort: 70000 }] } }, "workload.ports[0].containerPort", /70000 is out of range/],
    ["unknown IAM action (checked when rendered)", { clusterName: "bad", namespace: "bad-pol", policyStatements: [{ actions: ["s3:GetObjekt"], resources: ["*"] }] }, "policyStatements[0].actions[0]", /unknown action "GetObjekt" for service "s3" \(did you mean "GetObject"\?\)/],
    ["raw policy not JSON", { clusterName: "bad", namespace: "bad-raw", inlinePolicies: [{ name: "raw", policy: "{not json" }] }, "inlinePolicies[0].policy", /is not valid JSON/],
    // Wrong types over the wire: the shape check reports them at the path, like in TypeScript and the platform file.
    ["null namespace", { clusterName: "bad", namespace: null }, "namespace", /null is not allowed: give a string/],
    ["string where a map of tags belongs", { clusterName: "bad", namespace: "bad-ns", tags: "team=a" }, "tags", /expected a map of strings \(key: value\), got the string "team=a"/],
    ["number in a string list", { clusterName: "bad", namespace: "bad-ns", managedPolicyArns: [42] }, "managedPolicyArns[0]", /expected a string, got number 42/],
    ["non-integer session duration", { clusterName: "bad", namespace: "bad-ns", role: { maxSessionDuration: 3600.5 } }, "role.maxSessionDuration", /expected a whole number/],
    ["null cross-account target ARN", { clusterName: "bad", namespace: "bad-ns", crossAccount: { targets: [{ roleArn: null }] } }, "crossAccount.targets[0].roleArn", /null is not allowed/],
    ["misspelt input", { clusterName: "bad", namespace: "bad-ns", namespaceLabel: { a: "b" } }, "namespaceLabel", /unknown input \(did you mean "namespaceLabels"\?\)/],
    [
        "inline policies over the role limit (checked in the validate step, before anything registers)",
        { clusterName: "bad", namespace: "bad-big", policyStatements: Array.from({ length: 120 }, (_, i) => ({ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::bucket-with-a-rather-long-name-${i}/prefix/*`] })) },
        "policyStatements",
        /the role's inline policies add up to \d+ characters \(policyStatements \d+\); IAM allows 10240/,
    ],
];

badInputs.forEach(([title, inputs, propertyPath, reason], i) => {
    serial(`bad input comes back as an input error naming it: ${title}`, async (t) => {
        const logsBefore = engine.logs.length;
        const error = await constructError(WORKLOAD, `bad-${i}`, inputs);
        t.is(error.code, 3, "INVALID_ARGUMENT");
        const match = error.inputErrors.find((e) => e.propertyPath === propertyPath);
        t.truthy(match, `expected an error for ${propertyPath}, got ${JSON.stringify(error.inputErrors)}`);
        t.regex(match!.reason, reason);
        t.regex(error.details, new RegExp(`PodIdentityWorkload "bad-${i}" has invalid inputs`));
        t.true(noStackTrace(error.details), error.details);
        const errors = engine.logs.slice(logsBefore).filter((l) => l.severity >= 3);
        t.deepEqual(errors.map((l) => l.message), [], "no error (and no stack trace) is logged to the engine");
    });
});

// Values other languages send as Outputs of other resources get the rules plain values get (validation/inputRules.ts):
// an input error naming the path, never a crash, and no child registered with the refused value.
const POLICY_ARN = "arn:aws:iam::123456789012:policy/reader";
const laterBadInputs: [string, (source: string) => Record<string, unknown>, string, RegExp, string][] = [
    [
        "a policy ARN as a cross-account target",
        (source) => ({ crossAccount: { targets: [{ roleArn: wire.output(POLICY_ARN, [source]) }] } }),
        "crossAccount.targets[0].roleArn",
        /"arn:aws:iam::123456789012:policy\/reader" is not an IAM role ARN \(it names iam:policy, not iam:role\)/,
        POLICY_ARN,
    ],
    [
        "a policy ARN as the native-mode target",
        (source) => ({ association: { disableSessionTags: true }, crossAccount: { mode: "native", targets: [{ roleArn: wire.output(POLICY_ARN, [source]) }] } }),
        "crossAccount.targets[0].roleArn",
        /is not an IAM role ARN \(it names iam:policy, not iam:role\)/,
        POLICY_ARN,
    ],
    ["a policy ARN as the existing role", (source) => ({ roleArn: wire.output(POLICY_ARN, [source]), createNamespace: false }), "roleArn", /is not an IAM role ARN \(it names iam:policy, not iam:role\)/, POLICY_ARN],
    ["an image with whitespace around it", (source) => ({ workload: { image: wire.output(" nginx:1.27 ", [source]), runAsUser: 1 } }), "workload.image", /" nginx:1\.27 " is not an image reference.*remove the whitespace: "nginx:1\.27"/, " nginx:1.27 "],
    ["a number where a role ARN belongs", (source) => ({ roleArn: wire.output(5, [source]), createNamespace: false }), "roleArn", /^expected a string, got number 5$/, `"roleArn":5`],
    [
        "an OIDC provider ARN with its URL scheme (plain)",
        () => ({ trust: { irsaOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/https://oidc.eks.us-west-2.amazonaws.com/id/ABC" } }),
        "trust.irsaOidcProviderArn",
        /URL scheme "https:\/\/", which the provider's ARN leaves out: use "arn:aws:iam::123456789012:oidc-provider\/oidc\.eks\.us-west-2\.amazonaws\.com\/id\/ABC"/,
        "https://oidc.eks",
    ],
];

laterBadInputs.forEach(([title, inputs, propertyPath, reason, value], i) => {
    serial(`an input from another resource is refused like a plain one, through the wire: ${title}`, async (t) => {
        const logsBefore = engine.logs.length;
        const source = engine.existing("random:index:RandomString", `late-source-${i}`, { result: "x" });
        const name = `late-${i}`;
        const error = await constructError(WORKLOAD, name, { clusterName: "late", clusterArn: clusterArnOf("late"), namespace: name, ...inputs(source) });
        t.is(error.code, 3, "INVALID_ARGUMENT");
        const match = error.inputErrors.find((e) => e.propertyPath === propertyPath);
        t.truthy(match, `expected an error for ${propertyPath}, got ${JSON.stringify(error.inputErrors)}`);
        t.regex(match!.reason, reason);
        t.true(noStackTrace(error.details), error.details);
        t.deepEqual(engine.logs.slice(logsBefore).filter((l) => l.severity >= 3).map((l) => l.message), [], "no error (and no stack trace) is logged to the engine");
        const carrying = engine.registrations.filter((r) => r.name.startsWith(`${name}-`) && JSON.stringify(r.inputs).includes(value)).map((r) => r.name);
        t.deepEqual(carrying, [], "no child registered with the refused value");
    });
});

serial("an unknown value where a plain value decides the resources is an input error naming it", async (t) => {
    const error = await constructError(WORKLOAD, "unknowable", { clusterName: "unknowable", namespace: "unknowable", createNamespace: wire.output(undefined, [engine.urnOf("random:index:RandomString", "x")]) }, { preview: true });
    t.is(error.code, 3);
    t.deepEqual(error.inputErrors.map((e) => e.propertyPath), ["createNamespace"]);
    t.regex(error.inputErrors[0].reason, /is not known yet/);
});

serial("a second workload claiming the same service account in the program is rejected, naming both", async (t) => {
    await construct(WORKLOAD, "first", { clusterName: "dup", namespace: "shared", serviceAccountName: "app" });
    const error = await constructError(WORKLOAD, "second", { clusterName: "dup", namespace: "shared", serviceAccountName: "app", createNamespace: false });
    t.is(error.code, 3);
    t.regex(error.inputErrors.find((e) => e.propertyPath === "serviceAccountName")!.reason, /already associated by PodIdentityWorkload "first"/);
});

serial("PodIdentityAgent bad input comes back as an input error", async (t) => {
    const error = await constructError(AGENT, "bad-agent", { clusterName: "agent-bad", addonVersion: "latest" });
    t.is(error.code, 3);
    t.deepEqual(error.inputErrors.map((e) => e.propertyPath), ["addonVersion"]);
});

serial("PodIdentityAgent from its Helm chart through the wire: the chart child with its values; an unpinned repository chart refused at its path", async (t) => {
    const chart = path.resolve(__dirname, "..", "..", "tests", "fixtures", "agent-chart");
    const agent = await construct(AGENT, "chart-agent", { clusterName: "agent-helm-wire", helm: { chart, region: "eu-west-1" }, ipv4Only: true });
    t.is(agent.state.installMethod, "helm");
    const child = engine.get("chart-agent-chart");
    t.is(child.type, "kubernetes:helm.sh/v4:Chart");
    t.like(child.inputs, { chart, namespace: "kube-system", values: { clusterName: "agent-helm-wire", priorityClassName: "system-node-critical", agent: { additionalArgs: { "-b": "169.254.170.23" } } } });
    const error = await constructError(AGENT, "unpinned", { clusterName: "agent-unpinned", helm: { chart: "eks-pod-identity-agent", repository: "https://charts.example.com", region: "eu-west-1" } });
    t.is(error.code, 3);
    t.deepEqual(error.inputErrors.map((e) => e.propertyPath), ["helm.version"]);
});

serial("an unknown resource type is refused, naming what the provider constructs", async (t) => {
    const error = await constructError("eks-pod-identity:index:Nope", "nope", {});
    t.regex(error.details, /unknown resource type eks-pod-identity:index:Nope: this provider constructs .*PodIdentityWorkload/);
});

const CROSS_ACCOUNT_ROLE = "eks-pod-identity:index:CrossAccountRole";
const READER = "arn:aws:iam::222233334444:role/reader";

serial("cross-account, config-file mode: the config map, mount and variables, and the outputs for Helm users", async (t) => {
    const r = await construct(WORKLOAD, "chain", {
        clusterName: "xa",
        namespace: "chain",
        crossAccount: { targets: [{ roleArn: READER, region: "eu-west-1" }] },
        workload: { image: "app:1", runAsUser: 1000 },
    });
    t.deepEqual(engine.childrenOf("chain").sort(), ["chain-association", "chain-aws-config", "chain-cross-account", "chain-deployment", "chain-namespace", "chain-role", "chain-service-account"]);
    const configMap = engine.get("chain-aws-config");
    t.is(configMap.type, "kubernetes:core/v1:ConfigMap");
    t.regex(configMap.inputs.data.config, /\[profile reader\]\nrole_arn = arn:aws:iam::222233334444:role\/reader\nsource_profile = pod-identity\nregion = eu-west-1\n/);
    t.regex(configMap.inputs.data["credential-process.sh"], /^#!\/bin\/sh/);
    t.deepEqual(JSON.parse(engine.get("chain-cross-account").inputs.policy).Statement[0].Resource, [READER]);
    const container = engine.get("chain-deployment").inputs.spec.template.spec.containers[0];
    t.deepEqual(container.env.map((e: { name: string }) => e.name), ["HOME", "AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_SDK_LOAD_CONFIG"]);
    t.true(engine.dependenciesOf("chain-deployment").includes("chain-aws-config"));
    t.deepEqual(r.state.awsProfiles, ["reader"]);
    t.is(r.state.defaultAwsProfile, "reader");
    t.is(r.state.awsConfigFile, configMap.inputs.data.config);
    t.is(r.state.podSpecFragment.volumes[0].configMap.name, "chain-aws-config");
    t.deepEqual(engine.get("chain").outputs, r.state);
});

serial("cross-account, native mode: targetRoleArn on the association and the external id EKS reports", async (t) => {
    const r = await construct(WORKLOAD, "native", {
        clusterName: "xa",
        namespace: "native",
        association: { disableSessionTags: true },
        crossAccount: { mode: "native", targets: [{ roleArn: READER }] },
    });
    t.like(engine.get("native-association").inputs, { targetRoleArn: READER, disableSessionTags: true });
    t.false(engine.has("native-aws-config"));
    t.is(r.state.externalId, "ext-0000");
    t.is(r.state.podSpecFragment, undefined);
});

serial("cross-account bad inputs come back as input errors naming them", async (t) => {
    const error = await constructError(WORKLOAD, "bad-xa", {
        clusterName: "xa",
        clusterArn: clusterArnOf("xa"),
        namespace: "bad-xa",
        crossAccount: { targets: [{ roleArn: roleArnOf("same"), default: true }, { roleArn: READER, default: true, durationSeconds: 60 }] },
    });
    t.is(error.code, 3);
    const paths = error.inputErrors.map((e) => e.propertyPath).sort();
    t.deepEqual(paths, ["crossAccount.targets", "crossAccount.targets[0].roleArn", "crossAccount.targets[1].durationSeconds"]);
    t.true(noStackTrace(error.details), error.details);
});

serial("CrossAccountRole: the trust of account B's role through the wire, with every documented output", async (t) => {
    const source = roleArnOf("chain-source");
    const r = await construct(CROSS_ACCOUNT_ROLE, "reader", {
        sourceRoleArns: [source],
        clusterArns: [clusterArnOf("xa")],
        namespaces: ["chain"],
        serviceAccounts: ["chain"],
        role: { name: "reader" },
    });
    t.deepEqual(engine.childrenOf("reader"), ["reader-role"]);
    const trust = JSON.parse(engine.get("reader-role").inputs.assumeRolePolicy);
    t.deepEqual(trust.Statement[0].Principal, { AWS: accountRootArnOf() });
    t.deepEqual(trust.Statement[0].Condition.ArnEquals, { "aws:PrincipalArn": source });
    t.is(trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"], "chain");
    const schema = JSON.parse(await provider.getSchema());
    const documented = Object.keys(schema.resources[CROSS_ACCOUNT_ROLE].properties).filter((k) => k !== "permissionsPolicy");
    t.deepEqual(Object.keys(r.state).sort(), documented.sort());
    t.is(r.state.roleArn, roleArnOf("reader"));
    const error = await constructError(CROSS_ACCOUNT_ROLE, "bad-reader", { sourceRoleArns: [source] });
    t.deepEqual(error.inputErrors.map((e) => e.propertyPath).sort(), ["clusterArns", "namespaces", "serviceAccounts"]);
});

const WELL_KNOWN_POLICY_SET = "eks-pod-identity:index:WellKnownPolicySet";
serial("WellKnownPolicySet: managed policies through the wire, their ARNs and documents by name, bad input named", async (t) => {
    const r = await construct(WELL_KNOWN_POLICY_SET, "addons", {
        clusterArn: clusterArnOf("wk"),
        policies: { externalDns: { hostedZoneIds: [HOSTED_ZONE_ID] }, vpcCni: {} },
    });
    t.deepEqual(engine.childrenOf("addons").sort(), ["addons-well-known-external-dns", "addons-well-known-vpc-cni"]);
    const zonePolicy = JSON.parse(engine.get("addons-well-known-external-dns").inputs.policy);
    t.deepEqual(zonePolicy.Statement.find((s: any) => s.Sid === "ChangeRecords").Resource, [hostedZoneArnOf(HOSTED_ZONE_ID)]);
    t.deepEqual(Object.keys(r.state).sort(), ["policyArns", "policyDocuments"]);
    t.deepEqual(Object.keys(r.state.policyArns).sort(), ["well-known-external-dns", "well-known-vpc-cni"]);
    t.regex(r.state.policyArns["well-known-vpc-cni"], /^arn:aws:iam::\d{12}:policy\//);
    t.deepEqual(JSON.parse(r.state.policyDocuments["well-known-external-dns"]), zonePolicy);
    const error = await constructError(WELL_KNOWN_POLICY_SET, "bad-addons", { clusterArn: clusterArnOf("wk"), policies: { velero: {} } });
    t.is(error.code, 3, "INVALID_ARGUMENT");
    t.deepEqual(error.inputErrors.map((e) => e.propertyPath), ["policies.velero.bucketArns"]);
});
