import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineDouble, ProviderProcess, Registration } from "../../support/engineDouble";
import { repositoryRoot } from "../../../provider/tools/schema/generate-schema";
import { referenceCommand, writeReferencePlugin } from "./reference";
import { archiveName, PLUGIN_EXECUTABLE } from "../../../provider/tools/release/plugin";
import { wholeNumbers } from "../options";
import { clusterArnOf, podIdentityAssociationArnOf, providerIdOf, roleArnOf } from "../../support/awsIds";

/**
 * `npm run bench` (not part of the tests): prints a table and writes out/bench/results.json.
 *
 * 1. Cold start of the provider plugin against the engine double: spawn → port printed, → first GetSchema answered,
 *    → first Construct (the quick-start workload) answered, and the provider's RSS then; side by side with the same
 *    components served by the SDK's inferring host (`componentProviderHost`, started as the language host does).
 * 2. Registration throughput: 1, 10, 100, 1000 quick-start workloads in one program against the engine double over
 *    gRPC, through the component and written by hand with raw @pulumi/aws + @pulumi/kubernetes.
 * 3. The quick-start workload's critical path (the longest chain of resources created one after another) against
 *    the minimum its dependencies allow.
 *
 * Options: --runs N (cold-start runs of our provider, default 5), --reference-runs N (default 2),
 * --counts 1,10,100,1000, --no-reference; --smoke (one run of each, counts 1,10: what `npm test` runs so the command
 * cannot rot; its figures are not measurements).
 */

const ROOT = repositoryRoot(__dirname);
const WORKLOAD = "eks-pod-identity:index:PodIdentityWorkload";
const QUICK_START = {
    clusterName: "prod",
    namespace: "orders",
    policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }],
    workload: { image: "nginx:1.27", runAsUser: 1000 },
};

function engineOptions() {
    return {
        answer: ({ type, name, inputs }: { type: string; name: string; inputs: Record<string, any> }) => {
            if (type === "aws:iam/role:Role") {
                const roleName = `${name}-abc1234`;
                return { id: roleName, state: { ...inputs, name: roleName, arn: roleArnOf(roleName) } };
            }
            if (type === "aws:eks/podIdentityAssociation:PodIdentityAssociation") {
                return { id: providerIdOf.podIdentityAssociation(inputs.clusterName, "a-1"), state: { ...inputs, associationId: "a-1", associationArn: podIdentityAssociationArnOf(inputs.clusterName, "a-1") } };
            }
            return { id: `${name}-id`, state: inputs };
        },
        invoke: (token: string, args: Record<string, any>) => {
            if (token === "aws:eks/getCluster:getCluster") {
                return { name: args.name, arn: clusterArnOf(args.name), version: "1.31" };
            }
            return { version: "v1.3.4-eksbuild.1" };
        },
    };
}

interface ColdStart {
    host: string;
    portMs: number;
    schemaMs: number;
    constructMs: number;
    rssMb: number;
    resources: number;
}

async function coldStart(host: string, command: string[] | undefined, cwd?: string): Promise<{ result: ColdStart; registrations: Registration[] }> {
    const engine = await EngineDouble.start(engineOptions());
    const started = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - started) / 1e6;
    const provider = await ProviderProcess.spawn(engine, command, { cwd });
    const portMs = since();
    try {
        await provider.getSchema();
        const schemaMs = since();
        await provider.construct(engine, WORKLOAD, "orders", QUICK_START);
        const constructMs = since();
        const rssMb = provider.rssMb();
        return { result: { host, portMs, schemaMs, constructMs, rssMb, resources: engine.registrations.length }, registrations: engine.registrations };
    } catch (e) {
        throw new Error(`${host}: ${(e as Error).message}\n${provider.stderrText}`, { cause: e });
    } finally {
        await provider.kill();
        await engine.close();
    }
}

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function summarize(runs: ColdStart[]): ColdStart & { runs: number } {
    return {
        host: runs[0].host,
        portMs: median(runs.map((r) => r.portMs)),
        schemaMs: median(runs.map((r) => r.schemaMs)),
        constructMs: median(runs.map((r) => r.constructMs)),
        rssMb: median(runs.map((r) => r.rssMb)),
        resources: runs[0].resources,
        runs: runs.length,
    };
}

interface Throughput {
    variant: "component" | "raw";
    count: number;
    ms: number;
    msPerWorkload: number;
    rssMb: number;
    registrations: number;
}

async function throughput(variant: "component" | "raw", count: number): Promise<Throughput> {
    const engine = await EngineDouble.start(engineOptions());
    try {
        const program = path.join(__dirname, "program.js");
        const output = await new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, [program, variant, String(count), engine.address], { stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            let err = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (err += d));
            child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${variant} x${count} failed (${code}):\n${err}`))));
        });
        const line = JSON.parse(output.trim().split("\n").pop()!);
        const registrations = engine.registrations.filter((r) => r.custom).length;
        return { variant, count, ms: line.ms, msPerWorkload: line.ms / count, rssMb: line.rssMb, registrations };
    } finally {
        await engine.close();
    }
}

/** The longest chain of custom resources where each must wait for the previous, and the parallel waves. */
export function criticalPath(registrations: Registration[], keep: (from: Registration, to: Registration) => boolean = () => true): { length: number; chain: string[]; waves: string[][] } {
    const custom = registrations.filter((r) => r.custom);
    const byUrn = new Map(registrations.map((r) => [r.urn, r]));
    const descendantsOf = (urn: string): Registration[] => registrations.filter((r) => r.parent === urn).flatMap((r) => (r.custom ? [r] : descendantsOf(r.urn)));
    const predecessors = new Map<string, Registration[]>();
    for (const r of custom) {
        const urns = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
        urns.delete(r.parent ?? "");
        const before = [...urns].flatMap((urn) => {
            const dep = byUrn.get(urn);
            return !dep ? [] : dep.custom ? [dep] : descendantsOf(dep.urn);
        });
        predecessors.set(r.urn, before.filter((dep) => keep(dep, r)));
    }
    const depth = new Map<string, { length: number; chain: string[] }>();
    const visit = (r: Registration): { length: number; chain: string[] } => {
        const known = depth.get(r.urn);
        if (known) {
            return known;
        }
        const longest = (predecessors.get(r.urn) ?? []).map(visit).sort((a, b) => b.length - a.length)[0];
        const result = { length: (longest?.length ?? 0) + 1, chain: [...(longest?.chain ?? []), r.name] };
        depth.set(r.urn, result);
        return result;
    };
    const all = custom.map(visit);
    const best = all.sort((a, b) => b.length - a.length)[0] ?? { length: 0, chain: [] };
    const waves: string[][] = [];
    for (const r of custom) {
        const level = depth.get(r.urn)!.length - 1;
        (waves[level] ??= []).push(r.name);
    }
    return { ...best, waves: waves.map((w) => w.sort()) };
}

/**
 * What the quick start cannot do without: the association needs the role's ARN; the Deployment's pods get
 * credentials only if created after the association; namespaced objects need their namespace; the policy needs the
 * role. (The Deployment also waits for the policy and the service account, which run in parallel with the chain.)
 */
const ESSENTIAL: [string, string][] = [
    ["aws:iam/role:Role", "aws:eks/podIdentityAssociation:PodIdentityAssociation"],
    ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"],
    ["aws:eks/podIdentityAssociation:PodIdentityAssociation", "kubernetes:apps/v1:Deployment"],
    ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:ServiceAccount"],
    ["kubernetes:core/v1:ServiceAccount", "kubernetes:apps/v1:Deployment"],
];

function option(argv: string[], name: string, fallback: string): string {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
}

const counts = (argv: string[], name: string, fallback: string) => wholeNumbers(name, option(argv, name, fallback) ?? "");

async function main(argv: string[]): Promise<void> {
    const smoke = argv.includes("--smoke");
    const [runs] = counts(argv, "--runs", smoke ? "1" : "5");
    const [referenceRuns] = counts(argv, "--reference-runs", smoke ? "1" : "2");
    const workloadCounts = counts(argv, "--counts", smoke ? "1,10" : "1,10,100,1000");

    console.log("Cold start (median of runs; first Construct = the quick-start workload)…");
    const ours: ColdStart[] = [];
    let quickStart: Registration[] = [];
    for (let i = 0; i < runs; i++) {
        const { result, registrations } = await coldStart("provider (precompiled, committed schema)", undefined);
        ours.push(result);
        quickStart = registrations;
    }
    const coldStarts = [summarize(ours)];
    // The release plugin (npm run package): the same provider as a Node.js single executable, from its archive.
    const archive = path.join(ROOT, "dist", "release", archiveName(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version, { os: "linux", arch: os.arch() === "arm64" ? "arm64" : "amd64" }));
    if (fs.existsSync(archive)) {
        const folder = fs.mkdtempSync(path.join(os.tmpdir(), "bench-release-plugin-"));
        execFileSync("tar", ["xzf", archive, "-C", folder]);
        const single: ColdStart[] = [];
        for (let i = 0; i < runs; i++) {
            single.push((await coldStart(`release single executable (${(fs.statSync(archive).size / 1e6).toFixed(1)} MB archive)`, [path.join(folder, PLUGIN_EXECUTABLE)])).result);
        }
        coldStarts.push(summarize(single));
        fs.rmSync(folder, { recursive: true, force: true });
    } else {
        console.log(`(no ${path.relative(ROOT, archive)}: run \`npm run package\` to measure the release plugin too)`);
    }
    if (!argv.includes("--no-reference")) {
        const dir = writeReferencePlugin(ROOT);
        const reference: ColdStart[] = [];
        for (let i = 0; i < referenceRuns; i++) {
            reference.push((await coldStart("componentProviderHost (inferring, ts-node)", referenceCommand(ROOT, dir), dir)).result);
        }
        coldStarts.push(summarize(reference));
    }
    const table = (rows: Record<string, string | number>[]) => {
        const keys = Object.keys(rows[0]);
        const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
        const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
        console.log(line(keys));
        rows.forEach((r) => console.log(line(keys.map((k) => String(r[k])))));
        console.log();
    };
    table(
        coldStarts.map((c) => ({
            host: c.host,
            runs: c.runs,
            "port (ms)": c.portMs.toFixed(0),
            "GetSchema (ms)": c.schemaMs.toFixed(0),
            "Construct (ms)": c.constructMs.toFixed(0),
            "RSS (MB)": c.rssMb.toFixed(0),
        })),
    );
    const target = coldStarts[0].constructMs <= 600 && coldStarts[0].rssMb <= 150;
    console.log(`Target (first Construct ≤ 600 ms after spawn, RSS ≤ 150 MB): ${target ? "met" : "NOT met"}\n`);

    console.log("Registration throughput (one program, engine double over gRPC)…");
    const results: Throughput[] = [];
    for (const count of workloadCounts) {
        for (const variant of ["component", "raw"] as const) {
            results.push(await throughput(variant, count));
        }
    }
    table(
        workloadCounts.map((count) => {
            const component = results.find((r) => r.count === count && r.variant === "component")!;
            const raw = results.find((r) => r.count === count && r.variant === "raw")!;
            return {
                workloads: count,
                resources: `${component.registrations}/${raw.registrations}`,
                "component ms/workload": component.msPerWorkload.toFixed(2),
                "raw ms/workload": raw.msPerWorkload.toFixed(2),
                overhead: `${(component.msPerWorkload / raw.msPerWorkload).toFixed(2)}x`,
                "component RSS (MB)": component.rssMb.toFixed(0),
                "raw RSS (MB)": raw.rssMb.toFixed(0),
            };
        }),
    );

    const critical = criticalPath(quickStart);
    const minimum = criticalPath(quickStart, (from, to) => ESSENTIAL.some(([a, b]) => a === from.type && b === to.type));
    console.log("Critical path of the quick-start workload (resources created one after another):");
    console.log(`  actual:  ${critical.length}  ${critical.chain.join(" → ")}`);
    console.log(`  minimum: ${minimum.length}  ${minimum.chain.join(" → ")}`);
    console.log(`  waves:   ${critical.waves.map((w, i) => `${i + 1}: ${w.join(", ")}`).join(" | ")}\n`);

    const out = path.join(ROOT, "out", "bench", "results.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
        out,
        JSON.stringify(
            {
                date: new Date().toISOString(),
                node: process.version,
                cpus: os.cpus().length,
                coldStart: { summary: coldStarts, runs: ours, targetMet: target },
                throughput: results,
                criticalPath: { actual: critical, minimum },
            },
            null,
            2,
        ),
    );
    console.log(`Wrote ${path.relative(ROOT, out)}`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    });
}
