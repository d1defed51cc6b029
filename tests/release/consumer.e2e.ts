/**
 * Release consumer tests: what an application team outside this repository gets from `npm run package` alone.
 * Everything runs in temporary folders outside the repository, from dist/release/ and the real CLI in bin/ (plus
 * the test doubles: the aws double attached with PULUMI_DEBUG_PROVIDERS, the real Kubernetes provider on the test
 * cluster). Our plugin is never on PATH nor in PULUMI_DEBUG_PROVIDERS: the engine must find it in the plugin cache,
 * installed by `pulumi plugin install resource eks-pod-identity <version> --file <archive>`.
 *
 *   npm run package && npm run cluster -- node --test dist/tests/release/consumer.e2e.js
 *   npm run cluster -- npm run test:release      (the same after `tsc`, as `npm test` runs it)
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
import { notProduct, REQUIRED_FILES } from "../support/npmPackage";

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
    // No symbol table or DWARF: the link is most of this build's time (the packages come from the build cache).
    sh("go", ["build", "-ldflags=-s -w", "-o", binary, "."], { cwd: module, env: goEnv });
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

/**
 * The README's quick start as an inline program: its imports, then its statements in `program()`. The
 * `eks.Cluster` stands for the user's cluster, which cannot be created here (it needs the EKS plugin and AWS):
 * its name and ARN come from stack configuration instead, and the Kubernetes provider is the default one
 * (KUBECONFIG, the test cluster). Everything else is the README's code as written.
 */
export function quickStartProgram(readme: string): string {
    const block = /## Quick start \(TypeScript\)\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(block, "the README has a TypeScript quick start");
    const body = block
        .replace('import * as eks from "@pulumi/eks";\n', "")
        .replace('const cluster = new eks.Cluster("apps");\n', 'const config = new pulumi.Config();\n')
        .replace("cluster.eksCluster.name", 'config.require("clusterName")')
        .replace("cluster.eksCluster.arn", 'config.require("clusterArn")')
        .replace(", { providers: { kubernetes: cluster.provider } }", "");
    assert.doesNotMatch(body, /\b(eks|cluster)\./, "every use of the stand-in cluster was replaced (did the quick start change?)");
    const lines = body.trimEnd().split("\n");
    const imports = lines.filter((l) => l.startsWith("import "));
    const statements = lines.filter((l) => !l.startsWith("import "));
    return [`import * as pulumi from "@pulumi/pulumi";`, ...imports, "", "export function program(): void {", ...statements.map((l) => `    ${l}`), "}", ""].join("\n");
}

test("TypeScript: the library tarball holds the product only; a fresh project installs it and previews the README's quick start", { timeout: 10 * 60_000 }, async () => {
    const tarball = path.join(RELEASE, `pulumi-eks-pod-identity-${VERSION}.tgz`);
    const entries = sh("tar", ["tzf", tarball]).trim().split("\n").map((e) => e.replace(/^package\//, "")).sort();
    assert.deepEqual(notProduct(entries), [], "files that are not the product");
    for (const needed of REQUIRED_FILES) assert.ok(entries.includes(needed), `${needed} is in the tarball`);

    const project = path.join(scratch, "ts-consumer");
    fs.mkdirSync(project);
    const pinned = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({
        name: "ts-consumer",
        private: true,
        dependencies: { "pulumi-eks-pod-identity": `file:${tarball}` },
        devDependencies: { typescript: pinned("typescript"), "@types/node": pinned("@types/node") },
    }, null, 2));
    sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: project });
    fs.writeFileSync(path.join(project, "program.ts"), quickStartProgram(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")));
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
        compilerOptions: { target: "ES2020", module: "commonjs", strict: true, outDir: "bin", skipLibCheck: true },
        files: ["program.ts"],
    }));
    sh(path.join(project, "node_modules", ".bin", "tsc"), ["-p", project]);
    // The library resolves from the project's node_modules (the tarball), not from this repository.
    const resolved = sh(process.execPath, ["-p", 'require.resolve("pulumi-eks-pod-identity")'], { cwd: project }).trim();
    assert.ok(resolved.startsWith(path.join(project, "node_modules")), resolved);

    const cloud = new CloudDouble("prod");
    const environment = stackEnvironment("release-typescript", await cloud.start(cluster, "release-typescript"));
    environment.env.PATH = [BIN, ...(process.env.PATH ?? "").split(path.delimiter)].join(path.delimiter);
    Object.assign(environment.env, { E2E_PROGRAM: path.join(project, "bin", "program.js"), E2E_PROGRAM_DIR: project });
    try {
        const driver = { language: "release-typescript", command: process.execPath, args: [path.join(ROOT, "dist", "tests", "e2e", "drivers", "node.js"), "program"] };
        const mark = cloud.mark();
        const preview = await runDriver(driver, environment, "preview", { ...baseConfig(cloud), namespace: "orders" });
        assert.equal(applied(cloud.since(mark), "Create").length, 0, "a preview creates nothing");
        assert.ok((preview.changes.create ?? 0) >= 7, `the quick start plans the component and its children: ${JSON.stringify(preview.changes)}\n${preview.log}`);
        assert.match(preview.log, /eks-pod-identity:index:PodIdentityWorkload|PodIdentityWorkload/);
    } finally {
        await cloud.stop();
        removeEnvironment(environment);
    }
});

test("pulumi package add with the extracted plugin's executable: a YAML project records the package; a Python project gets a local SDK that imports", { timeout: 5 * 60_000 }, () => {
    const folder = path.join(scratch, "package-add-plugin");
    fs.mkdirSync(folder);
    sh("tar", ["xzf", HOST_ARCHIVE, "-C", folder]);
    const executable = path.join(folder, PLUGIN_EXECUTABLE);
    const env = {
        PATH: [BIN, ...pathWithoutNode()].join(path.delimiter),
        HOME: scratch,
        PULUMI_HOME: path.join(scratch, "package-add-home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    // YAML (the language host built from pulumi-yaml): the whole command succeeds.
    const yamlProject = path.join(scratch, "package-add-yaml");
    fs.mkdirSync(yamlProject);
    fs.writeFileSync(path.join(yamlProject, "Pulumi.yaml"), "name: package-add-yaml\nruntime: yaml\n");
    sh(path.join(BIN, "pulumi"), ["package", "add", executable], { cwd: yamlProject, env });
    assert.match(fs.readFileSync(path.join(yamlProject, "Pulumi.yaml"), "utf8"), new RegExp(`packages:\\n\\s+eks-pod-identity: eks-pod-identity@${VERSION.replace(/\./g, "\\.")}`));

    // Python: the SDK is generated into sdks/; the command then fails at linking it into the project only because
    // bin/pulumi-language-python is this repository's code-generation host (provider/tools/toolchain/codegenhost),
    // which implements no Link. The generated SDK is installed by hand, as the CLI's own message says to.
    const pythonProject = path.join(scratch, "package-add-python");
    fs.mkdirSync(pythonProject);
    fs.writeFileSync(path.join(pythonProject, "Pulumi.yaml"), "name: package-add-python\nruntime: python\n");
    let linkError = "";
    try {
        execFileSync(path.join(BIN, "pulumi"), ["package", "add", executable], { cwd: pythonProject, env, encoding: "utf8", stdio: "pipe" });
    } catch (error: any) {
        linkError = `${error.stdout}${error.stderr}`;
    }
    assert.match(linkError, /Successfully generated an SDK for the eks-pod-identity package/);
    assert.match(linkError, /linking package: method Link not implemented/, "the only failure is the code-generation host's missing Link");
    const generated = path.join(pythonProject, "sdks", "eks-pod-identity");
    // Into a folder of its own, put first on the consumer venv's path (its pulumi; the wheel's copy is shadowed).
    const target = path.join(scratch, "package-add-site");
    sh(venvPython, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--target", target, generated]);
    const imported = sh(venvPython, ["-c", "import json, importlib.resources as r, pulumi_eks_pod_identity as m; print(json.dumps({'file': m.__file__, 'classes': [c for c in ('PodIdentityWorkload', 'PodIdentityAgent', 'CrossAccountRole') if hasattr(m, c)], 'plugin': json.loads(r.files(m).joinpath('pulumi-plugin.json').read_text())}))"], { env: { ...process.env, PYTHONPATH: target } });
    const result = JSON.parse(imported);
    assert.ok(result.file.startsWith(target), `the generated SDK was imported: ${result.file}`);
    assert.deepEqual(result.classes, ["PodIdentityWorkload", "PodIdentityAgent", "CrossAccountRole"]);
    assert.equal(result.plugin.version, VERSION);
    assert.equal(result.plugin.server, "github://api.github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity");
});
