import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";

/**
 * The plugin as one JavaScript file (the main script of its single executable), bundled by esbuild from the compiled
 * dist/provider/plugin/main.js and its node_modules. Three changes to what a plain bundle would hold:
 *
 * - TypeScript, npm's arborist and the SDK's typescript-shim get the stand-ins of provider/plugin/lightweight.ts (the
 *   plugin never loads them; in a bundle the Module._load hook does not see bundled requires, so the bundler does it);
 * - the @pulumi/aws and @pulumi/kubernetes indexes keep only the service namespaces the compiled library names
 *   (`aws.iam`, `k8s.core`, ...): each index requires every namespace eagerly, hundreds of them (15 MB of JavaScript
 *   for AWS); everything else in those indexes (lazy top-level members, provider registration) is kept as it is;
 * - schema.json and the credential helper are not read from disk but embedded as SEA assets (provider/packageFiles.ts).
 */

/** The multi-namespace provider SDKs whose indexes are pruned, with the variable names the library imports them as. */
const PRUNED = ["@pulumi/aws", "@pulumi/kubernetes"];

/** Every `.name` the compiled library (dist/provider, without tools) uses: a superset of the namespaces it reaches. */
export function memberNamesUsed(distProvider: string): Set<string> {
    const names = new Set<string>();
    const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (full !== path.join(distProvider, "tools")) walk(full);
            } else if (entry.name.endsWith(".js")) {
                for (const m of fs.readFileSync(full, "utf8").matchAll(/\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
            }
        }
    };
    walk(distProvider);
    return names;
}

/**
 * An SDK index without the `const x = __importStar(require("./x")); exports.x = x;` pairs of namespaces not in
 * `keep`; returns the text and the namespaces dropped. Throws when the index no longer has that shape (a new SDK
 * release), so a silent non-pruning or a broken bundle is impossible.
 */
export function pruneNamespaces(indexText: string, keep: Set<string>): { text: string; dropped: string[] } {
    const dropped: string[] = [];
    const pattern = /^const (\w+) = __importStar\(require\("\.\/(\w+)"\)\);\r?\nexports\.(\w+) = \w+;\r?\n/gm;
    const text = indexText.replace(pattern, (line, variable: string, folder: string, exported: string) => {
        if (variable !== folder || exported !== folder || keep.has(folder)) return line;
        dropped.push(folder);
        return "";
    });
    if (dropped.length === 0) {
        throw new Error("no namespace requires found in the SDK index: its layout changed, update pruneNamespaces");
    }
    return { text, dropped };
}

export interface BundleResult {
    file: string;
    bytes: number;
    dropped: Record<string, string[]>;
}

/** Bundles dist/provider/plugin/main.js (run `tsc` first) into `outFile`. */
export async function bundlePlugin(root: string, outFile: string): Promise<BundleResult> {
    const distProvider = path.join(root, "dist", "provider");
    const lightweight = path.join(distProvider, "plugin", "lightweight.js");
    const keep = memberNamesUsed(distProvider);
    const dropped: Record<string, string[]> = {};
    const prunedIndexes = new Map(PRUNED.map((name) => [path.join(root, "node_modules", name, "index.js"), name]));
    const plugin: esbuild.Plugin = {
        name: "eks-pod-identity-plugin",
        setup(build) {
            build.onResolve({ filter: /^(typescript|@npmcli\/arborist)$|[\\/]typescript-shim$/ }, (args) => ({ path: args.path, namespace: "stand-in" }));
            build.onLoad({ filter: /.*/, namespace: "stand-in" }, (args) => ({
                contents: `module.exports = require(${JSON.stringify(lightweight)}).standIn(${JSON.stringify(args.path)});`,
                resolveDir: root,
                loader: "js",
            }));
            build.onLoad({ filter: /[\\/]node_modules[\\/]@pulumi[\\/](aws|kubernetes)[\\/]index\.js$/ }, (args) => {
                const name = prunedIndexes.get(args.path);
                if (!name) return undefined;
                const pruned = pruneNamespaces(fs.readFileSync(args.path, "utf8"), keep);
                dropped[name] = pruned.dropped;
                return { contents: pruned.text, loader: "js", resolveDir: path.dirname(args.path) };
            });
        },
    };
    const result = await esbuild.build({
        entryPoints: [path.join(distProvider, "plugin", "main.js")],
        outfile: outFile,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        minify: false,
        legalComments: "eof",
        logLevel: "error",
        // Only reached by @npmcli/run-script, which the arborist stand-in keeps from loading.
        external: ["node-gyp/bin/node-gyp.js"],
        plugins: [plugin],
    });
    if (result.errors.length > 0) {
        throw new Error(`esbuild: ${result.errors.map((e) => e.text).join("; ")}`);
    }
    for (const name of PRUNED) {
        if (!dropped[name]) throw new Error(`${name}'s index was not bundled: the pruning did not apply`);
    }
    return { file: outFile, bytes: fs.statSync(outFile).size, dropped };
}
