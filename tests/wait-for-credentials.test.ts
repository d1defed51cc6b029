import test, { ExecutionContext } from "ava";
import { ChildProcess, execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { WAIT_LOG_PREFIX, WAIT_MOUNT_PATH, waitConfigMapData, waitForCredentialsPodParts } from "../provider/agent/waitForCredentials";
import { CREDENTIAL_PROCESS_EXIT_CODES as EXIT, CREDENTIAL_PROCESS_LIMITS as LIMITS } from "../provider/crossAccount/credentialProcess";
import { CLUSTER_ARN, NAMESPACE, ProcessResult, run, SERVICE_ACCOUNT, SOURCE_ROLE, TOKEN } from "./support/crossAccountScenario";
import { CredentialStore, secretsOf } from "./support/fakeAws";
import { AgentBehaviour, FakePodIdentityAgent, unexplainedAttempts } from "./support/fakePodIdentityAgent";
import { binDir, HELPER_UTILITIES, makeUserlands } from "./support/helperUserlands";

/**
 * workload.waitForCredentials: the init container's command, exactly as rendered, run against the fake Pod Identity
 * agent with the scripts exactly as the ConfigMap carries them (mode 0555), in the default image's userland (busybox:
 * sh, date, nc) and in dash with curl. The agent late (the wait succeeds once it listens), never (it fails after the
 * bound with one clear line), refusing (4xx: at once) and failing (5xx: after the bound); no token or key ever printed.
 *
 * The verdicts hold on a busy machine. The wait's clock is whole seconds (date +%s) and each helper run may take up
 * to its worst case (7.5 s) when answers come late, so: a deadline is checked from below (the run lasted at least the
 * deadline less the clock's second), from the agent's request log (what the helper runs asked), and from above only
 * with bounds several times what the wait itself promises; the agent starts late on a signal from the wait, not
 * after a guessed delay.
 */

/** The helper's worst case: three attempts of 2 s, with their pauses. */
const HELPER_WORST_MS = LIMITS.worstCaseSeconds * 1000;
/** The wait's pause between helper runs. */
const PAUSE_MS = 1_000;
/**
 * A wait given `timeoutSeconds` ends at the first failing helper run after its deadline: at most the deadline, a
 * pause and one more helper run. Twice that is the bound: for a 3-s deadline 23 s, where a quiet machine takes 4 to 5 s.
 */
const boundMs = (timeoutSeconds: number) => 2 * (timeoutSeconds * 1000 + PAUSE_MS + HELPER_WORST_MS);
/** "At once, not a wait": a failure that must not wait ends within a helper run's worst case, twice over. */
const AT_ONCE_MS = 2 * HELPER_WORST_MS;

const work = mkdtempSync(path.join(tmpdir(), "wait-for-credentials-"));
test.after.always(() => rmSync(work, { recursive: true, force: true }));

const store = new CredentialStore();
const tokenFile = path.join(work, "token");
writeFileSync(tokenFile, TOKEN);

/** The ConfigMap's files, mounted as the pod mounts them (read-only volume, executable items). */
const mount = path.join(work, "mount");
mkdirSync(mount);
for (const [key, text] of Object.entries(waitConfigMapData())) {
    writeFileSync(path.join(mount, key), text);
    chmodSync(path.join(mount, key), 0o555);
}

const userlands = makeUserlands(work);
/** The userlands the init container's image may have: busybox (the default image), and dash with curl and date. */
const PATHS = {
    busybox: userlands.busybox.path,
    curl: binDir(work, "wait-curl", [...HELPER_UTILITIES, "curl", "date"]),
};
type UserlandName = keyof typeof PATHS;

async function agentWith(...behaviours: AgentBehaviour[]): Promise<FakePodIdentityAgent> {
    const agent = new FakePodIdentityAgent({ store, tokenFile, sourceRoleArn: SOURCE_ROLE, clusterArn: CLUSTER_ARN, namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT });
    return (await agent.start()).next(...behaviours);
}

interface WaitRun {
    /** Resolves once the wait has printed a line matching this (rejects if it ends first). */
    printed(line: RegExp): Promise<void>;
    /** The result, and when it ended (performance.now()). */
    done: Promise<ProcessResult & { endedAt: number }>;
}

/** The rendered init container's command, with its mount path pointing at the files above, in a userland. */
function startWait(agent: FakePodIdentityAgent, userland: UserlandName, timeoutSeconds: number): WaitRun {
    const { initContainer } = waitForCredentialsPodParts({ timeoutSeconds }, "unused");
    const [shell, ...args] = initContainer.command.map((part) => part.replace(WAIT_MOUNT_PATH, mount));
    const env: NodeJS.ProcessEnv = {
        PATH: PATHS[userland],
        ...Object.fromEntries(initContainer.env.map((e) => [e.name, e.name === "TMPDIR" ? work : e.value])),
        // What EKS injects into every container of an associated pod, init containers included.
        AWS_CONTAINER_CREDENTIALS_FULL_URI: agent.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    };
    const started = Date.now();
    let child: ChildProcess | undefined;
    const done = new Promise<ProcessResult & { endedAt: number }>((resolve) => {
        child = execFile(path.join(PATHS[userland], shell), args, { env, timeout: 60_000, encoding: "utf8" }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
            resolve({ code, stdout, stderr, ms: Date.now() - started, endedAt: performance.now() });
        });
    });
    let stderr = "";
    child!.stderr!.on("data", (chunk: string) => (stderr += chunk));
    const printed = (line: RegExp) =>
        new Promise<void>((resolve, reject) => {
            const check = () => stderr.split("\n").some((l) => line.test(l)) && resolve();
            child!.stderr!.on("data", check);
            check();
            void done.then((result) => reject(new Error(`the wait ended (exit ${result.code}) without printing ${line}: ${result.stderr}`)));
        });
    return { printed, done };
}

function runWait(agent: FakePodIdentityAgent, userland: UserlandName, timeoutSeconds: number): Promise<ProcessResult> {
    return startWait(agent, userland, timeoutSeconds).done;
}

/** The whole seconds of the wait's clock: a deadline of that many seconds may pass up to one second early. */
const clockedMs = (seconds: number) => (seconds - 1) * 1000;

/**
 * The wait gave up after its deadline, with the helper's exit code: its last line names the deadline, the helper runs
 * and that code, with the cause `causes` gives for it; before it, one line saying it waits, printed once it goes on
 * waiting after a failure (a first helper run that outlasts the deadline, on a busy machine, leaves no wait to
 * announce). It lasted no less than its deadline, and less than boundMs. Returns the helper runs it reports.
 */
function assertGaveUp(t: ExecutionContext, result: ProcessResult, timeoutSeconds: number, causes: Record<number, string>): number {
    const lines = assertClean(t, result);
    t.true(result.code in causes, `exit ${result.code}: ${result.stderr}`);
    const cause = causes[result.code] ?? "(?!)";
    const end = new RegExp(
        `^pod-identity-wait: the Pod Identity agent handed out no credentials within ${timeoutSeconds}s \\(attempt (\\d+), helper exit ${result.code}\\): ${cause}[^;]*; is the eks-pod-identity-agent DaemonSet running on this node\\?$`,
    ).exec(lines[lines.length - 1] ?? "");
    t.truthy(end, result.stderr);
    const runs = Number(end?.[1]);
    t.is(lines.length, runs > 1 ? 2 : 1, result.stderr);
    if (runs > 1) {
        t.regex(lines[0], new RegExp(`^pod-identity-wait: waiting up to ${timeoutSeconds}s for the Pod Identity agent on this node: (${Object.values(causes).join("|")})`));
    }
    t.true(result.ms >= clockedMs(timeoutSeconds), `gave up after ${result.ms} ms, before its ${timeoutSeconds}-s deadline`);
    t.true(result.ms < boundMs(timeoutSeconds), `bounded: took ${result.ms} ms`);
    return runs;
}

/** Every line prefixed, nothing on stdout, and no token, key or secret anywhere in the output. */
function assertClean(t: ExecutionContext, result: ProcessResult): string[] {
    t.is(result.stdout, "", "nothing on stdout (the helper's credentials are discarded)");
    const lines = result.stderr.split("\n").filter(Boolean);
    for (const line of lines) t.true(line.startsWith(`${WAIT_LOG_PREFIX} `), line);
    const printed = result.stdout + result.stderr;
    for (const secret of [TOKEN, TOKEN.slice(0, 24), ...secretsOf(store), ...store.all().map((c) => c.accessKeyId)]) {
        t.false(printed.includes(secret), `printed a secret (${secret.slice(0, 4)}…)`);
    }
    return lines;
}

for (const userland of ["busybox", "curl"] as const) {
    test(`${userland}: the agent answers at once: one line, exit 0`, async (t) => {
        const agent = await agentWith();
        try {
            const result = await runWait(agent, userland, 10);
            t.is(result.code, 0, result.stderr);
            const lines = assertClean(t, result);
            const done = /^pod-identity-wait: the Pod Identity agent handed out credentials after (\d+)s \(attempt (\d+)\); starting the containers$/.exec(lines[lines.length - 1] ?? "");
            t.truthy(done, result.stderr);
            // The seconds it reports are its clock's: never more than the run lasted, rounded up. (On a quiet machine,
            // 0 or 1; a busy one may make the helper retry an answer that came after its 2-s timeout.)
            t.true(Number(done?.[1]) <= Math.ceil(result.ms / 1000), `reported ${done?.[1]}s in ${result.ms} ms`);
            t.true(agent.requests.length >= 1 && agent.requests.every((r) => r.authorized), "the token file's token was sent");
            const runs = Number(done?.[2]);
            if (runs === 1) {
                t.is(lines.length, 1, result.stderr);
                t.is(unexplainedAttempts(agent.requests.length, 1, result.ms), undefined, "the helper asked again only after a timeout");
            } else {
                // A helper run fails against an agent that answers only if all its attempts timed out first, which takes
                // its worst case; the wait then said it waits.
                t.is(lines.length, 2, result.stderr);
                t.regex(lines[0], /^pod-identity-wait: waiting up to 10s for the Pod Identity agent on this node: .*timed out after 3 attempts/);
                t.true(result.ms >= (runs - 1) * HELPER_WORST_MS, `${runs - 1} failed helper runs in ${result.ms} ms`);
            }
        } finally {
            await agent.stop();
        }
    });

    test(`${userland}: the agent late: the wait says so, keeps asking, and succeeds once it listens`, async (t) => {
        const agent = await agentWith();
        await agent.down();
        try {
            const wait = startWait(agent, userland, 30);
            // The agent starts once the wait has said it waits: it has then been turned away at least once, whatever
            // the machine's speed.
            await wait.printed(/^pod-identity-wait: waiting up to 30s/);
            await agent.start();
            const listeningAt = performance.now();
            const result = await wait.done;
            t.is(result.code, 0, result.stderr);
            const lines = assertClean(t, result);
            t.is(lines.length, 2, result.stderr);
            t.regex(lines[0], /^pod-identity-wait: waiting up to 30s for the Pod Identity agent on this node: .*(unreachable|refused|connect)/i);
            // Not its first helper run: that one failed, the agent down.
            t.regex(lines[1], /^pod-identity-wait: the Pod Identity agent handed out credentials after \d+s \(attempt ([2-9]|\d\d+)\); starting the containers$/);
            t.true(agent.requests.length >= 1 && agent.requests.every((r) => r.authorized && r.status === 200), "it got credentials from the agent once it listened");
            // Once the agent listens, the wait's next try succeeds: at most the rest of a failing helper run, a pause and
            // one more helper run; the bound is that (9.5 s in the worst case) about twice over, not its 30-s deadline.
            const afterListening = result.endedAt - listeningAt;
            t.true(afterListening < 2 * (HELPER_WORST_MS + PAUSE_MS), `succeeded ${Math.round(afterListening)} ms after the agent started listening`);
        } finally {
            await agent.stop();
        }
    });

    test(`${userland}: the agent never answers: fails after the bound with one clear line and the helper's exit code`, async (t) => {
        const agent = await agentWith();
        await agent.down();
        // 6 s: room for three helper runs on a quiet machine (about 2.6 s each with the pause), so that the wait is
        // seen to announce itself once, not at each failure.
        const result = await runWait(agent, userland, 6);
        t.is(result.code, EXIT.agentUnreachable, result.stderr);
        const runs = assertGaveUp(t, result, 6, { [EXIT.agentUnreachable]: "the agent at 127\\.0\\.0\\.1 is unreachable after 3 attempts" });
        // It lasted no less than the helper runs it reports can take: each pauses 0.5 s and 1 s between its refused
        // attempts, and the wait 1 s between runs.
        const helperPauses = LIMITS.backoffSeconds.reduce((a: number, b) => a + b, 0) * 1000;
        t.true(result.ms >= runs * helperPauses + (runs - 1) * PAUSE_MS, `${runs} helper runs in ${result.ms} ms`);
    });

    test(`${userland}: the agent refusing (403): no retry, a clear line at once`, async (t) => {
        const agent = await agentWith();
        agent.always({ kind: "status", status: 403 });
        try {
            const result = await runWait(agent, userland, 30);
            t.is(result.code, EXIT.agentRejected, result.stderr);
            const lines = assertClean(t, result);
            t.is(lines.length, 1, result.stderr);
            t.regex(lines[0], /^pod-identity-wait: no credentials, not retrying \(helper exit 8\): .*403/);
            t.true(result.ms < AT_ONCE_MS, `at once, not after its 30-s deadline: took ${result.ms} ms`);
            // One helper run, which asked again only if an answer came after its timeout.
            t.is(unexplainedAttempts(agent.requests.length, 1, result.ms), undefined, "asked once");
        } finally {
            await agent.stop();
        }
    });

    test(`${userland}: the agent failing (500 on every request): retried until the bound, then the agent's error`, async (t) => {
        const agent = await agentWith();
        agent.always({ kind: "status", status: 500 });
        try {
            const result = await runWait(agent, userland, 3);
            // Each helper run fails all its attempts, answered 500 or, on a busy machine, timed out first; it reports
            // its last attempt's failure, with its exit code, and so does the wait.
            const runs = assertGaveUp(t, result, 3, {
                [EXIT.agentError]: "the agent at 127\\.0\\.0\\.1 answered HTTP 500 after 3 attempts",
                [EXIT.agentTimeout]: "the agent at 127\\.0\\.0\\.1 timed out after 3 attempts",
            });
            // The agent saw exactly the helper runs the wait reports, each with all its attempts.
            t.is(agent.requests.length, runs * LIMITS.attempts, `${agent.requests.length} requests for ${runs} helper runs`);
            t.true(agent.requests.every((r) => r.authorized));
        } finally {
            await agent.stop();
        }
    });
}

test("no Pod Identity variables (the service account has no association): a clear line at once, not a wait", async (t) => {
    const { initContainer } = waitForCredentialsPodParts({ timeoutSeconds: 30 }, "unused");
    const [shell, ...args] = initContainer.command.map((part) => part.replace(WAIT_MOUNT_PATH, mount));
    const result = await run(path.join(PATHS.busybox, shell), args, { PATH: PATHS.busybox, TMPDIR: work }, 30_000);
    t.is(result.code, EXIT.missingEnvironment);
    t.regex(assertClean(t, result)[0], /^pod-identity-wait: no credentials, not retrying \(helper exit 2\): AWS_CONTAINER_CREDENTIALS_FULL_URI is not set/);
    t.true(result.ms < AT_ONCE_MS, `at once, not after its 30-s deadline: took ${result.ms} ms`);
});
