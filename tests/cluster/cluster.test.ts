import test from "ava";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ClusterInfo } from "./client";

// The throwaway cluster's promise: whatever happens to the tests, nothing of it outlives them.

const WITH_CLUSTER = path.join(__dirname, "withCluster.js");
/** Prints TEST_CLUSTER, then does what the test asks. */
const PRINT_INFO = "process.stdout.write('INFO ' + process.env.TEST_CLUSTER + '\\n');";

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (condition()) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return condition();
}

/** Runs withCluster as a shell would outside any cluster (these tests may themselves run inside one). */
function runWithCluster(script: string, env: NodeJS.ProcessEnv = outsideCluster()) {
    const child = spawn(process.execPath, [WITH_CLUSTER, process.execPath, "-e", script], { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const info = new Promise<ClusterInfo>((resolve, reject) => {
        child.stdout.on("data", () => {
            const line = out.split("\n").find((l) => l.startsWith("INFO "));
            if (line) resolve(JSON.parse(line.slice(5)));
        });
        child.on("exit", () => reject(new Error(`no cluster info; stderr:\n${err}`)));
    });
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, info, exit, stderr: () => err, stdout: () => out };
}

function outsideCluster(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.TEST_CLUSTER;
    delete env.KUBECONFIG;
    return env;
}

test.serial("inside a cluster's command, withCluster runs its command in that cluster and starts no other", async (t) => {
    const outer = JSON.stringify({ kubeconfig: "/nonexistent/kubeconfig", pids: { supervisor: 1 } });
    const run = runWithCluster(`${PRINT_INFO} process.exit(4);`, { ...outsideCluster(), TEST_CLUSTER: outer, KUBECONFIG: "/nonexistent/kubeconfig" });
    t.deepEqual(await run.info, JSON.parse(outer), "the command sees the cluster it was already in");
    t.is(await run.exit, 4, run.stderr());
    t.notRegex(run.stderr(), /test cluster ready/, "no second cluster was started");
});

test.serial("a failing command: its exit code is kept, and every component and the scratch folder are gone", async (t) => {
    const run = runWithCluster(`${PRINT_INFO} process.exit(3);`);
    const info = await run.info;
    t.deepEqual(Object.keys(info.pids).sort(), ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "supervisor"]);
    t.is(await run.exit, 3, run.stderr());
    for (const [name, pid] of Object.entries(info.pids)) t.false(alive(pid), `${name} (pid ${pid}) is stopped`);
    t.false(fs.existsSync(info.dir), "the scratch folder (certificates, tokens, etcd data) is removed");
});

test.serial("a test runner killed with SIGKILL: the supervisor notices and stops the cluster", async (t) => {
    const run = runWithCluster(`${PRINT_INFO} process.stdout.write('COMMAND ' + process.pid + '\\n'); setTimeout(() => {}, 60000);`);
    const info = await run.info;
    run.child.kill("SIGKILL");
    // The command itself is orphaned too (a killed process cannot stop its children): not the cluster's to stop.
    const command = Number(/COMMAND (\d+)/.exec(await until(() => /COMMAND \d+/.test(run.stdout()), 5_000).then(run.stdout))?.[1]);
    if (command) process.kill(command, "SIGKILL");
    await run.exit;
    const stopped = await until(() => Object.values(info.pids).every((pid) => !alive(pid)), 15_000);
    t.true(stopped, `still running: ${Object.entries(info.pids).filter(([, pid]) => alive(pid)).map(([n]) => n).join(", ")}`);
    t.true(await until(() => !fs.existsSync(info.dir), 5_000), "the scratch folder is removed");
});
