import * as fs from "fs";
import * as path from "path";

/**
 * Files of the package that the library reads at run time (the plugin's schema, the cross-account credential
 * helper script, the init container's wait script), by their path from the repository root.
 *
 * From the npm package or a clone, they are read from the package folder (this module runs from dist/provider).
 * In the release plugin, a Node.js single-executable application (`npm run package`), there is no package folder:
 * the same files are embedded as SEA assets under the same relative paths ("Single executable applications",
 * Node.js documentation: `sea.getAsset(key, encoding)`), so the executable alone is the whole plugin.
 */

let packageRoot: string | undefined;
/**
 * The package root: the nearest folder above this module that holds a package.json. Compiled, this module runs from
 * dist/provider (two levels down); loaded from source by a TypeScript loader (ts-node, as the Node.js language host
 * runs a source plugin), from provider/ (one level down).
 */
function packageRootFolder(): string {
    if (packageRoot === undefined) {
        let folder = __dirname;
        while (!fs.existsSync(path.join(folder, "package.json")) && path.dirname(folder) !== folder) {
            folder = path.dirname(folder);
        }
        packageRoot = folder;
    }
    return packageRoot;
}

/** The files that must ship with the code: the release build embeds exactly these. */
export const PACKAGE_FILES = [
    "provider/plugin/schema.json",
    "provider/crossAccount/credential-process.sh",
    "provider/agent/wait-for-credentials.sh",
] as const;
export type PackageFile = (typeof PACKAGE_FILES)[number];

/** Where a package file is on disk when the library runs from a package folder. */
export function packageFilePath(file: PackageFile): string {
    return path.join(packageRootFolder(), ...file.split("/"));
}

interface SeaModule {
    isSea(): boolean;
    getAsset(key: string, encoding: "utf8"): string;
}

let sea: SeaModule | undefined | null;
/** node:sea when this process is a single-executable application (Node.js 20.12+), else undefined. */
function seaIfEmbedded(): SeaModule | undefined {
    if (sea === undefined) {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const candidate = require("node:sea") as SeaModule;
            sea = candidate.isSea() ? candidate : null;
        } catch {
            sea = null; // Node.js before 20.12 has no node:sea: never a single executable
        }
    }
    return sea ?? undefined;
}

/** A package file's text: the embedded asset in the single executable, else the file in the package folder. */
export function readPackageFile(file: PackageFile): string {
    const embedded = seaIfEmbedded();
    return embedded ? embedded.getAsset(file, "utf8") : fs.readFileSync(packageFilePath(file), "utf8");
}
