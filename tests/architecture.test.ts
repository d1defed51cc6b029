import test from "ava";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { notProduct, REQUIRED_FILES } from "./support/npmPackage";

/**
 * The tree is the architecture: the library (everything under provider/ but provider/tools) imports nothing from the
 * tooling, the tests or the examples; no module imports itself back through others; the README's architecture map
 * names exactly the folders there are; and the npm package holds the product only.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const PROVIDER = path.join(ROOT, "provider");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return sourceFiles(full);
        }
        return /\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [full] : [];
    });
}

/** Relative imports of a module (import, export from, import type, require, dynamic import), resolved to files. */
function importsOf(file: string): string[] {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    return info.importedFiles
        .map((ref) => ref.fileName)
        .filter((name) => name.startsWith("."))
        .map((name) => {
            const base = path.resolve(path.dirname(file), name);
            const candidates = [base, `${base}.ts`, path.join(base, "index.ts")];
            const found = candidates.find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
            if (!found) {
                throw new Error(`${path.relative(ROOT, file)} imports ${name}, which does not resolve`);
            }
            return found;
        });
}

const relative = (file: string) => path.relative(ROOT, file);
const isTooling = (file: string) => file.startsWith(path.join(PROVIDER, "tools") + path.sep);
const libraryFiles = sourceFiles(PROVIDER).filter((file) => !isTooling(file));
const graph = new Map(sourceFiles(PROVIDER).map((file) => [file, importsOf(file)]));

/** Strongly connected components with more than one module, or a module importing itself (Tarjan's algorithm). */
function cycles(edges: Map<string, string[]>): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const found: string[][] = [];
    const visit = (node: string): void => {
        index.set(node, counter);
        low.set(node, counter);
        counter++;
        stack.push(node);
        onStack.add(node);
        for (const next of edges.get(node) ?? []) {
            if (!index.has(next)) {
                visit(next);
                low.set(node, Math.min(low.get(node)!, low.get(next)!));
            } else if (onStack.has(next)) {
                low.set(node, Math.min(low.get(node)!, index.get(next)!));
            }
        }
        if (low.get(node) === index.get(node)) {
            const component: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                component.push(member);
            } while (member !== node);
            if (component.length > 1 || (edges.get(node) ?? []).includes(node)) {
                found.push(component.map(relative).sort());
            }
        }
    };
    for (const node of edges.keys()) {
        if (!index.has(node)) {
            visit(node);
        }
    }
    return found;
}

test("no import cycles under provider/", (t) => {
    t.true(graph.size > 40, `${graph.size} modules read`);
    t.deepEqual(cycles(graph), []);
});

test("the cycle check finds a cycle when there is one", (t) => {
    const edges = new Map([
        ["/a.ts", ["/b.ts"]],
        ["/b.ts", ["/c.ts"]],
        ["/c.ts", ["/a.ts"]],
        ["/d.ts", ["/a.ts"]],
    ]);
    t.deepEqual(cycles(edges).map((c) => c.length), [3]);
});

test("the library imports nothing from the tooling, the tests or the examples", (t) => {
    const offending = libraryFiles.flatMap((file) =>
        graph.get(file)!.filter((target) => isTooling(target) || !target.startsWith(PROVIDER + path.sep)).map((target) => `${relative(file)} → ${relative(target)}`),
    );
    t.deepEqual(offending, []);
});

test("the library loads no TypeScript at run time", (t) => {
    const offending = libraryFiles.filter((file) => ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles.some((ref) => ref.fileName === "typescript"));
    t.deepEqual(offending.map(relative), []);
});

test("no library module shares its name with a data file beside it (a loader of sources would load the data instead)", (t) => {
    // Node.js resolves `require("./schema")` to schema.js, then schema.json, and only then to extensions a TypeScript
    // loader adds: run from source (ts-node, as the Node.js language host runs a source plugin), a schema.ts beside
    // schema.json was never loaded and its importers saw the JSON document.
    const shadowed = sourceFiles(PROVIDER).filter((file) => [".json", ".js", ".node"].some((ext) => fs.existsSync(file.replace(/\.ts$/, ext))));
    t.deepEqual(shadowed.map(relative), []);
});

/** The folders the README's "Architecture" map names, from its tree lines (`provider/iam/   IAM documents …`). */
function mappedFolders(): string[] {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = /## Architecture\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? "";
    const tree = /```text\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const folders: string[] = [];
    const stack: string[] = [];
    for (const line of tree.split("\n")) {
        const m = /^( *)([\w.-]+)\/(?=\s|$)/.exec(line);
        if (!m) {
            continue;
        }
        const depth = m[1].length / 2;
        stack.length = depth;
        stack[depth] = m[2];
        folders.push(stack.join("/"));
    }
    return folders.sort();
}

/** Folders of provider/ and their subfolders, leaving out empty ones (git keeps none, a checkout may). */
function actualFolders(): string[] {
    const holdsFiles = (dir: string): boolean =>
        fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).some((entry) => !entry.isDirectory() || holdsFiles(`${dir}/${entry.name}`));
    const listed = (dir: string): string[] =>
        fs
            .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
            .filter((entry) => entry.isDirectory() && holdsFiles(`${dir}/${entry.name}`))
            .flatMap((entry) => [`${dir}/${entry.name}`, ...(dir.split("/").length < 2 ? listed(`${dir}/${entry.name}`) : [])]);
    return listed("provider").sort();
}

test("the README's architecture map names every folder of provider/, and only those", (t) => {
    const mapped = mappedFolders();
    t.true(mapped.length > 10, "the map was found");
    t.deepEqual(mapped.filter((folder) => folder.startsWith("provider/")), actualFolders());
});

/** What `npm pack` would put in the published package. */
function packedFiles(): string[] {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path).sort();
}

test("the npm package holds the product only: library JS and types, the plugin, its schema, the helper scripts, README, LICENSE", (t) => {
    const files = packedFiles();
    t.deepEqual(notProduct(files), [], "files that are not the product");
    for (const needed of REQUIRED_FILES) {
        t.true(files.includes(needed), `${needed} is packed`);
    }
    // Every compiled library module is packed: what the library loads at run time is in the package.
    const compiled = libraryFiles.map((file) => path.join("dist", relative(file)).replace(/\.ts$/, ".js"));
    t.deepEqual(compiled.filter((file) => !files.includes(file)), []);
});
