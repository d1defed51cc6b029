import test, { ExecutionContext } from "ava";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { WAIT_LOG_PREFIX, WAIT_MOUNT_PATH, waitConfigMapData, waitForCredentialsPodParts } from "../provider/agent/waitForCredentials";
import { CREDENTIAL_PROCESS_EXIT_CODES as EXIT } from "../provider/crossAccount/credentialProcess";
import { CLUSTER_ARN, NAMESPACE, ProcessResult, run, SERVICE_ACCOUNT, SOURCE_ROLE, TOKEN } from "./support/crossAccountScenario";
import { CredentialStore, secretsOf } from "./support/fakeAws";
import { AgentBehaviour, FakePodIdentityAgent } from "./support/fakePodIdentityAgent";
import { binDir, HELPER_UTILITIES, makeUserlands } from "./support/helperUserlands";

/**
 * workload.waitForCredentials: the init container's command, exactly as rendered, run against the fake Pod Identity
 * agent with the scripts exactly as the ConfigMap carries them (mode 0555), in the default image's userland (busybox:
 * sh, date, nc) and in dash with curl. The agent late (the wait succeeds once it listens), never (it fails after the
 * bound with one clear line), refusing (4xx: at once) and failing (5xx: after the bound); no token or key ever printed.
 */

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

/** The rendered init container's command, with its mount path pointing at the files above, in a userland. */
function runWait(agent: FakePodIdentityAgent, userland: UserlandName, timeoutSeconds: number): Promise<ProcessResult> {
    const { initContainer } = waitForCredentialsPodParts({ timeoutSeconds }, "unused");
    const [shell, ...args] = initContainer.command.map((part) => part.replace(WAIT_MOUNT_PATH, mount));
    const env: NodeJS.ProcessEnv = {
        PATH: PATHS[userland],
        ...Object.fromEntries(initContainer.env.map((e) => [e.name, e.name === "TMPDIR" ? work : e.value])),
        // What EKS injects into every container of an associated pod, init containers included.
        AWS_CONTAINER_CREDENTIALS_FULL_URI: agent.url,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    };
    return run(path.join(PATHS[userland], shell), args, env, 60_000);
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
            t.is(lines.length, 1, result.stderr);
            // Whole seconds of the clock: a run that crosses a second boundary reports 1s.
            t.regex(lines[0], /^pod-identity-wait: the Pod Identity agent handed out credentials after [01]s \(attempt 1\); starting the containers$/);
            t.true(agent.requests.every((r) => r.authorized), "the token file's token was sent");
        } finally {
            await agent.stop();
        }
    });

    test(`${userland}: the agent late: the wait says so, keeps asking, and succeeds once it listens`, async (t) => {
        const agent = await agentWith();
        await agent.down();
        const late = setTimeout(() => void agent.start(), 3_000);
        try {
            const result = await runWait(agent, userland, 30);
            t.is(result.code, 0, result.stderr);
            const lines = assertClean(t, result);
            t.is(lines.length, 2, result.stderr);
            t.regex(lines[0], /^pod-identity-wait: waiting up to 30s for the Pod Identity agent on this node: .*(unreachable|refused|connect)/i);
            t.regex(lines[1], /^pod-identity-wait: the Pod Identity agent handed out credentials after \d+s \(attempt \d+\); starting the containers$/);
            t.true(result.ms >= 3_000, `waited ${result.ms} ms`);
            t.true(result.ms < 3_000 + 10_000, `not much longer than the agent's start: ${result.ms} ms`);
        } finally {
            clearTimeout(late);
            await agent.stop();
        }
    });

    test(`${userland}: the agent never answers: fails after the bound with one clear line and the helper's exit code`, async (t) => {
        const agent = await agentWith();
        await agent.down();
        const result = await runWait(agent, userland, 3);
        t.is(result.code, EXIT.agentUnreachable, result.stderr);
        const lines = assertClean(t, result);
        t.is(lines.length, 2, result.stderr);
        t.regex(lines[1], /^pod-identity-wait: the Pod Identity agent handed out no credentials within 3s \(attempt \d+, helper exit 6\): .*; is the eks-pod-identity-agent DaemonSet running on this node\?$/);
        // Bounded: the timeout, plus at most one helper run (7.5 s worst case) and the last pause.
        t.true(result.ms >= 3_000 && result.ms < 3_000 + 7_500 + 1_500, `took ${result.ms} ms`);
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
            t.true(result.ms < 5_000, `took ${result.ms} ms`);
            t.is(agent.requests.length, 1, "asked once");
        } finally {
            await agent.stop();
        }
    });

    test(`${userland}: the agent failing (500 on every request): retried until the bound, then the agent's error`, async (t) => {
        const agent = await agentWith();
        agent.always({ kind: "status", status: 500 });
        try {
            const result = await runWait(agent, userland, 3);
            t.is(result.code, EXIT.agentError, result.stderr);
            const lines = assertClean(t, result);
            t.regex(lines[0], /^pod-identity-wait: waiting up to 3s for the Pod Identity agent on this node: .*500/);
            t.regex(lines[lines.length - 1], /^pod-identity-wait: the Pod Identity agent handed out no credentials within 3s \(attempt \d+, helper exit 9\): .*500/);
            t.true(result.ms >= 3_000 && result.ms < 3_000 + 7_500 + 1_500, `took ${result.ms} ms`);
            t.true(agent.requests.length > 3, `asked again and again: ${agent.requests.length} requests`);
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
    t.true(result.ms < 3_000);
});
