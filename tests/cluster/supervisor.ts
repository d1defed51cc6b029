/**
 * The throwaway Kubernetes cluster the tests run against: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok (a fake kubelet that marks pods Running and Ready) from bin/cluster (built by
 * `npm run toolchain`), all on loopback, owned by this one process.
 *
 *   node dist/tests/cluster/supervisor.js      prints `CLUSTER-READY <json>` (see ClusterInfo) on stdout once the API
 *                                              server answers /readyz and the fake node is Ready
 *
 * Every run generates its own CA, serving certificate, service-account signing key and admin token in a fresh
 * temporary folder, and takes free ports. It stops every component by PID and removes that folder on SIGTERM,
 * SIGINT, when any component exits, or when its parent process disappears (a test runner killed with SIGKILL
 * cannot run clean-up code, so the supervisor watches for it instead).
 */
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ClusterInfo, KubeClient } from "./client";

const ROOT = path.resolve(__dirname, "../../..");
const BIN = path.join(ROOT, "bin", "cluster");
/** The node kwok pretends to run: Linux on amd64, like the EKS nodes the agent supports. */
export const FAKE_NODE = "kwok-node-0";

interface Component {
    name: string;
    process: ChildProcess;
    log: string;
}

const components: Component[] = [];
let dir = "";
let stopping = false;

async function main(): Promise<void> {
    for (const tool of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"]) {
        if (!fs.existsSync(path.join(BIN, tool))) throw new Error(`bin/cluster/${tool} is missing: run \`npm run toolchain\``);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-cluster-"));
    fs.mkdirSync(path.join(dir, "logs"));
    const parent = process.ppid;
    // A parent that died leaves this process reparented: stop the cluster with it.
    setInterval(() => {
        if (process.ppid !== parent) void stop("the test process is gone", 0);
    }, 500).unref();
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => void stop(`${signal}`, 0));

    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    const pki = certificates(dir);
    // Two identities: the admin the tests and the Kubernetes provider use, and the controllers' own, so that tests
    // can tell the provider's requests from the control plane's.
    const token = crypto.randomBytes(24).toString("hex");
    const componentsToken = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(
        path.join(dir, "tokens.csv"),
        `${token},cluster-admin,cluster-admin,"system:masters"\n${componentsToken},test-cluster-components,test-cluster-components,"system:masters"\n`,
        { mode: 0o600 },
    );
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, kubeconfigText(server, pki.caCert, token), { mode: 0o600 });
    const componentsKubeconfig = path.join(dir, "components.kubeconfig");
    fs.writeFileSync(componentsKubeconfig, kubeconfigText(server, pki.caCert, componentsToken), { mode: 0o600 });
    const info: ClusterInfo = { server, kubeconfig, caCertFile: pki.caCert, caKeyFile: pki.caKey, token, dir, pids: { supervisor: process.pid } };
    const client = new KubeClient(info);

    start("etcd", [
        "--name=test",
        `--data-dir=${path.join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=test=http://127.0.0.1:${etcdPeer}`,
        // A throwaway store: durability is not worth the fsync latency.
        "--unsafe-no-fsync",
        "--log-level=warn",
    ]);
    await waitFor("etcd", async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok);

    start("kube-apiserver", [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--cert-dir=${path.join(dir, "apiserver")}`,
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${path.join(dir, "tokens.csv")}`,
        "--authorization-mode=Node,RBAC",
        `--service-account-issuer=https://kubernetes.default.svc`,
        `--service-account-key-file=${pki.serviceAccountPublic}`,
        `--service-account-signing-key-file=${pki.serviceAccountPrivate}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        // EKS runs its API servers this way; without it validation refuses privileged pods before Pod Security
        // admission sees them, and the tests would not see the verdict EKS gives.
        "--allow-privileged=true",
        // The API server is on loopback, which the kubernetes Service's endpoints may not point at; nothing here uses it.
        "--endpoint-reconciler-type=none",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=0",
    ]);
    await waitFor("kube-apiserver", async () => (await client.request("GET", "/readyz")).status === 200, 60_000);

    start("kube-controller-manager", [
        `--kubeconfig=${componentsKubeconfig}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--use-service-account-credentials=false",
        // Only what the tests exercise: rollouts, garbage collection, namespace deletion, default service accounts, and
        // the node lifecycle controller, which lifts the not-ready taint every new node is admitted with.
        "--controllers=deployment-controller,replicaset-controller,daemonset-controller,garbage-collector-controller,namespace-controller,serviceaccount-controller,pod-garbage-collector-controller,node-lifecycle-controller",
        // kwok renews the fake node's lease; on a loaded test machine a renewal can come late, and the default
        // grace period would then mark the node NotReady and its pods not Ready in the middle of a test.
        "--node-monitor-grace-period=10m",
        "--concurrent-deployment-syncs=10",
        "--concurrent-replicaset-syncs=10",
        "--v=0",
    ]);
    start("kube-scheduler", [`--kubeconfig=${componentsKubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0", "--v=0"]);
    start("kwok", [
        `--kubeconfig=${componentsKubeconfig}`,
        `--config=${path.join(BIN, "kwok-stages.yaml")}`,
        "--manage-all-nodes=true",
        "--server-address=",
        "--node-ip=10.0.0.10",
        "--cidr=10.0.16.0/20",
    ]);
    await client.create("/api/v1/nodes", {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
            name: FAKE_NODE,
            annotations: { "kwok.x-k8s.io/node": "fake" },
            labels: { "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": FAKE_NODE, type: "kwok" },
        },
        spec: {},
    });
    await waitFor("the fake node to be Ready", async () => {
        const node = await client.get(`/api/v1/nodes/${FAKE_NODE}`);
        return node?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") === true;
    });
    await waitFor("the default service account", async () => (await client.get("/api/v1/namespaces/default/serviceaccounts/default")) !== undefined);
    for (const component of components) info.pids[component.name] = component.process.pid!;
    process.stdout.write(`CLUSTER-READY ${JSON.stringify(info)}\n`);
}

function start(name: string, args: string[]): void {
    const log = path.join(dir, "logs", `${name}.log`);
    const out = fs.openSync(log, "a");
    const child = spawn(path.join(BIN, name), args, { stdio: ["ignore", out, out], cwd: dir });
    fs.closeSync(out);
    components.push({ name, process: child, log });
    child.on("exit", (code, signal) => {
        if (!stopping) void stop(`${name} exited (${signal ?? code})`, 1);
    });
}

async function stop(reason: string, exitCode: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (exitCode !== 0) {
        process.stderr.write(`test cluster: ${reason}\n`);
        for (const component of components) {
            const tail = fs.existsSync(component.log) ? fs.readFileSync(component.log, "utf8").split("\n").slice(-15).join("\n") : "";
            process.stderr.write(`--- ${component.name} (last lines of its log)\n${tail}\n`);
        }
    }
    // Reverse start order: the clients of the API server first, etcd last.
    for (const component of [...components].reverse()) await terminate(component.process);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    process.exit(exitCode);
}

async function terminate(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
}

async function waitFor(what: string, ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (stopping) throw new Error(`stopped while waiting for ${what}`);
        try {
            if (await ready()) return;
        } catch {
            // not up yet
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

async function freePorts(count: number): Promise<number[]> {
    const servers = await Promise.all(
        Array.from({ length: count }, () => new Promise<net.Server>((resolve) => {
            const server = net.createServer();
            server.listen(0, "127.0.0.1", () => resolve(server));
        })),
    );
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    return ports;
}

interface Pki {
    caCert: string;
    caKey: string;
    serverCert: string;
    serverKey: string;
    serviceAccountPublic: string;
    serviceAccountPrivate: string;
}

/** A CA of this run, the API server's certificate for 127.0.0.1/localhost, and the service-account key pair. */
function certificates(root: string): Pki {
    const pki = path.join(root, "pki");
    fs.mkdirSync(pki, { mode: 0o700 });
    const file = (name: string) => path.join(pki, name);
    issueCertificate(pki, "ca", "/CN=test-cluster-ca");
    issueCertificate(pki, "apiserver", "/CN=kube-apiserver", ["IP:127.0.0.1", "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default.svc"]);
    const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(file("sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
    fs.writeFileSync(file("sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    return {
        caCert: file("ca.crt"),
        caKey: file("ca.key"),
        serverCert: file("apiserver.crt"),
        serverKey: file("apiserver.key"),
        serviceAccountPublic: file("sa.pub"),
        serviceAccountPrivate: file("sa.key"),
    };
}

/**
 * `ca` is self-signed; any other name is signed by the CA in the same folder, for the given subject alternative
 * names. Also used for the admission webhooks the tests serve.
 */
export function issueCertificate(pki: string, name: string, subject: string, altNames: string[] = []): { cert: string; key: string } {
    const file = (suffix: string) => path.join(pki, `${name}.${suffix}`);
    const quiet = { stdio: ["ignore", "ignore", "pipe"] as ("ignore" | "pipe")[] };
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file("key")], quiet);
    if (name === "ca") {
        execFileSync("openssl", ["req", "-x509", "-new", "-key", file("key"), "-subj", subject, "-days", "2", "-out", file("crt"),
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], quiet);
    } else {
        execFileSync("openssl", ["req", "-new", "-key", file("key"), "-subj", subject, "-out", file("csr")], quiet);
        fs.writeFileSync(file("ext"), `subjectAltName=${altNames.join(",")}\nextendedKeyUsage=serverAuth\n`);
        execFileSync("openssl", ["x509", "-req", "-in", file("csr"), "-CA", path.join(pki, "ca.crt"), "-CAkey", path.join(pki, "ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", file("ext"), "-out", file("crt")], quiet);
    }
    fs.chmodSync(file("key"), 0o600);
    return { cert: file("crt"), key: file("key") };
}

function kubeconfigText(server: string, caCert: string, token: string): string {
    const ca = fs.readFileSync(caCert).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority-data: ${ca}`,
        "users:",
        "- name: cluster-admin",
        "  user:",
        `    token: ${token}`,
        "contexts:",
        "- name: test",
        "  context:",
        "    cluster: test",
        "    user: cluster-admin",
        "current-context: test",
        "",
    ].join("\n");
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(`test cluster: ${error instanceof Error ? error.message : String(error)}\n`);
        void stop("start-up failed", 1);
    });
}
