/**
 * Runs a command with the throwaway test cluster up, and stops the cluster afterwards, also when the command fails
 * or this process is interrupted:
 *
 *   node dist/tests/cluster/withCluster.js <command> [args…]      (npm run cluster -- <command>)
 *
 * The command sees TEST_CLUSTER (the JSON of ClusterInfo) and KUBECONFIG (the cluster admin's kubeconfig).
 * Run inside a command that already has the cluster (TEST_CLUSTER set: `npm test` runs the benchmarks' smoke runs so),
 * it runs the command in that cluster rather than starting a second one.
 */
import { spawn } from "child_process";
import * as path from "path";

async function main(): Promise<number> {
    const [command, ...args] = process.argv.slice(2);
    if (!command) throw new Error("usage: withCluster <command> [args…]");
    if (process.env.TEST_CLUSTER) return run(command, args, process.env);
    const started = Date.now();
    const supervisor = spawn(process.execPath, [path.join(__dirname, "supervisor.js")], { stdio: ["ignore", "pipe", "inherit"] });
    const stopCluster = () => {
        if (supervisor.exitCode === null && supervisor.signalCode === null) supervisor.kill("SIGTERM");
    };
    const supervisorExit = new Promise<number | null>((resolve) => supervisor.on("exit", (code) => resolve(code)));
    const info = await new Promise<string>((resolve, reject) => {
        let out = "";
        supervisor.stdout.on("data", (chunk) => {
            out += chunk;
            const line = out.split("\n").find((l) => l.startsWith("CLUSTER-READY "));
            if (line) resolve(line.slice("CLUSTER-READY ".length));
        });
        void supervisorExit.then((code) => reject(new Error(`the test cluster did not start (supervisor exit ${code})`)));
    });
    process.stderr.write(`test cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const { kubeconfig } = JSON.parse(info);
    const code = await run(command, args, { ...process.env, TEST_CLUSTER: info, KUBECONFIG: kubeconfig }, stopCluster);
    stopCluster();
    await supervisorExit;
    return code;
}

/** Runs the command to its end, passing on the signals this process gets (and stopping the cluster on them). */
async function run(command: string, args: string[], env: NodeJS.ProcessEnv, stopCluster = () => {}): Promise<number> {
    const child = spawn(command, args, { stdio: "inherit", env });
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(signal, () => {
            child.kill(signal);
            stopCluster();
        });
    }
    return new Promise<number>((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
}

main().then(
    (code) => process.exit(code),
    (error) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
