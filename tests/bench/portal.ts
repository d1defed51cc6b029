/**
 * Latency of the portal's two operations as a team sees them, with two replicas on one S3 backend (moto's server,
 * tests/s3/setup.sh), the real Pulumi CLI and Kubernetes provider against the test cluster, and the aws double:
 * preview (`POST /workloads`, answered when the preview is done) and apply (`POST /workloads/{id}/apply` with
 * `Accept: text/event-stream`, until its `done` event), for 1 and for 20 workloads asked at once, spread over the two
 * replicas (each runs at most `maxConcurrentOperations` operations, the default: the CPU count, at least 2; the rest
 * queue). Every workload is destroyed afterwards.
 *
 *   npm run bench:portal [-- 1,20]
 *
 * `npm test` runs it once for 1 workload (tests/bench/smoke.sh) so the command cannot rot; those figures are not
 * measurements.
 */
import * as os from "os";
import * as path from "path";
import { workloadId } from "../../examples/portal/api";
import { Portal, startPortal } from "../../examples/portal/server";
import { testCluster } from "../cluster/client";
import { CloudDouble } from "../e2e/support/cloudDouble";
import { ROOT, removeEnvironment, stackEnvironment } from "../e2e/support/environment";
import { wholeNumbers } from "./options";
import { S3_CREDENTIALS, startS3Server } from "../support/s3Server";

const SIZES = wholeNumbers("workload counts", process.argv[2] ?? "1,20");
const TOKEN = "portal-bench-token";

async function call(portal: Portal, method: string, route: string, body?: unknown, stream = false): Promise<{ status: number; text: string }> {
    const response = await fetch(portal.url + route, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { "content-type": "application/json" } : {}), ...(stream ? { accept: "text/event-stream" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, text: await response.text() };
}

/** The `done` event's data of an event stream's text. */
function doneOf(text: string): any {
    const block = text.split("\n\n").find((b) => b.includes("event: done"));
    const data = block?.split("\n").find((l) => l.startsWith("data: "));
    return data ? JSON.parse(data.slice(6)) : undefined;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const started = performance.now();
    const value = await fn();
    return { ms: performance.now() - started, value };
}

const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
    const cloud = new CloudDouble("prod");
    const environment = stackEnvironment("portal-bench", await cloud.start(testCluster(), "portal-bench"));
    const s3 = await startS3Server("portal-bench");
    const env = { ...environment.env, ...S3_CREDENTIALS, PULUMI_BACKEND_URL: s3.backendUrl };
    const replicas = await Promise.all(
        ["a", "b"].map((name) => startPortal({ port: 0, root: ROOT, env, stateDir: path.join(environment.dir, `replica-${name}`), clusters: [{ arn: cloud.clusterArn() }], token: TOKEN })),
    );
    const rows: string[] = [];
    try {
        for (const size of SIZES) {
            const bodies = Array.from({ length: size }, (_, i) => ({
                team: "payments",
                cluster: "prod",
                namespace: `bench-${size}-${i}`,
                serviceAccount: "api",
                policyStatements: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::bench-${size}-${i}/*`] }],
            }));
            const on = (i: number) => replicas[i % 2];
            const previews = await timed(() => Promise.all(bodies.map((body, i) => timed(() => call(on(i), "POST", "/workloads", body)))));
            for (const p of previews.value) if (p.value.status !== 201) throw new Error(`preview: ${p.value.status} ${p.value.text}`);
            const applies = await timed(() => Promise.all(bodies.map((body, i) => timed(() => call(on(i), "POST", `/workloads/${workloadId(body)}/apply`, undefined, true)))));
            for (const a of applies.value) if (doneOf(a.value.text)?.status !== "applied") throw new Error(`apply: ${a.value.text.slice(-500)}`);
            const destroys = await Promise.all(bodies.map((body, i) => call(on(i + 1), "DELETE", `/workloads/${workloadId(body)}`, undefined, true)));
            for (const d of destroys) if (doneOf(d.text)?.status !== "destroyed") throw new Error(`destroy: ${d.text.slice(-500)}`);
            for (const [name, run] of [["preview", previews], ["apply", applies]] as const) {
                const ms = run.value.map((r) => r.ms);
                rows.push(`| ${size} | ${name} | ${seconds(percentile(ms, 50))} | ${seconds(percentile(ms, 95))} | ${seconds(Math.max(...ms))} | ${seconds(run.ms)} |`);
            }
        }
    } finally {
        await Promise.all(replicas.map((r) => r.close()));
        await s3.stop();
        await cloud.stop();
        removeEnvironment(environment);
    }
    process.stdout.write(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? "unknown"}), two replicas, S3 backend (moto), ${new Date().toISOString()}\n`);
    process.stdout.write("| workloads at once | operation | median | p95 | slowest | all done |\n|---|---|---|---|---|---|\n");
    process.stdout.write(`${rows.join("\n")}\n`);
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
});
