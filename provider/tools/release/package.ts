import { execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repositoryRoot } from "../schema/generate-schema";
import { bundlePlugin } from "./bundle";
import { archiveName, installNodeBinaries, nodeBinary, pluginArchive, seaBlob, seaExecutable, TARGETS } from "./plugin";
import { releaseStampProblems } from "./versions";

/**
 * `npm run package`: every release artifact of the current version (package.json's) into dist/release/, with
 * SHA256SUMS (sha256sum's format: `sha256sum -c SHA256SUMS` in that folder checks them).
 *
 *   pulumi-eks-pod-identity-<v>.tgz                 the library (npm pack)
 *   pulumi-eks-pod-identity-sdk-<v>.tgz             the generated Node.js SDK, compiled (tests/sdk/check.sh nodejs)
 *   pulumi_eks_pod_identity-<v>-py3-none-any.whl    the generated Python SDK, wheel and sdist (python -m build)
 *   pulumi_eks_pod_identity-<v>.tar.gz
 *   go/<module>/@v/v<v>.{info,mod,zip}, list        the generated Go SDK module, as a GOPROXY=file:// folder
 *   eks-pod-identity-<v>.jar                        the generated Java SDK (Maven, provider/tools/release/java)
 *   pulumi-eks-pod-identity-dotnet-<v>.tar.gz       the generated .NET SDK project, as generated (not built here)
 *   pulumi-resource-eks-pod-identity-v<v>-linux-{amd64,arm64}.tar.gz   the plugin, a single executable per target
 *
 * Refuses to start when any two version stamps disagree (provider/tools/release/versions.ts). Work files go to
 * the git-ignored .sdk-build/release.
 */

const root = repositoryRoot(__dirname);
const packageJson = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const version: string = packageJson.version;
const schema = JSON.parse(fs.readFileSync(path.join(root, "provider", "plugin", "schema.json"), "utf8"));
const out = path.join(root, "dist", "release");
const work = path.join(root, ".sdk-build", "release");

const run = (command: string, args: string[], cwd = root, env: NodeJS.ProcessEnv = process.env): string =>
    execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

function step<T>(label: string, fn: () => T): T {
    const started = Date.now();
    const result = fn();
    console.log(`package: ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
}

/** npm pack of `folder` into the release folder; returns the tarball's name. */
function npmPack(folder: string): string {
    const [packed] = JSON.parse(run("npm", ["pack", folder, "--json", "--ignore-scripts", "--pack-destination", out, "--loglevel=error"]));
    return packed.filename;
}

/** The Go module's import path: the schema's Go importBasePath without the package folders below the module. */
export function goModulePath(): string {
    const goMod = fs.readFileSync(path.join(root, "examples", "go", "sdkmodule", "go.mod"), "utf8");
    return /^module\s+(\S+)/m.exec(goMod)![1];
}

/**
 * The Go SDK as a module in the GOPROXY protocol's file layout ("Go Modules Reference": `$module/@v/list`,
 * `$version.info`, `.mod`, `.zip` whose entries are prefixed `$module@$version/`), so a consumer resolves it with
 * GOPROXY=file://<dist/release/go>,<its usual proxy> and the schema's import path, no replace directive.
 */
function goModule(): void {
    const module = goModulePath();
    const importBase: string = schema.language.go.importBasePath;
    if (!importBase.startsWith(`${module}/`)) {
        throw new Error(`the schema's Go importBasePath ${importBase} is not inside the module ${module} (examples/go/sdkmodule/go.mod)`);
    }
    const folder = importBase.slice(module.length + 1); // go/ekspodidentity
    const dir = path.join(out, "go", ...module.split("/"), "@v");
    fs.mkdirSync(dir, { recursive: true });
    const v = `v${version}`;
    const goMod = fs.readFileSync(path.join(root, "examples", "go", "sdkmodule", "go.mod"), "utf8");
    fs.writeFileSync(path.join(dir, "list"), `${v}\n`);
    fs.writeFileSync(path.join(dir, `${v}.info`), JSON.stringify({ Version: v, Time: "1970-01-01T00:00:00Z" }) + "\n");
    fs.writeFileSync(path.join(dir, `${v}.mod`), goMod);
    const sdkGo = path.join(root, "sdk", "go");
    const files = listFiles(path.join(root, "sdk", folder.split("/")[0])).filter((f) => !f.endsWith(".gitattributes"));
    const entries = [{ name: "go.mod", source: path.join(root, "examples", "go", "sdkmodule", "go.mod") },
        ...files.map((f) => ({ name: path.posix.join(path.relative(path.join(sdkGo, ".."), f).split(path.sep).join("/")), source: f }))];
    // Python's zipfile: no zip tool is needed, and entries get a fixed time so the zip is reproducible.
    const script = `import json,sys,zipfile
entries,prefix,target=json.loads(sys.argv[1]),sys.argv[2],sys.argv[3]
with zipfile.ZipFile(target,"w",zipfile.ZIP_DEFLATED) as z:
    for e in sorted(entries,key=lambda e:e["name"]):
        info=zipfile.ZipInfo(prefix+e["name"],(1980,1,1,0,0,0)); info.compress_type=zipfile.ZIP_DEFLATED
        z.writestr(info,open(e["source"],"rb").read())`;
    run("python3", ["-c", script, JSON.stringify(entries), `${module}@${v}/`, path.join(dir, `${v}.zip`)]);
}

function listFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]).sort();
}

function pythonSdk(): void {
    const venv = path.join(root, ".venv-release");
    run("sh", ["tests/support/pinned-venv.sh", venv, "provider/tools/release/python-build.txt", "release: python -m build",
        "import importlib.metadata as m; print('release: build', m.version('build'), '/ setuptools', m.version('setuptools'))"]);
    // From a copy: an in-tree build leaves build/ and *.egg-info in sdk/python.
    const source = path.join(work, "python-src");
    fs.rmSync(source, { recursive: true, force: true });
    fs.cpSync(path.join(root, "sdk", "python"), source, { recursive: true });
    run(path.join(venv, "bin", "python"), ["-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", out, source]);
}

function javaSdk(): void {
    const project = path.join(work, "java");
    fs.rmSync(project, { recursive: true, force: true });
    fs.cpSync(path.join(root, "provider", "tools", "release", "java"), project, { recursive: true });
    run("mvn", ["-B", "-q", "--no-transfer-progress", "-Dstyle.color=never", "-Dmaven.test.skip=true",
        `-Deks-pod-identity.version=${version}`, `-Deks-pod-identity.server=${schema.pluginDownloadURL}`,
        `-Dsdk.sources=${path.join(root, "sdk", "java", "src", "main", "java")}`, "package"], project);
    fs.copyFileSync(path.join(project, "target", `eks-pod-identity-${version}.jar`), path.join(out, `eks-pod-identity-${version}.jar`));
}

function dotnetSdk(): void {
    run("tar", ["--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--sort=name", "-czf",
        path.join(out, `pulumi-eks-pod-identity-dotnet-${version}.tar.gz`), "-C", path.join(root, "sdk"), "dotnet"]);
}

async function plugins(): Promise<void> {
    installNodeBinaries(root);
    const bundle = await bundlePlugin(root, path.join(work, "plugin.js"));
    console.log(`package: plugin bundle ${(bundle.bytes / 1e6).toFixed(1)} MB (${Object.entries(bundle.dropped).map(([p, d]) => `${d.length} namespaces of ${p} left out`).join(", ")})`);
    const host = TARGETS.find((t) => t.nodePackage === `node-${os.platform()}-${os.arch()}`);
    const blob = seaBlob(root, bundle.file, work, host ? nodeBinary(root, host) : process.execPath);
    await Promise.all(TARGETS.map(async (target) => {
        const folder = path.join(work, `plugin-${target.os}-${target.arch}`);
        fs.rmSync(folder, { recursive: true, force: true });
        await seaExecutable(root, target, blob, folder);
        await pluginArchive(root, folder, path.join(out, archiveName(version, target)));
    }));
}

function checksums(): void {
    const lines = listFiles(out)
        .filter((f) => path.basename(f) !== "SHA256SUMS")
        .map((f) => `${crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex")}  ${path.relative(out, f).split(path.sep).join("/")}`);
    fs.writeFileSync(path.join(out, "SHA256SUMS"), lines.join("\n") + "\n");
}

async function main(): Promise<void> {
    const problems = releaseStampProblems(root);
    if (problems.length > 0) {
        throw new Error(`the version stamps disagree (bump package.json's version, run \`npm run sdk\`, update the hand-kept copies):\n  ${problems.join("\n  ")}`);
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    fs.mkdirSync(work, { recursive: true });
    step("library npm tarball", () => npmPack(root));
    step("Node.js SDK npm tarball", () => {
        run("bash", ["tests/sdk/check.sh", "nodejs"]);
        return npmPack(path.join(root, ".sdk-build", "nodejs"));
    });
    step("Python SDK wheel and sdist", pythonSdk);
    step("Go SDK module", goModule);
    step("Java SDK jar", javaSdk);
    step(".NET SDK project", dotnetSdk);
    const started = Date.now();
    await plugins();
    console.log(`package: plugin archives (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    checksums();
    console.log(`package: ${path.relative(root, out)}/ holds ${listFiles(out).length} files for version ${version}`);
}

if (require.main === module) {
    main().catch((error) => {
        console.error(`package: ${error instanceof Error ? error.message : error}`);
        process.exit(1);
    });
}
