#!/usr/bin/env node
// Generates the SDKs of the component provider from the committed provider/plugin/schema.json with the toolchain built by
// build.sh (`bin/pulumi package gen-sdk … --language <l>`), one folder per language under sdk/.
//
//   node provider/tools/toolchain/gen-sdk.mjs            regenerate sdk/<language> for every language (npm run sdk)
//   node provider/tools/toolchain/gen-sdk.mjs --check    generate into a temporary folder and fail, listing every file,
//                                                  when the committed sdk/ differs (npm run test:sdk)
//   … --language go                                one language only (repeatable)
//
// PULUMI_HOME is the git-ignored .pulumi/home; no plugin is downloaded (the schema has no external references).
// .NET: the generator downloads the package icon from pkg.logoUrl, or from GitHub when the schema has none, which
// cannot be reached here; for that language the schema is handed over with logoUrl pointing at a loopback server
// that serves provider/tools/toolchain/sdk-logo.png (the URL itself is written nowhere in the generated files).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
const bin = path.join(root, "bin");
const schemaPath = path.join(root, "provider", "plugin", "schema.json");
const sdkDir = path.join(root, "sdk");
const allLanguages = ["nodejs", "python", "go", "dotnet", "java"];

const argv = process.argv.slice(2);
const check = argv.includes("--check");
const languages = argv.flatMap((a, i) => (argv[i - 1] === "--language" ? [a] : []));
const selected = languages.length > 0 ? languages : allLanguages;
for (const l of selected) {
    if (!allLanguages.includes(l)) fail(`unknown language ${l}: one of ${allLanguages.join(", ")}`);
}

function fail(message) {
    console.error(`gen-sdk: ${message}`);
    process.exit(1);
}

for (const tool of ["pulumi", ...selected.map((l) => `pulumi-language-${l}`)]) {
    if (!fs.existsSync(path.join(bin, tool))) fail(`bin/${tool} is missing: run \`npm run toolchain\` first`);
}

const env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    PULUMI_HOME: path.join(root, ".pulumi", "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
};

async function withLogoServer(fn) {
    const logo = fs.readFileSync(path.join(here, "sdk-logo.png"));
    const server = http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "image/png", "content-length": logo.length });
        res.end(logo);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
        return await fn(`http://127.0.0.1:${server.address().port}/logo.png`);
    } finally {
        server.close();
    }
}

// Asynchronous on purpose: the .NET generator fetches the logo from this process's own server, which a blocking
// spawnSync would never let answer.
function genSdk(language, schema, out) {
    const started = process.hrtime.bigint();
    return new Promise((resolve) => {
        const child = spawn(path.join(bin, "pulumi"),
            ["package", "gen-sdk", schema, "--language", language, "--out", out],
            { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("close", (status) => {
            if (status !== 0) fail(`gen-sdk --language ${language} failed (exit ${status}):\n${output}`);
            resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
    });
}

function listFiles(dir, prefix = "") {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(prefix, e.name);
        return e.isDirectory() ? listFiles(path.join(dir, e.name), rel) : [rel];
    }).sort();
}

function diffTrees(expected, actual) {
    const problems = [];
    const a = new Set(listFiles(actual));
    const e = new Set(listFiles(expected));
    for (const f of e) {
        if (!a.has(f)) problems.push(`missing from sdk/: ${f}`);
        else if (!fs.readFileSync(path.join(expected, f)).equals(fs.readFileSync(path.join(actual, f)))) {
            problems.push(`differs: ${f}`);
        }
    }
    for (const f of a) if (!e.has(f)) problems.push(`not generated (hand-added?): ${f}`);
    return problems;
}

const out = check ? fs.mkdtempSync(path.join(os.tmpdir(), "gen-sdk-")) : sdkDir;
const timings = {};
try {
    await withLogoServer(async (logoUrl) => {
        const spec = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
        let dotnetSchema = schemaPath;
        if (selected.includes("dotnet") && !spec.logoUrl) {
            dotnetSchema = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gen-sdk-schema-")), "schema.json");
            fs.writeFileSync(dotnetSchema, JSON.stringify({ ...spec, logoUrl }, null, 2));
        }
        try {
            for (const language of selected) {
                timings[language] = await genSdk(language, language === "dotnet" ? dotnetSchema : schemaPath, out);
            }
        } finally {
            if (dotnetSchema !== schemaPath) fs.rmSync(path.dirname(dotnetSchema), { recursive: true, force: true });
        }
    });
    console.log(`gen-sdk (${check ? "check" : "sdk/"}): ` +
        Object.entries(timings).map(([l, ms]) => `${l} ${(ms / 1000).toFixed(2)} s`).join(", "));
    if (check) {
        const problems = selected.flatMap((l) =>
            diffTrees(path.join(out, l), path.join(sdkDir, l)).map((p) => `sdk/${l}: ${p}`));
        if (problems.length > 0) {
            fail(`the committed SDKs differ from a fresh generation from provider/plugin/schema.json ` +
                `(run \`npm run sdk\` and commit; never edit sdk/ by hand):\n  ${problems.join("\n  ")}`);
        }
        console.log(`gen-sdk: sdk/{${selected.join(",")}} match provider/plugin/schema.json`);
    }
} finally {
    if (check) fs.rmSync(out, { recursive: true, force: true });
}
