import { fromIni } from "@aws-sdk/credential-providers";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ACCOUNT_B, CrossAccountScenario, PROFILES } from "../support/crossAccountScenario";
import { wholeNumbers } from "./options";
import { makeUserlands, Transport, TRANSPORTS } from "../support/helperUserlands";

/**
 * How long a pod's SDK takes to resolve chained account-B credentials through the rendered config file, by credential
 * source: `process` (the helper script through credential_process, then AssumeRole) against `ecsContainer` (the SDK
 * reads the agent itself, then AssumeRole). AWS SDK for JavaScript v3 `fromIni`, a fresh provider per run so nothing
 * is cached, against the loopback fakes (so the figures are the client-side cost, without network latency).
 * Also the helper script alone: under /bin/sh with the machine's PATH, and in each userland it supports
 * (support/helperUserlands: dash + curl, dash + GNU wget, busybox sh + nc, dash starting bash for /dev/tcp).
 *
 *   npm run bench:credentials [-- RUNS]      (default 20 runs after 2 warm-ups; prints medians)
 *
 * `npm test` runs it once with 1 run (tests/bench/smoke.sh) so the command cannot rot; those figures are not
 * measurements.
 */

const [RUNS] = wholeNumbers("runs", process.argv[2] ?? "20");
const WARMUP = 2;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summary(name: string, samples: number[]): string {
    const sorted = [...samples].sort((a, b) => a - b);
    return `${name.padEnd(44)} median ${median(samples).toFixed(1).padStart(6)} ms   min ${sorted[0].toFixed(1).padStart(6)}   max ${sorted[sorted.length - 1].toFixed(1).padStart(6)}   (n=${samples.length})`;
}

async function time(fn: () => Promise<void>): Promise<number[]> {
    const samples: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
        const started = process.hrtime.bigint();
        await fn();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (i >= WARMUP) {
            samples.push(ms);
        }
    }
    return samples;
}

async function resolveWith(scenario: CrossAccountScenario, source: "process" | "ecsContainer"): Promise<number[]> {
    const env = scenario.env(source, PROFILES.reader);
    for (const key of Object.keys(process.env).filter((k) => k.startsWith("AWS_"))) {
        delete process.env[key];
    }
    Object.assign(process.env, env);
    return time(async () => {
        const credentials = await fromIni({ profile: PROFILES.reader })();
        const issued = scenario.store.lookup(credentials.accessKeyId);
        if (issued?.session.account !== ACCOUNT_B) {
            throw new Error(`expected account-B credentials, got ${issued?.session.sessionArn}`);
        }
    });
}

function runHelper(shell: string, script: string, env: NodeJS.ProcessEnv): Promise<void> {
    return new Promise<void>((resolve, reject) =>
        execFile(shell, [script], { env }, (error, stdout) => (error || !stdout.includes('"Version":1') ? reject(error ?? new Error(stdout)) : resolve())),
    );
}

async function main(): Promise<void> {
    const scenario = await new CrossAccountScenario().start();
    const bins = mkdtempSync(path.join(tmpdir(), "helper-userlands-"));
    try {
        const env = scenario.env("process", PROFILES.reader);
        const script = await time(() => runHelper("/bin/sh", scenario.scriptPath, env));
        const userlands = makeUserlands(bins);
        const byTransport: [Transport, number[]][] = [];
        for (const transport of TRANSPORTS) {
            const userland = userlands[transport];
            byTransport.push([transport, await time(() => runHelper(userland.shell, scenario.scriptPath, { ...env, PATH: userland.path }))]);
        }
        const viaProcess = await resolveWith(scenario, "process");
        const viaEcs = await resolveWith(scenario, "ecsContainer");
        console.log(`Credential resolution, loopback fakes, node ${process.version}, ${RUNS} runs after ${WARMUP} warm-ups`);
        console.log(summary("helper script alone (/bin/sh, curl)", script));
        const labels: Record<Transport, string> = {
            curl: "helper: dash + curl",
            wget: "helper: dash + GNU wget",
            busybox: "helper: busybox sh + nc",
            bash: "helper: dash, then bash /dev/tcp",
        };
        for (const [transport, samples] of byTransport) {
            console.log(summary(labels[transport], samples));
        }
        console.log(summary("fromIni, credential_process + AssumeRole", viaProcess));
        console.log(summary("fromIni, EcsContainer + AssumeRole", viaEcs));
        console.log(`process − ecsContainer (medians): ${(median(viaProcess) - median(viaEcs)).toFixed(1)} ms`);
        const calls = scenario.sts.calls.filter((c) => c.action === "AssumeRole");
        if (calls.length !== 2 * (WARMUP + RUNS) || !calls.every((c) => c.signatureOk && c.status === 200)) {
            throw new Error(`expected ${2 * (WARMUP + RUNS)} good AssumeRole calls, saw ${calls.length}`);
        }
    } finally {
        rmSync(bins, { recursive: true, force: true });
        await scenario.stop();
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
