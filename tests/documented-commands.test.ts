import test from "ava";
import * as fs from "fs";
import * as path from "path";

/**
 * A command the documentation gives that nothing runs rots unnoticed (a benchmark that stopped at its first line
 * went unseen until someone measured). So every `npm run <script>` the docs name must be reached from CI's entry
 * point, `.ci/run`, following package.json's scripts and the shell scripts they start, or be listed below with the
 * mode of the same tool that CI runs instead (writing files in CI would change the clone it checks).
 */

const ROOT = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const scripts: Record<string, string> = JSON.parse(read("package.json")).scripts;

/** Scripts CI runs in another mode of the same tool, and the command text that must be reached for each. */
const RUN_AS: Record<string, { reached: string; why: string }> = {
    schema: { reached: "generate-schema.js --check", why: "the generator in check mode: CI must not rewrite the schema" },
    sdk: { reached: "gen-sdk.mjs --check", why: "the generator in check mode: CI must not rewrite the SDKs" },
    package: { reached: "dist/provider/tools/release/package.js", why: "test:release runs the packager after its tsc" },
    toolchain: { reached: "provider/tools/toolchain/build.sh", why: "the pretest and the suites run build.sh by parts" },
    build: { reached: "tsc -p .", why: "every suite compiles first" },
    cluster: { reached: "dist/tests/cluster/withCluster.js", why: "npm test runs the suites inside the cluster" },
};

/** The docs a user or contributor reads: every Markdown file outside dependencies and build output. */
function documents(folder = ROOT): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) {
            return /^(node_modules|dist|out|bin|sdk|\..*)$/.test(entry.name) ? [] : documents(full);
        }
        return entry.name.endsWith(".md") ? [path.relative(ROOT, full)] : [];
    });
}

/** The scripts a text names (`npm run test:<suite>`, a placeholder, names none). */
export function documentedScripts(text: string): string[] {
    return [...text.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]).filter((name) => !name.endsWith(":"));
}

/** Everything CI executes, as text: `.ci/run`, then each npm script and shell script it names, transitively. */
export function reachedFrom(entry: string, scriptsByName: Record<string, string>, readFile: (file: string) => string | undefined): { scripts: Set<string>; text: string } {
    const reachedScripts = new Set<string>();
    const files = new Set<string>();
    let text = "";
    const visit = (chunk: string) => {
        text += `\n${chunk}`;
        const named = [...chunk.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]);
        if (/\bnpm (test|t)\b/.test(chunk)) named.push("pretest", "test");
        for (const name of named) {
            if (!reachedScripts.has(name) && scriptsByName[name] !== undefined) {
                reachedScripts.add(name);
                visit(scriptsByName[name]);
            }
        }
        for (const [, file] of chunk.matchAll(/\b(?:sh|bash) ((?:tests|provider|\.ci)\/[\w./-]+\.sh)/g)) {
            const content = files.has(file) ? undefined : readFile(file);
            files.add(file);
            if (content !== undefined) visit(content);
        }
    };
    visit(readFile(entry) ?? "");
    return { scripts: reachedScripts, text };
}

const reached = reachedFrom(".ci/run", scripts, (file) => (fs.existsSync(path.join(ROOT, file)) ? read(file) : undefined));

test("every npm script the docs name is run by CI, or its check mode is", (t) => {
    const docs = documents();
    t.true(docs.includes("README.md"));
    const unreached: string[] = [];
    for (const doc of docs) {
        for (const name of documentedScripts(read(doc))) {
            t.truthy(scripts[name], `${doc} names \`npm run ${name}\`, which package.json does not define`);
            const alternative = RUN_AS[name];
            const ran = reached.scripts.has(name) || (alternative !== undefined && reached.text.includes(alternative.reached));
            if (!ran) unreached.push(`${doc}: npm run ${name}`);
        }
    }
    t.deepEqual(unreached, [], "documented commands CI never runs");
});

test("the benchmarks run by name in CI (smoke mode), not only their check modes", (t) => {
    for (const name of ["bench", "bench:credentials", "bench:portal"]) {
        t.true(reached.scripts.has(name), `CI runs npm run ${name}`);
    }
});

test("the reach check follows scripts and shell files, and misses what nothing names", (t) => {
    const files: Record<string, string> = { ".ci/run": "npm ci && npm test", "tests/suites.sh": "npm run a\n" };
    const result = reachedFrom(".ci/run", { pretest: "sh tests/setup.sh", test: "sh tests/suites.sh", a: "node a.js && npm run b", b: "x", orphan: "y" }, (f) => files[f]);
    t.deepEqual([...result.scripts].sort(), ["a", "b", "pretest", "test"]);
    t.false(result.scripts.has("orphan"));
});
