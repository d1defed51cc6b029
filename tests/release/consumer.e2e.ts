/**
 * Release consumer tests: what an application team outside this repository gets from `npm run package` alone.
 * Everything runs in temporary folders outside the repository, from dist/release/ and the real CLI in bin/ (plus
 * the test doubles: the aws double attached with PULUMI_DEBUG_PROVIDERS, the real Kubernetes provider on the test
 * cluster). Our plugin is never on PATH nor in PULUMI_DEBUG_PROVIDERS: the engine must find it in the plugin cache,
 * installed by `pulumi plugin install resource eks-pod-identity <version> --file <archive>`.
 *
 *   npm run package && npm run cluster -- node --test dist/tests/release/consumer.e2e.js   (npm run test:release)
 */
import { after, before, test } from "node:test";
import * as assert from "assert/strict";
import { execFileSync, ExecFileSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { testCluster } from "../cluster/client";
import { CloudDouble } from "../e2e/support/cloudDouble";
import { BIN, ROOT, removeEnvironment, StackEnvironment, stackEnvironment } from "../e2e/support/environment";
import { applied, baseConfig, LanguageDriver, runDriver } from "../e2e/support/scenario";
import { archiveName, PLUGIN_EXECUTABLE } from "../../provider/tools/release/plugin";
import { goModulePath } from "../../provider/tools/release/package";

const RELEASE = path.join(ROOT, "dist", "release");
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
const HOST_ARCHIVE = path.join(RELEASE, archiveName(VERSION, { os: "linux", arch: os.arch() === "arm64" ? "arm64" : "amd64" }));
const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

if (!fs.existsSync(path.join(RELEASE, "SHA256SUMS"))) throw new Error("dist/release/ is missing: run `npm run package` first");
const cluster = testCluster();
/** One scratch folder outside the repository for the whole file. */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "release-consumer-"));
assert.ok(path.relative(ROOT, scratch).startsWith(".."), "the scratch folder is outside the repository");
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function sh(command: string, args: string[], options: ExecFileSyncOptions = {}): string {
    try {
        return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options }) as string;
    } catch (error: any) {
        throw new Error(`${command} ${args.join(" ")} failed (exit ${error.status}):\n${error.stdout}\n${error.stderr}`, { cause: error });
    }
}

/** PATH entries of this process that hold no `node`: the plugin process must do without. */
function pathWithoutNode(): string[] {
    return (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir && !fs.existsSync(path.join(dir, "node")));
}

/**
 * A stack environment whose PULUMI_HOME has our plugin installed from the release archive, and whose PATH is
 * `dirs` (no plugin folder); PULUMI_DEBUG_PROVIDERS attaches the aws double only.
 */
function consumerEnvironment(label: string, debugProviders: string, dirs: string[]): StackEnvironment {
    const environment = stackEnvironment(label, debugProviders);
    environment.env.PATH = [BIN, ...dirs].join(path.delimiter);
    assert.doesNotMatch(environment.env.PULUMI_DEBUG_PROVIDERS, /eks-pod-identity/);
    assert.ok(!environment.env.PATH.split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, PLUGIN_EXECUTABLE))), "our plugin is on no PATH entry");
    sh(path.join(BIN, "pulumi"), ["plugin", "install", "resource", "eks-pod-identity", VERSION, "--file", HOST_ARCHIVE], { env: environment.env });
    const listed = sh(path.join(BIN, "pulumi"), ["plugin", "ls", "--json"], { env: environment.env });
    assert.ok(JSON.parse(listed).some((p: any) => p.name === "eks-pod-identity" && p.kind === "resource" && p.version === VERSION), listed);
    return environment;
}

/** preview → up → destroy of one language's example, asserting what reached the (double) cloud. */
async function previewUpDestroy(driver: LanguageDriver, cloud: CloudDouble, environment: StackEnvironment): Promise<void> {
    const config = baseConfig(cloud, `${driver.language}-payments`);
    let mark = cloud.mark();
    const preview = await runDriver(driver, environment, "preview", config);
    assert.equal(applied(cloud.since(mark), "Create").length, 0, "a preview creates nothing");
    assert.ok((preview.changes.create ?? 0) >= 7, `preview plans the component and its children: ${JSON.stringify(preview.changes)}\n${preview.log}`);
    mark = cloud.mark();
    const up = await runDriver(driver, environment, "up", config);
    const calls = cloud.since(mark);
    assert.equal(applied(calls, "Create", ROLE).length, 1, `the role was created:\n${up.log}`);
    assert.equal(applied(calls, "Create", ASSOCIATION).length, 1, "the association was created");
    assert.match(String(up.outputs.roleArn), /^arn:aws:iam::\d{12}:role\//, `the program got the role's ARN: ${JSON.stringify(up.outputs)}`);
    mark = cloud.mark();
    await runDriver(driver, environment, "destroy", config);
    const deleted = cloud.since(mark);
    assert.equal(applied(deleted, "Delete", ROLE).length, 1, "destroy deleted the role");
    assert.equal(applied(deleted, "Delete", ASSOCIATION).length, 1, "destroy deleted the association");
}

let venvPython = "";
before(() => {
    // A clean virtualenv with the Python SDK from the wheel only (pulumi itself from PyPI, at the example's pin).
    const venv = path.join(scratch, "venv");
    sh("python3", ["-m", "venv", venv]);
    venvPython = path.join(venv, "bin", "python");
    const wheel = fs.readdirSync(RELEASE).find((f) => f.endsWith(".whl"));
    assert.ok(wheel, "dist/release/ holds the Python wheel");
    sh(venvPython, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", path.join(ROOT, "examples", "python", "requirements.txt"), path.join(RELEASE, wheel!)]);
});

test("the release folder: every file is in SHA256SUMS and matches it", () => {
    const out = sh("sha256sum", ["--check", "--strict", "SHA256SUMS"], { cwd: RELEASE });
    const listed = fs.readFileSync(path.join(RELEASE, "SHA256SUMS"), "utf8").trim().split("\n").map((l) => l.split("  ")[1]).sort();
    const files = (function walk(dir: string): string[] {
        return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.relative(RELEASE, path.join(dir, e.name))]));
    })(RELEASE).filter((f) => f !== "SHA256SUMS").sort();
    assert.deepEqual(listed, files);
    assert.equal(out.trim().split("\n").filter((l) => l.endsWith(": OK")).length, files.length);
});

test("the plugin archive: the executable at the root, no PulumiPlugin.yaml; it runs with no Node.js on PATH and serves the schema", () => {
    const entries = sh("tar", ["tzf", HOST_ARCHIVE]).trim().split("\n").sort();
    assert.deepEqual(entries, ["LICENSE", PLUGIN_EXECUTABLE]);
    const folder = path.join(scratch, "plugin");
    fs.mkdirSync(folder);
    sh("tar", ["xzf", HOST_ARCHIVE, "-C", folder]);
    const env = { PATH: [BIN, ...pathWithoutNode()].join(path.delimiter), HOME: scratch, PULUMI_HOME: path.join(scratch, "schema-home"), PULUMI_SKIP_UPDATE_CHECK: "true" };
    assert.throws(() => execFileSync("sh", ["-c", "command -v node"], { env, stdio: "pipe" }), "node is not on this PATH");
    const schema = JSON.parse(sh(path.join(BIN, "pulumi"), ["package", "get-schema", path.join(folder, PLUGIN_EXECUTABLE)], { env }));
    assert.equal(schema.version, VERSION);
    assert.equal(schema.pluginDownloadURL, "github://api.github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity");
    assert.deepEqual(Object.keys(schema.resources).sort(), ["eks-pod-identity:index:CrossAccountRole", "eks-pod-identity:index:PodIdentityAgent", "eks-pod-identity:index:PodIdentityWorkload", "eks-pod-identity:index:WellKnownPolicySet"]);
});

test("Python: the example with the SDK from the wheel and the plugin from the cache, no Node.js on PATH: preview, up, destroy", { timeout: 10 * 60_000 }, async () => {
    const example = path.join(scratch, "python-example");
    fs.cpSync(path.join(ROOT, "examples", "python"), example, { recursive: true });
    const cloud = new CloudDouble("prod");
    const environment = consumerEnvironment("release-python", await cloud.start(cluster, "release-python"), [path.dirname(venvPython), ...pathWithoutNode()]);
    environment.env.E2E_PYTHON_EXAMPLE = example;
    try {
        assert.throws(() => execFileSync("sh", ["-c", "command -v node"], { env: environment.env, stdio: "pipe" }), "node is not on the stack's PATH");
        // The SDK the program imports is the wheel's, in the clean venv.
        const where = sh(venvPython, ["-c", "import pulumi_eks_pod_identity as m; print(m.__file__)"]);
        assert.ok(where.startsWith(scratch), where);
        await previewUpDestroy({ language: "release-python", command: venvPython, args: [path.join(ROOT, "tests", "e2e", "drivers", "python_driver.py")] }, cloud, environment);
    } finally {
        await cloud.stop();
        removeEnvironment(environment);
    }
});

test("Go: the example with the SDK module resolved from the release's GOPROXY folder at the schema's import path: preview, up, destroy", { timeout: 10 * 60_000 }, async () => {
    // The Go example and its Automation API driver, as a module of its own that requires the SDK by version.
    const module = path.join(scratch, "go-consumer");
    fs.mkdirSync(path.join(module, "workload"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "examples", "go", "workload", "program.go"), path.join(module, "workload", "program.go"));
    const driver = fs.readFileSync(path.join(ROOT, "tests", "e2e", "drivers", "go", "main.go"), "utf8")
        .replace('"github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity/examples/go/workload"', '"consumer/workload"');
    assert.match(driver, /"consumer\/workload"/);
    fs.writeFileSync(path.join(module, "main.go"), driver);
    const sdk = goModulePath();
    const pulumiSdk = /github\.com\/pulumi\/pulumi\/sdk\/v3 (v\S+)/.exec(fs.readFileSync(path.join(ROOT, "examples", "go", "go.mod"), "utf8"))![1];
    fs.writeFileSync(path.join(module, "go.mod"), `module consumer\n\ngo 1.25\n\nrequire (\n\t${sdk} v${VERSION}\n\tgithub.com/pulumi/pulumi/sdk/v3 ${pulumiSdk}\n)\n`);
    const goEnv = { ...process.env, GOPROXY: `file://${path.join(RELEASE, "go")},${sh("go", ["env", "GOPROXY"]).trim()}`, GOSUMDB: "off", GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" };
    sh("go", ["mod", "tidy"], { cwd: module, env: goEnv });
    const binary = path.join(scratch, "go-consumer-driver");
    sh("go", ["build", "-o", binary, "."], { cwd: module, env: goEnv });
    // The SDK compiled in is the release's module, not the repository's sdk/go.
    const resolved = JSON.parse(sh("go", ["list", "-m", "-json", sdk], { cwd: module, env: goEnv }));
    assert.equal(resolved.Version, `v${VERSION}`);
    assert.ok(!resolved.Replace, "no replace directive");
    const cloud = new CloudDouble("prod");
    const environment = consumerEnvironment("release-go", await cloud.start(cluster, "release-go"), pathWithoutNode());
    try {
        await previewUpDestroy({ language: "release-go", command: binary, args: [] }, cloud, environment);
    } finally {
        await cloud.stop();
        removeEnvironment(environment);
    }
});
