import * as pulumi from "@pulumi/pulumi";
import test, { ExecutionContext } from "ava";
import * as path from "path";
import { PodIdentityAgent, PodIdentityWorkload } from "../provider";
import { run, runWarned } from "./support/harness";
import { clusterArnOf, roleArnOf } from "./support/awsIds";
import { credentialProcessScript } from "../provider/crossAccount/credentialProcess";

/**
 * PodIdentityAgent's two install methods (the EKS add-on, the agent's Helm chart) with the same typed settings, what
 * each refuses at preview, the one-agent-per-cluster claim across both, and the preflight warnings. The chart itself
 * is rendered and applied by the real Kubernetes provider in tests/e2e/agentHelm.e2e.ts.
 */

// The engine is process-global: tests run one at a time.
const serial = test.serial;

/** The fixture chart: our own, with the values interface of the agent's chart (tests/fixtures/agent-chart). */
const FIXTURE_CHART = path.resolve(__dirname, "..", "..", "tests", "fixtures", "agent-chart");
const CHART = "kubernetes:helm.sh/v4:Chart";

/**
 * The program's input error (components check plain inputs in their constructor and throw), with the run settled so
 * the next test starts on a quiet engine; also whether anything of the refused component was registered.
 */
async function refusal(t: ExecutionContext, program: () => void): Promise<{ message: string; registered: string[] }> {
    const r = await run(() => {
        try {
            program();
            return undefined;
        } catch (e) {
            return e as Error;
        }
    });
    const errors = [...(r.result ? [r.result] : []), ...r.failures];
    t.true(errors.length > 0, "the program fails");
    return { message: errors.map((e) => e.message).join("\n"), registered: r.resources.map((x) => x.name) };
}

/** Warnings other than the program-wide "both methods in one program" (earlier tests of this file install both). */
const own = (warnings: string[]) => warnings.filter((w) => !w.includes("installs the Pod Identity agent as"));

serial("helm from a local chart: the chart's values rendered from the typed settings, priority system-node-critical by default", async (t) => {
    const r = await run(
        () =>
            new PodIdentityAgent("agent", {
                clusterName: "prod",
                helm: { chart: FIXTURE_CHART, version: "1.3.0", region: "eu-west-1", values: { updateStrategy: { type: "OnDelete" }, image: { pullPolicy: "IfNotPresent" } } },
                image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.29",
                ipv4Only: true,
                tolerations: [{ operator: "Exists" }],
                nodeSelector: { "karpenter.sh/nodepool": "system" },
                resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "64Mi" } },
            }),
    );
    t.deepEqual(r.failures, []);
    t.false(r.has("agent-addon"), "no add-on with helm");
    const chart = r.get("agent-chart");
    t.is(chart.type, CHART);
    t.is(chart.parent, r.get("agent").urn);
    t.like(chart.inputs, { chart: FIXTURE_CHART, name: "eks-pod-identity-agent", namespace: "kube-system" });
    t.is(chart.inputs.repositoryOpts, undefined);
    t.deepEqual(chart.inputs.values, {
        clusterName: "prod",
        env: { AWS_REGION: "eu-west-1" },
        priorityClassName: "system-node-critical",
        image: { override: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/eks/eks-pod-identity-agent:0.1.29", pullPolicy: "IfNotPresent" },
        agent: { additionalArgs: { "-b": "169.254.170.23" } },
        tolerations: [{ operator: "Exists" }],
        nodeSelector: { "karpenter.sh/nodepool": "system" },
        resources: { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        updateStrategy: { type: "OnDelete" },
    });
    t.like(r.get("agent").outputs, { installMethod: "helm" });
    t.deepEqual(r.calls, [], "the chart method looks nothing up in AWS");
});

serial("helm with the cluster's name from another resource: the chart waits for it and carries it", async (t) => {
    const r = await run(() => new PodIdentityAgent("late-agent", { clusterName: pulumi.output("late-cluster"), helm: { chart: FIXTURE_CHART, region: "eu-west-1" } }));
    t.deepEqual(r.failures, []);
    t.is(r.get("late-agent-chart").inputs.values.clusterName, "late-cluster");
    t.is(JSON.parse(r.get("late-agent").outputs!.chartValues).clusterName, "late-cluster");
});

serial("helm from a chart repository at an exact version; the release's namespace and name can be chosen", async (t) => {
    const r = await run(
        () =>
            new PodIdentityAgent("agent", {
                clusterName: "prod",
                helm: { chart: "eks-pod-identity-agent", repository: "https://charts.example.com/platform", version: "1.3.0", region: "us-east-1", namespace: "pod-identity", releaseName: "agent" },
                priorityClassName: "platform-critical",
            }),
    );
    t.deepEqual(r.failures, []);
    t.like(r.get("agent-chart").inputs, {
        chart: "eks-pod-identity-agent",
        version: "1.3.0",
        repositoryOpts: { repo: "https://charts.example.com/platform" },
        namespace: "pod-identity",
        name: "agent",
        values: { priorityClassName: "platform-critical" },
    });
});

serial("helm sources refused at preview, each at the path written: unpinned, ranges, plain http, credentials, missing paths, a local chart of another version", async (t) => {
    const cases: [Record<string, unknown>, RegExp][] = [
        [{ chart: "eks-pod-identity-agent", repository: "https://charts.example.com" }, /helm\.version: required with repository: pin the exact chart version/],
        [{ chart: "eks-pod-identity-agent", repository: "https://charts.example.com", version: "^1.3.0" }, /helm\.version: "\^1\.3\.0" is not an exact chart version/],
        [{ chart: "eks-pod-identity-agent", repository: "https://charts.example.com", version: "1.x" }, /helm\.version: "1\.x" is not an exact chart version/],
        [{ chart: "eks-pod-identity-agent", repository: "http://charts.example.com", version: "1.3.0" }, /helm\.repository: http:\/\/ is refused: use an https:\/\//],
        [{ chart: "eks-pod-identity-agent", repository: "https://user:pw@charts.example.com", version: "1.3.0" }, /helm\.repository: carries credentials in the URL/],
        [{ chart: "charts/eks-pod-identity-agent", repository: "https://charts.example.com", version: "1.3.0" }, /helm\.chart: "charts\/eks-pod-identity-agent" is a path or URL/],
        [{ chart: "https://charts.example.com/agent-1.3.0.tgz" }, /helm\.chart: "https:\/\/charts\.example\.com\/agent-1\.3\.0\.tgz" is a URL/],
        [{ chart: "./no/such/chart" }, /helm\.chart: no chart at \/.*no\/such\/chart/],
        [{ chart: path.dirname(FIXTURE_CHART) }, /helm\.chart: .* is a directory without Chart\.yaml/],
        [{ chart: FIXTURE_CHART, version: "1.2.9" }, /helm\.version: is 1\.2\.9, but .*Chart\.yaml declares version the string "1\.3\.0"/],
    ];
    for (const [helm, expected] of cases) {
        const r = await refusal(t, () => new PodIdentityAgent("agent", { clusterName: "prod", helm: { region: "eu-west-1", ...helm } as any }));
        t.regex(r.message, expected, JSON.stringify(helm));
        t.deepEqual(r.registered, [], "nothing registered");
    }
    const noRegion = await refusal(t, () => new PodIdentityAgent("agent", { clusterName: "prod", helm: { chart: FIXTURE_CHART } as any }));
    t.regex(noRegion.message, /helm\.region: required: give the cluster's AWS region/);
    // The same local chart with the right version, and plain http to loopback, are accepted.
    const ok = await run(() => new PodIdentityAgent("agent", { clusterName: "ok", helm: { chart: FIXTURE_CHART, version: "1.3.0", region: "eu-west-1" } }));
    t.deepEqual(ok.failures, []);
    const loopback = await run(() => new PodIdentityAgent("agent", { clusterName: "lo", helm: { chart: "eks-pod-identity-agent", repository: "http://127.0.0.1:8879/charts", version: "1.3.0", region: "eu-west-1" } }));
    t.deepEqual(loopback.failures, []);
});

serial("settings a method cannot apply are refused, naming them", async (t) => {
    const helm = await refusal(
        t,
        () =>
            new PodIdentityAgent("agent", {
                clusterName: "prod",
                helm: { chart: FIXTURE_CHART, region: "eu-west-1" },
                addonVersion: "v1.3.4-eksbuild.1",
                kubernetesVersion: "1.31",
                extraConfigurationValues: { podLabels: {} },
                resolveConflictsOnUpdate: "PRESERVE",
                tags: { team: "platform" },
            }),
    );
    const helmProblems = helm.message;
    for (const key of ["addonVersion", "kubernetesVersion", "resolveConflictsOnUpdate", "tags"]) {
        t.regex(helmProblems, new RegExp(`  - ${key}: applies to the EKS add-on only, and helm installs the agent from its chart: remove it`));
    }
    t.regex(helmProblems, /extraConfigurationValues: applies to the EKS add-on only.*give raw chart values in helm\.values/);

    const addon = await refusal(
        t,
        () =>
            new PodIdentityAgent("agent", {
                clusterName: "prod",
                addonVersion: "v1.3.4-eksbuild.1",
                image: "registry.example.com/agent:1",
                nodeSelector: { pool: "system" },
                priorityClassName: "platform-critical",
            }),
    );
    const addonProblems = addon.message;
    t.regex(addonProblems, / {2}- image: the EKS add-on runs the image EKS publishes.*install from the chart \(helm\)/);
    t.regex(addonProblems, / {2}- nodeSelector: the EKS add-on's configuration has no node selector: express it as affinity/);
    t.regex(addonProblems, / {2}- priorityClassName: the EKS add-on runs the agent at system-node-critical/);
    t.deepEqual(addon.registered, []);

    // What both methods take, rendered for the add-on: affinity joins its configuration values; system-node-critical is accepted.
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "In", values: ["system"] }] }] } } };
    const both = await run(() => new PodIdentityAgent("agent", { clusterName: "prod", addonVersion: "v1.3.4-eksbuild.1", affinity, priorityClassName: "system-node-critical", ipv4Only: true }));
    t.deepEqual(both.failures, []);
    t.deepEqual(JSON.parse(both.get("agent-addon").inputs.configurationValues), { agent: { additionalArgs: { "-b": "169.254.170.23" } }, affinity });
});

serial("shared settings are checked for both methods, at the path written", async (t) => {
    const r = await refusal(
        t,
        () =>
            new PodIdentityAgent("agent", {
                clusterName: "prod",
                helm: { chart: FIXTURE_CHART, region: "eu-west-1", values: { agent: { additionalArgs: { "-b": "::1" } } } },
                ipv4Only: true,
                nodeSelector: { "kubernetes.io/os": "windows" },
                affinity: { nodeAffinty: {} },
                priorityClassName: "Node_Critical",
                image: "bad image",
            }),
    );
    const problems = r.message;
    t.regex(problems, /helm\.values\.agent\.additionalArgs: sets "-b" to the string "::1", which contradicts ipv4Only/);
    t.regex(problems, /nodeSelector\.kubernetes\.io\/os: the Pod Identity agent runs on Linux nodes only/);
    t.regex(problems, /affinity\.nodeAffinty: is not a field of a Kubernetes Affinity/);
    t.regex(problems, /priorityClassName: /);
    t.regex(problems, /image: the string "bad image" is not an image reference/);
});

serial("one agent per cluster across both methods; both methods in one program warn", async (t) => {
    const same = await refusal(t, () => {
        new PodIdentityAgent("addon", { clusterName: "shared", addonVersion: "v1.3.4-eksbuild.1" });
        new PodIdentityAgent("chart", { clusterName: "shared", helm: { chart: FIXTURE_CHART, region: "eu-west-1" } });
    });
    t.deepEqual(same.registered, ["addon", "addon-addon"], "the second install registered nothing");
    t.regex(same.message, /PodIdentityAgent "chart" has invalid inputs:\n {2}- clusterName: the Pod Identity agent of cluster "shared" is already installed by PodIdentityAgent "addon"/);

    const r = await runWarned(() => {
        new PodIdentityAgent("addon-a", { clusterName: "cluster-a", addonVersion: "v1.3.4-eksbuild.1" });
        new PodIdentityAgent("chart-b", { clusterName: "cluster-b", helm: { chart: FIXTURE_CHART, region: "eu-west-1" } });
    });
    t.deepEqual(r.failures, []);
    t.true(
        r.warnings.some((w) => /PodIdentityAgent "chart-b" installs the Pod Identity agent as its Helm chart, and PodIdentityAgent "addon-a" in this program as the EKS add-on/.test(w)),
        r.warnings.join("\n"),
    );
});

serial("a workload waits for a Helm-installed agent: its Deployment depends on the chart", async (t) => {
    const r = await run(() => {
        const agent = new PodIdentityAgent("agent", { clusterName: "waits-helm", helm: { chart: FIXTURE_CHART, region: "eu-west-1" } });
        return new PodIdentityWorkload("app", { clusterName: "waits-helm", clusterArn: clusterArnOf("waits-helm"), namespace: "app", agent: { waitFor: agent }, workload: { image: "nginx", runAsUser: 1 } });
    });
    t.deepEqual(r.failures, []);
    t.true(r.get("app-deployment").dependencies.includes(r.get("agent-chart").urn));
});

serial("preflight warnings: Fargate selectors matching the namespace, Windows node selectors, the agent's port 80", async (t) => {
    const r = await runWarned(() => {
        new PodIdentityWorkload("fg", {
            clusterName: "warn",
            clusterArn: clusterArnOf("warn"),
            namespace: "batch-jobs",
            fargateProfileSelectors: [{ namespace: "batch-*" }, { namespace: "other" }, { namespace: "batch-jobs", labels: { "app.kubernetes.io/instance": "fg" } }, { namespace: "batch-jobs", labels: { compute: "fargate" } }],
            workload: { image: "nginx", runAsUser: 1, nodeSelector: { "node.kubernetes.io/windows-build": "10.0.20348" } },
        });
        new PodIdentityAgent("agent", { clusterName: "warn", helm: { chart: FIXTURE_CHART, region: "eu-west-1", values: { agent: { additionalArgs: { "--port": "8080" } }, metrics: { port: 80 } } } });
    });
    t.deepEqual(r.failures, []);
    const text = own(r.warnings).join("\n");
    t.regex(text, /fargateProfileSelectors\[0\] \(namespace "batch-\*"\) selects the pods of namespace "batch-jobs" for Fargate/);
    t.regex(text, /fargateProfileSelectors\[2\] \(namespace "batch-jobs", labels app\.kubernetes\.io\/instance=fg\) selects/);
    t.notRegex(text, /fargateProfileSelectors\[1\]/, "another namespace");
    t.notRegex(text, /fargateProfileSelectors\[3\]/, "labels the pods do not carry");
    t.regex(text, /workload\.nodeSelector\.node\.kubernetes\.io\/windows-build selects Windows nodes/);
    t.regex(text, /helm\.values\.agent\.additionalArgs\["--port"\] moves the agent off port 80/);
    t.regex(text, /helm\.values\.metrics\.port is 80, the port the agent itself binds on the host network/);
    t.is(own(r.warnings).length, 5, text);

    const quiet = await runWarned(() => new PodIdentityWorkload("quiet", { clusterName: "warn2", clusterArn: clusterArnOf("warn2"), namespace: "apps", fargateProfileSelectors: [{ namespace: "kube-system" }], workload: { image: "nginx", runAsUser: 1 } }));
    t.deepEqual(own(quiet.warnings), [], "nothing to warn about: no warning");
});

serial("waitForCredentials: the same init container without cross-account and in configFile mode; the main container is untouched", async (t) => {
    const base = { clusterName: "wait", clusterArn: clusterArnOf("wait"), workload: { image: "registry.example.com/app:1.0", runAsUser: 1000, waitForCredentials: { timeoutSeconds: 45 } } };
    const r = await run(() => {
        new PodIdentityWorkload("plain", { ...base, namespace: "plain" });
        new PodIdentityWorkload("chained", { ...base, namespace: "chained", crossAccount: { targets: [{ roleArn: roleArnOf("reader", "/", "210987654321") }] } });
        new PodIdentityWorkload("without", { ...base, namespace: "without", workload: { image: "registry.example.com/app:1.0", runAsUser: 1000 } });
    });
    t.deepEqual(r.failures, []);
    const spec = (name: string) => r.get(`${name}-deployment`).inputs.spec.template.spec;
    for (const name of ["plain", "chained"]) {
        const configMap = r.get(`${name}-credentials-wait`);
        t.deepEqual(Object.keys(configMap.inputs.data).sort(), ["credential-process.sh", "wait-for-credentials.sh"]);
        t.is(configMap.inputs.data["credential-process.sh"], credentialProcessScript(), "the credential helper, reused as it ships");
        t.true(r.get(`${name}-deployment`).dependencies.includes(configMap.urn), "the Deployment waits for the ConfigMap it mounts");
        const [init] = spec(name).initContainers;
        t.deepEqual(init.command, ["sh", "/etc/pod-identity-wait/wait-for-credentials.sh", "/etc/pod-identity-wait/credential-process.sh", "45"]);
        t.is(init.image, "public.ecr.aws/docker/library/busybox:1.36.1");
        t.deepEqual(init.env, [{ name: "TMPDIR", value: "/tmp" }], "no AWS_PROFILE or AWS_CONFIG_FILE: the wait reads the agent itself");
        t.true(spec(name).volumes.some((v: any) => v.name === "pod-identity-wait" && v.configMap.name === `${name}-credentials-wait`));
        t.is(spec(name).containers.length, 1);
    }
    const main = spec("chained").containers[0];
    t.true(main.env.some((e: any) => e.name === "AWS_PROFILE"), "configFile mode still gives the main container its profile");
    t.false(main.volumeMounts.some((m: any) => m.name === "pod-identity-wait"), "the wait's scripts are not mounted into the main container");
    t.is(spec("without").initContainers, undefined, "opt-in: no init container by default");
    t.false(r.has("without-credentials-wait"));

    const refused = await refusal(t, () => new PodIdentityWorkload("bad-wait", { ...base, namespace: "bad-wait", workload: { image: "x", runAsUser: 1, waitForCredentials: { timeoutSeconds: 0, image: "" } } }));
    t.regex(refused.message, /workload\.waitForCredentials\.timeoutSeconds: 0 is out of range: use a whole number from 1 to 900 seconds/);
    t.regex(refused.message, /workload\.waitForCredentials\.image: the string "" is not an image reference/);
});
