/**
 * The Helm install method of PodIdentityAgent, end to end: the real Pulumi CLI runs a program on the TypeScript
 * library (programs/helmAgent.ts), the real Kubernetes provider (bin/pulumi-resource-kubernetes) renders the chart
 * with its Helm support and applies every object to the test cluster, whose controllers then run the DaemonSet on the
 * fake node (tests/cluster). The chart is our fixture with the agent chart's values interface
 * (tests/fixtures/agent-chart), taken once from its local path and once from a chart repository served on loopback.
 *
 *   npm run cluster -- node --test dist/tests/e2e/agentHelm.e2e.js
 *
 * No AWS: the Helm method creates nothing in AWS, so no aws double is attached.
 */
import { after, before, test } from "node:test";
import * as assert from "assert/strict";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { KubeClient, testCluster } from "../cluster/client";
import { FAKE_NODE } from "../cluster/supervisor";
import { missingToolchain, removeEnvironment, ROOT, stackEnvironment, StackEnvironment } from "./support/environment";
import { LanguageDriver, runDriver } from "./support/scenario";

const problem = missingToolchain();
if (problem) throw new Error(`the end-to-end suite needs the toolchain: ${problem}`);

const FIXTURE = path.join(ROOT, "tests", "fixtures", "agent-chart");
const CHART_VERSION = "1.3.0";
const driver: LanguageDriver = { language: "program", project: "e2e-agent-helm", command: process.execPath, args: [path.join(__dirname, "drivers", "node.js"), "program"] };
const kube = new KubeClient(testCluster());

/** A chart repository on loopback: index.yaml and the fixture packaged as Helm packages it (a .tgz of the chart folder). */
let repository: { url: string; requests: string[]; server: http.Server; dir: string };

before(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-repo-"));
    const archive = `eks-pod-identity-agent-${CHART_VERSION}.tgz`;
    execFileSync("tar", ["-czf", path.join(dir, archive), "-C", path.dirname(FIXTURE), "--transform", "s,^agent-chart,eks-pod-identity-agent,", path.basename(FIXTURE)]);
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
        requests.push(req.url ?? "");
        const file = req.url === "/charts/index.yaml" ? "index.yaml" : req.url === `/charts/${archive}` ? archive : undefined;
        if (!file) {
            res.writeHead(404).end();
            return;
        }
        res.writeHead(200).end(fs.readFileSync(path.join(dir, file)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
    fs.writeFileSync(
        path.join(dir, "index.yaml"),
        [
            "apiVersion: v1",
            "entries:",
            "  eks-pod-identity-agent:",
            "    - apiVersion: v2",
            "      name: eks-pod-identity-agent",
            `      version: ${CHART_VERSION}`,
            '      appVersion: "0.1.29"',
            `      urls: ["${url}/${archive}"]`,
            "      created: 2026-01-01T00:00:00Z",
            "generated: 2026-01-01T00:00:00Z",
            "",
        ].join("\n"),
    );
    repository = { url, requests, server, dir };
});

after(async () => {
    await new Promise<void>((resolve) => repository.server.close(() => resolve()));
    fs.rmSync(repository.dir, { recursive: true, force: true });
    kube.destroy();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}

/** up, the DaemonSet and its pod on the fake node as the server has them, destroy, nothing left. */
async function installAndRemove(environment: StackEnvironment, config: Record<string, string>, namespace: string): Promise<void> {
    const up = await runDriver(driver, environment, "up", { clusterName: "e2e-helm", ...config });
    assert.equal(up.outputs.installMethod, "helm");
    const daemonSet = await kube.get(`/apis/apps/v1/namespaces/${namespace}/daemonsets/eks-pod-identity-agent`);
    assert.ok(daemonSet, `the chart's DaemonSet is in ${namespace}:\n${up.log}`);
    const pod = daemonSet.spec.template.spec;
    assert.equal(pod.priorityClassName, "system-node-critical");
    assert.equal(pod.hostNetwork, true);
    const agent = pod.containers[0];
    assert.equal(agent.image, "registry.example.com/eks/eks-pod-identity-agent:0.1.29");
    assert.deepEqual(agent.args, ["--port", "80", "--cluster-name", "e2e-helm", "--probe-port", "2703", "--metrics-port", "2705", "-b", "169.254.170.23"]);
    assert.deepEqual(agent.env, [{ name: "AWS_REGION", value: "us-west-2" }]);
    assert.deepEqual(agent.resources, { requests: { cpu: "25m", memory: "32Mi" }, limits: { memory: "64Mi" } });
    // The DaemonSet controller created the agent's pod on the fake node, and the Priority admission plugin resolved
    // system-node-critical to its value: the server accepted the priority class for this namespace.
    const running = await until("the agent pod on the fake node", async () => {
        const pods = await kube.get(`/api/v1/namespaces/${namespace}/pods?labelSelector=app.kubernetes.io/name%3Deks-pod-identity-agent`);
        return pods?.items?.find((p: any) => p.spec.nodeName === FAKE_NODE && p.status?.phase === "Running");
    });
    assert.equal(running.spec.priority, 2000001000);
    const destroyed = await runDriver(driver, environment, "destroy", { clusterName: "e2e-helm", ...config });
    assert.ok((destroyed.changes.delete ?? 0) >= 2, JSON.stringify(destroyed.changes));
    assert.equal(await kube.get(`/apis/apps/v1/namespaces/${namespace}/daemonsets/eks-pod-identity-agent`), undefined, "destroy removed the DaemonSet");
}

test("helm: the agent from a local chart path lands in kube-system at system-node-critical, and is removed on destroy", { timeout: 5 * 60_000 }, async () => {
    const environment = stackEnvironment("agent-helm-local", "");
    Object.assign(environment.env, { E2E_PROGRAM: path.join(__dirname, "programs", "helmAgent.js") });
    try {
        await installAndRemove(environment, { chart: FIXTURE, version: CHART_VERSION }, "kube-system");
    } finally {
        removeEnvironment(environment);
    }
});

test("helm: the agent from a chart repository at a pinned version (served on loopback), in a namespace of its own", { timeout: 5 * 60_000 }, async () => {
    const namespace = `e2e-agent-${process.pid}`;
    await kube.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    const environment = stackEnvironment("agent-helm-repo", "");
    Object.assign(environment.env, { E2E_PROGRAM: path.join(__dirname, "programs", "helmAgent.js") });
    try {
        await installAndRemove(environment, { chart: "eks-pod-identity-agent", repository: repository.url, version: CHART_VERSION, namespace }, namespace);
        assert.ok(repository.requests.includes("/charts/index.yaml"), `the repository's index was read: ${repository.requests.join(", ")}`);
        assert.ok(repository.requests.some((r) => r.endsWith(`-${CHART_VERSION}.tgz`)), "the pinned version was downloaded");
    } finally {
        removeEnvironment(environment);
    }
});
