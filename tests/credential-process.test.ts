import test, { ExecutionContext } from "ava";
import { ChildProcess, execFile, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
    CREDENTIAL_PROCESS_EXIT_CODES as EXIT,
    CREDENTIAL_PROCESS_LIMITS,
    CREDENTIAL_PROCESS_SCRIPT_PATH,
    credentialProcessScript,
    CREDENTIAL_PROCESS_STDERR_PREFIX,
} from "../provider/crossAccount/credentialProcess";
import { ACCOUNT_A, CLUSTER_ARN, NAMESPACE, ProcessResult, SERVICE_ACCOUNT, SOURCE_ROLE, TOKEN } from "./support/crossAccountScenario";
import { CredentialStore, IssuedCredentials, secretsOf } from "./support/fakeAws";
import { AgentBehaviour, AgentRequest, FakePodIdentityAgent, unexplainedAttempts } from "./support/fakePodIdentityAgent";
import { binDir, BUSYBOX, DASH, HELPER_UTILITIES, makeUserlands, Transport, TRANSPORTS, Userland, UserlandName, which } from "./support/helperUserlands";

/**
 * The credential_process helper script, run exactly as an SDK runs it, against a fake Pod Identity agent, in each
 * userland it supports (support/helperUserlands: dash with curl, dash with GNU wget, busybox alone, dash with bash
 * and no client) and the one it refuses (dash alone): the credentials it prints, and each failure's exit code, single
 * stderr line and time bound, with no token, key or response body ever printed, and no token on any command line.
 *
 * The verdicts do not depend on the machine's speed. The script gives each attempt 2 s: on a busy machine an answer
 * may come after that and be retried, as designed. So a success is judged by what the script must print (a set the
 * agent issued, from whichever attempt), an attempt count by the script's logic (the fake holds an exchange open when
 * the count must come from the script's own timeouts) or else by an invariant: any attempt beyond those a prompt
 * agent causes must be paid for by a timeout of at least 2 s (assertAttempts). Wall-clock bounds are lower bounds,
 * which load only helps, or several times the script's worst case.
 */

const LIMITS = CREDENTIAL_PROCESS_LIMITS;
/** Any run ends within four times the script's own worst case (3 attempts of 2 s and the pauses: 7.5 s). */
const BOUND_MS = 4 * LIMITS.worstCaseSeconds * 1000;
/** A run still going after this is killed (and fails its test on the exit code). */
const KILL_MS = BOUND_MS + 15_000;

const CREDENTIAL_PROCESS_SCRIPT = credentialProcessScript();
const work = mkdtempSync(path.join(tmpdir(), "credential-process-"));
const script = path.join(work, "credential-process.sh");
writeFileSync(script, CREDENTIAL_PROCESS_SCRIPT);
chmodSync(script, 0o555);
const store = new CredentialStore();
const tokenFile = path.join(work, "token");
writeFileSync(tokenFile, TOKEN);

const ENVIRONMENTS: Record<UserlandName | "recordingCurl", Userland> = {
    ...makeUserlands(work),
    /** A curl that records its arguments and standard input, then fails to connect. */
    recordingCurl: {
        shell: DASH,
        path: binDir(work, "recording", HELPER_UTILITIES, {
            curl: [
                "#!/bin/sh",
                'case "$1" in --version) echo "curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0"; exit 0 ;; esac',
                'printf "%s\\n" "$@" >>"$RECORD_DIR/argv"',
                'cat >>"$RECORD_DIR/stdin"',
                "printf '\\n000'",
                "exit 7",
                "",
            ].join("\n"),
        }),
    },
};

/** How each transport reports an agent that accepts the connection and never answers: wget cannot tell it apart. */
const TIMEOUT_EXIT: Record<Transport, number> = { curl: EXIT.agentTimeout, wget: EXIT.agentUnreachable, busybox: EXIT.agentTimeout, bash: EXIT.agentTimeout };
const TIMED_OUT = /timed out after 3 attempts \(connect 1 s, request 2 s each\)/;
const TIMEOUT_CAUSE: Record<Transport, RegExp> = { curl: TIMED_OUT, wget: /unreachable after 3 attempts/, busybox: TIMED_OUT, bash: TIMED_OUT };

test.after.always(() => rmSync(work, { recursive: true, force: true }));

async function agentWith(...behaviours: AgentBehaviour[]): Promise<FakePodIdentityAgent> {
    const agent = new FakePodIdentityAgent({
        store,
        tokenFile,
        sourceRoleArn: SOURCE_ROLE,
        clusterArn: CLUSTER_ARN,
        namespace: NAMESPACE,
        serviceAccount: SERVICE_ACCOUNT,
    });
    return (await agent.start()).next(...behaviours);
}

interface RunOptions {
    client?: keyof typeof ENVIRONMENTS;
    /** Run the script with this shell instead of the userland's. */
    shell?: string;
    uri?: string;
    tokenFile?: string | null;
    env?: Record<string, string>;
}

/** Starts the script as an SDK does; its process id (for the /proc scans) and its result. */
function startScript(agent: FakePodIdentityAgent | undefined, options: RunOptions = {}): { pid: number; done: Promise<ProcessResult> } {
    const userland = ENVIRONMENTS[options.client ?? "curl"];
    const env: NodeJS.ProcessEnv = { PATH: userland.path, HOME: work, ...options.env };
    const uri = options.uri ?? agent?.url;
    if (uri !== undefined) {
        env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri;
    }
    if (options.tokenFile !== null) {
        env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = options.tokenFile ?? tokenFile;
    }
    const started = Date.now();
    let child: ChildProcess | undefined;
    const done = new Promise<ProcessResult>((resolve) => {
        child = execFile(options.shell ?? userland.shell, [script], { env, timeout: KILL_MS, encoding: "utf8", maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
            resolve({ code, stdout, stderr, ms: Date.now() - started });
        });
    });
    return { pid: child!.pid!, done };
}

function runScript(agent: FakePodIdentityAgent | undefined, options: RunOptions = {}): Promise<ProcessResult> {
    return startScript(agent, options).done;
}

/** No token, key, secret, session token or response marker in what the script printed. */
function assertNothingLeaked(t: ExecutionContext, result: ProcessResult, alsoSecret: string[] = []): void {
    const printed = result.stdout + result.stderr;
    const secrets = [TOKEN, TOKEN.slice(0, 24), ...secretsOf(store), ...store.all().map((c) => c.accessKeyId), ...alsoSecret];
    for (const secret of secrets) {
        t.false(printed.includes(secret), `printed a secret (${secret.slice(0, 4)}…)`);
    }
}

/** A failure: the exit code, nothing on stdout, exactly one stderr line with the prefix and the cause. */
function assertFailure(t: ExecutionContext, result: ProcessResult, code: number, cause: RegExp, alsoSecret: string[] = []): void {
    t.is(result.code, code, `exit code (stderr: ${result.stderr})`);
    t.is(result.stdout, "");
    const lines = result.stderr.split("\n");
    t.is(lines.length, 2, `one stderr line, got: ${JSON.stringify(result.stderr)}`);
    t.is(lines[1], "");
    t.true(lines[0].startsWith(`${CREDENTIAL_PROCESS_STDERR_PREFIX} `), lines[0]);
    t.regex(lines[0], cause);
    t.true(result.ms < BOUND_MS, `took ${result.ms} ms`);
    assertNothingLeaked(t, result, alsoSecret);
}

/** The attempts a run made (its requests), against those a prompt agent causes: see unexplainedAttempts. */
function assertAttempts(t: ExecutionContext, result: ProcessResult, requests: AgentRequest[], prompt: number): void {
    const unexplained = unexplainedAttempts(requests.length, prompt, result.ms);
    t.is(unexplained, undefined, unexplained);
}

/** What the script must print for a credential set the agent issued, key order included. */
function credentialProcessOutput(issued: IssuedCredentials): Record<string, unknown> {
    return {
        Version: 1,
        AccessKeyId: issued.accessKeyId,
        SecretAccessKey: issued.secretAccessKey,
        SessionToken: issued.sessionToken,
        Expiration: issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
        AccountId: issued.session.account,
    };
}

/**
 * A success, judged by what the script must do, not by how many attempts the machine's speed allowed: exit 0, nothing
 * on stderr, exactly one JSON document on one line, in the credential_process format, holding a credential set the
 * agent issued: the one of the last request (it stops asking once answered); the token sent on every request and
 * printed nowhere; the attempts as assertAttempts allows (`prompt`: those a prompt agent causes). `since`: the first
 * of this run's requests, when the agent served earlier runs.
 */
function assertPrintedIssued(t: ExecutionContext, result: ProcessResult, agent: FakePodIdentityAgent, prompt = 1, since = 0): void {
    t.is(result.code, 0, `exit code (stderr: ${result.stderr})`);
    t.is(result.stderr, "");
    const lines = result.stdout.split("\n");
    t.deepEqual(lines.slice(1), [""], "one line on stdout");
    const output = JSON.parse(lines[0]) as Record<string, unknown>;
    const issued = agent.issued.find((c) => c.accessKeyId === output.AccessKeyId);
    t.truthy(issued, `printed credentials the agent issued (${agent.issued.length} issued)`);
    if (issued) {
        t.deepEqual(Object.keys(output), ["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId"]);
        t.deepEqual(output, credentialProcessOutput(issued));
        t.is(output.AccountId, ACCOUNT_A);
    }
    const requests = agent.requests.slice(since);
    t.is(requests[requests.length - 1]?.accessKeyId, output.AccessKeyId as string | undefined, "the set answered to its last request");
    // The token with its shell-, printf- and wgetrc-sensitive characters arrived byte for byte, every time.
    t.deepEqual(requests.filter((r) => !r.authorized).map((r) => r.index), [], "the token was sent on every request");
    t.deepEqual(requests.filter((r) => r.headers.accept !== "application/json").map((r) => r.headers.accept), [], "Accept: application/json on every request");
    assertAttempts(t, result, requests, prompt);
    t.false((result.stdout + result.stderr).includes(TOKEN.slice(0, 24)), "the token is not printed");
}

// ---- observing the client at work ----

/** The process that speaks HTTP to the agent: for bash, the subshell that wrote the request and became head. */
const SPEAKER: Record<Transport, string> = { curl: "curl", wget: "wget", busybox: "nc", bash: "head" };

interface ProcessView {
    pid: number;
    name: string;
    commandLine: string;
    environment: string;
    /** The targets of its open file descriptors (`socket:[inode]` for sockets). */
    files: string[];
}

async function readOr(file: string, fallback: string): Promise<string> {
    try {
        return await readFile(file, "latin1");
    } catch {
        return fallback;
    }
}

/** The state of a process, from /proc/PID/stat; undefined once it is gone. */
async function statOf(pid: number): Promise<{ state: string } | undefined> {
    const stat = await readOr(`/proc/${pid}/stat`, "");
    // "pid (comm) state …": comm may hold spaces and parentheses, so the fields are counted after the last ")".
    return stat === "" ? undefined : { state: stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] };
}

const ended = (stat: { state: string } | undefined) => stat === undefined || stat.state === "Z" || stat.state === "X";

/**
 * The live processes descended from root (itself included), as /proc shows them, and whether that view held still:
 * none of them ended while it was read (one that did may look as if it held no file, or lose its children to init).
 * Walks the tree through each thread's list of children, so a scan reads a few files, not the whole of /proc.
 */
async function processTree(root: number): Promise<{ processes: ProcessView[]; complete: boolean }> {
    const processes: ProcessView[] = [];
    let complete = true;
    for (let queue = [root]; queue.length > 0; ) {
        const pid = queue.shift()!;
        if (ended(await statOf(pid))) {
            complete &&= pid !== root;
            continue;
        }
        for (const thread of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
            const children = await readOr(`/proc/${pid}/task/${thread}/children`, "");
            queue = queue.concat(children.split(" ").filter(Boolean).map(Number));
        }
        const commandLine = await readOr(`/proc/${pid}/cmdline`, "");
        const environment = await readOr(`/proc/${pid}/environ`, "");
        let files: string[] = [];
        try {
            const fds = await readdir(`/proc/${pid}/fd`);
            files = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")));
        } catch {
            // Ended meanwhile: its command line and environment, if read, are still checked.
        }
        complete &&= !ended(await statOf(pid));
        processes.push({ pid, name: path.basename(commandLine.split("\0")[0]), commandLine, environment, files });
    }
    return { processes, complete };
}

/** The inode of the loopback TCP socket from localPort to remotePort (the client's end of a connection), if open. */
async function socketInode(localPort: number, remotePort: number): Promise<string | undefined> {
    const port = (address: string) => parseInt(address.split(":")[1], 16);
    for (const line of (await readOr("/proc/net/tcp", "")).split("\n").slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields.length > 9 && port(fields[1]) === localPort && port(fields[2]) === remotePort) {
            return fields[9];
        }
    }
    return undefined;
}

interface Observation {
    /** The process found alone at the client's end of a held connection, once it was the expected one. */
    speaker?: string;
    /** The attempt (from 0) in which it was found. */
    attempt?: number;
    /** Every process of the run that had the token (or an Authorization header) in its command line or environment. */
    leaks: string[];
    /** The names of the run's processes seen. */
    seen: string[];
}

/**
 * Scans the run's processes while the agent holds its exchange open: the client has sent its request and waits for
 * the answer, which does not come until the scan is done (release). Scans until the one process holding the client's
 * end of that connection is the expected speaker (bash's subshell becomes head just after writing the request, so
 * that the watchdog's one process id covers the whole exchange), checking every process of the run each time. Only
 * the attempt's own 2-s timeout can end a held exchange first; the next attempt is then held and scanned alike.
 */
async function observeHeldExchange(agent: FakePodIdentityAgent, root: number, speaker: string, done: Promise<ProcessResult>): Promise<Observation> {
    const agentPort = Number(new URL(agent.url).port);
    const leaks = new Set<string>();
    const seen = new Set<string>();
    let finished = false;
    void done.then(() => (finished = true));
    for (let attempt = 0; attempt < LIMITS.attempts && !finished; attempt++) {
        const request = await Promise.race([agent.arrival(attempt), done.then(() => undefined)]);
        while (request && request.closedAt === undefined && !finished) {
            const inode = await socketInode(request.remotePort, agentPort);
            const { processes: tree, complete } = await processTree(root);
            for (const p of tree.filter((p) => p.name !== "")) {
                seen.add(p.name);
                if (p.commandLine.includes(TOKEN.slice(0, 24)) || p.commandLine.includes("Authorization")) {
                    leaks.add(`${p.name} (${p.pid}): command line`);
                }
                if (p.environment.includes(TOKEN.slice(0, 24))) {
                    leaks.add(`${p.name} (${p.pid}): environment`);
                }
            }
            const owners = inode === undefined ? [] : tree.filter((p) => p.files.includes(`socket:[${inode}]`));
            if (complete && owners.length === 1 && owners[0].name === speaker && request.closedAt === undefined) {
                return { speaker, attempt, leaks: [...leaks], seen: [...seen] };
            }
            await new Promise((resolve) => setTimeout(resolve, 5));
        }
    }
    return { leaks: [...leaks], seen: [...seen] };
}

// ---- the script itself ----

test("the library serves provider/crossAccount/credential-process.sh as it is in the package", (t) => {
    t.is(path.relative(path.resolve(__dirname, "..", ".."), CREDENTIAL_PROCESS_SCRIPT_PATH), path.join("provider", "crossAccount", "credential-process.sh"));
    t.is(CREDENTIAL_PROCESS_SCRIPT, readFileSync(CREDENTIAL_PROCESS_SCRIPT_PATH, "utf8"));
});

test("POSIX sh: parses under dash, busybox sh and bash, starts with #!/bin/sh, documents every exit code", (t) => {
    execFileSync(DASH, ["-n", script]);
    execFileSync(BUSYBOX, ["sh", "-n", script]);
    execFileSync(which("bash"), ["-n", script]);
    t.true(CREDENTIAL_PROCESS_SCRIPT.startsWith("#!/bin/sh\n"));
    for (const [name, code] of Object.entries(EXIT)) {
        t.regex(CREDENTIAL_PROCESS_SCRIPT, new RegExp(`^#\\s+${code}\\s+\\S`, "m"), `exit code ${code} (${name}) documented in the header`);
        if (code !== 0) {
            t.regex(CREDENTIAL_PROCESS_SCRIPT, new RegExp(`fail ${code} |code=${code} `), `exit code ${code} (${name}) used`);
        }
    }
    // Common bash-isms that dash would reject or misread, in the shell part (the awk program has its own functions).
    const shell = CREDENTIAL_PROCESS_SCRIPT.replace(/\| awk '[^']*'\)/, "");
    t.true(shell.length < CREDENTIAL_PROCESS_SCRIPT.length - 2000, "the awk program was cut out");
    for (const bashism of [/\[\[/, /\bfunction\s+\w+/, /\$'/, /<<</, /\blocal\s/, /\bdeclare\b/, /\$\{\w+\/\//, /\bsource\s/, /\bpipefail\b/, /&>/]) {
        t.notRegex(shell, bashism);
    }
    t.is<number, number>(CREDENTIAL_PROCESS_LIMITS.worstCaseSeconds, 3 * 2 + 0.5 + 1);
});

// ---- success ----

for (const client of TRANSPORTS) {
    test(`${client}: prints the agent's credentials in the credential_process format`, async (t) => {
        // Every answer pretty (escaped slashes, line breaks), whichever attempt gets it.
        const agent = (await agentWith()).always({ kind: "ok", pretty: true });
        try {
            assertPrintedIssued(t, await runScript(agent, { client }), agent);
            t.false(JSON.stringify(agent.requests).includes(TOKEN.slice(0, 24)), "the agent records no token");
        } finally {
            await agent.stop();
        }
    });
}

test("bash: also when bash itself runs the script (no start-over)", async (t) => {
    const agent = await agentWith({ kind: "ok" });
    try {
        assertPrintedIssued(t, await runScript(agent, { client: "bash", shell: which("bash") }), agent);
    } finally {
        await agent.stop();
    }
});

for (const client of TRANSPORTS) {
    test(`${client}: string values are copied byte for byte, escapes included, whatever the layout and field order`, async (t) => {
        const body = [
            "{",
            '  "Expiration" : "2031-02-03T04:05:06Z" ,',
            '  "Nested": {"AccessKeyId": 5, "list": [1, -2.5e3, true, false, null, "x\\"y", {}, []]},',
            '  "Token":"tok\\/en\\"quote\\\\back\\u00e9\\n+/=",',
            '\t"AccessKeyId": "ASIA\\/ESCAPED",',
            '  "SecretAccessKey":',
            '     "se\\/cr\\"et\\\\x\\t\\b\\f\\r",',
            '  "AccountId": "111111111111"',
            "}",
            "",
        ].join("\r\n");
        // Every attempt gets this body: a retried attempt must not change what is printed.
        const agent = (await agentWith()).always({ kind: "body", body });
        try {
            const result = await runScript(agent, { client });
            t.is(result.code, 0, result.stderr);
            t.true(agent.requests.every((r) => r.authorized));
            assertAttempts(t, result, agent.requests, 1);
            t.is(
                result.stdout,
                '{"Version":1,"AccessKeyId":"ASIA\\/ESCAPED","SecretAccessKey":"se\\/cr\\"et\\\\x\\t\\b\\f\\r",' +
                    '"SessionToken":"tok\\/en\\"quote\\\\back\\u00e9\\n+/=","Expiration":"2031-02-03T04:05:06Z","AccountId":"111111111111"}\n',
            );
            t.is((JSON.parse(result.stdout) as { SessionToken: string }).SessionToken, 'tok/en"quote\\backé\n+/=');
        } finally {
            await agent.stop();
        }
    });
}

test("the token is read anew on every run (it rotates)", async (t) => {
    const rotating = path.join(work, "rotating-token");
    const agent = new FakePodIdentityAgent({ store, tokenFile: rotating, sourceRoleArn: SOURCE_ROLE, clusterArn: CLUSTER_ARN, namespace: NAMESPACE, serviceAccount: SERVICE_ACCOUNT });
    await agent.start();
    try {
        // The agent checks each request against the file as it is then: a token kept from the first run is refused.
        writeFileSync(rotating, "first-token");
        assertPrintedIssued(t, await runScript(agent, { tokenFile: rotating }), agent);
        const second = agent.requests.length;
        writeFileSync(rotating, "second-token");
        assertPrintedIssued(t, await runScript(agent, { tokenFile: rotating }), agent, 1, second);
    } finally {
        await agent.stop();
    }
});

test("500 then 200: retried, succeeds", async (t) => {
    const agent = await agentWith({ kind: "status", status: 500 }, { kind: "ok" });
    try {
        assertPrintedIssued(t, await runScript(agent), agent, 2);
        // An attempt that gave up before its answer was written (a busy machine) was answered nothing.
        const statuses = agent.requests.filter((r) => r.answeredAt !== undefined).map((r) => r.status);
        t.is(statuses[0], 500);
        t.deepEqual(statuses.slice(1).filter((s) => s !== 200), [], "every attempt after the 500 got credentials");
    } finally {
        await agent.stop();
    }
});

test("429 then 200: retried, succeeds", async (t) => {
    const agent = await agentWith({ kind: "status", status: 429 }, { kind: "ok" });
    try {
        assertPrintedIssued(t, await runScript(agent), agent, 2);
        // An attempt that gave up before its answer was written (a busy machine) was answered nothing.
        const statuses = agent.requests.filter((r) => r.answeredAt !== undefined).map((r) => r.status);
        t.is(statuses[0], 429);
        t.deepEqual(statuses.slice(1).filter((s) => s !== 200), [], "every attempt after the 429 got credentials");
    } finally {
        await agent.stop();
    }
});

// ---- failures ----

test("AWS_CONTAINER_CREDENTIALS_FULL_URI missing", async (t) => {
    assertFailure(t, await runScript(undefined), EXIT.missingEnvironment, /AWS_CONTAINER_CREDENTIALS_FULL_URI is not set/);
});

test("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE missing", async (t) => {
    const result = await runScript(undefined, { uri: "http://169.254.170.23/v1/credentials", tokenFile: null });
    assertFailure(t, result, EXIT.missingEnvironment, /AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is not set/);
});

for (const client of TRANSPORTS) {
    test(`${client}: token file missing, empty, or with a line break`, async (t) => {
        const agent = await agentWith();
        try {
            const missing = path.join(work, `no-such-token-${client}`);
            assertFailure(t, await runScript(agent, { client, tokenFile: missing }), EXIT.tokenFile, /token file .*no-such-token-\w+ .*does not exist/);
            const empty = path.join(work, `empty-token-${client}`);
            writeFileSync(empty, "");
            assertFailure(t, await runScript(agent, { client, tokenFile: empty }), EXIT.tokenFile, /token file .*empty-token-\w+ .*is empty/);
            const newline = path.join(work, `newline-token-${client}`);
            writeFileSync(newline, `${TOKEN}\n`);
            assertFailure(t, await runScript(agent, { client, tokenFile: newline }), EXIT.tokenFile, /contains a line break/);
            assertFailure(t, await runScript(agent, { client, tokenFile: work }), EXIT.tokenFile, /is not a readable file/);
            t.is(agent.requests.length, 0, "nothing is sent without a usable token");
        } finally {
            await agent.stop();
        }
    });
}

const REFUSED = [
    ["http://10.0.0.7/v1/credentials", /plain http to 10\.0\.0\.7: http is allowed only to loopback/],
    ["http://169.254.169.254/latest/meta-data", /plain http to 169\.254\.169\.254/],
    ["http://169.254.170.22/v1/credentials", /plain http to 169\.254\.170\.22/],
    ["http://127.1/v1/credentials", /plain http to 127\.1/],
    ["http://127.0.0.256/", /plain http to 127\.0\.0\.256/],
    ["http://localhost.example.com/", /plain http to localhost\.example\.com/],
    ["http://[fd00:ec2::24]/", /plain http to \[fd00:ec2::24\]/],
    ["http://[::ffff:127.0.0.1]/", /plain http to \[::ffff:127\.0\.0\.1\]/],
    ["http://127.0.0.1@10.0.0.7/", /contains user information/],
    ["http://10.0.0.7%2f@127.0.0.1/", /contains user information/],
    ["http://127.0.0.1%2e/", /percent-encoded host/],
    ["ftp://127.0.0.1/", /has the scheme ftp/],
    ["file:///etc/passwd", /has no host/],
    ["169.254.170.23/v1/credentials", /is not an absolute URL/],
    ["http://127.0.0.1 /", /characters that are not allowed/],
    ["http://127.0.0.1\\@10.0.0.7/", /characters that are not allowed/],
    ["http://127.0.0.1:80x/", /malformed port/],
    ["http://127.0.0.1:/", /empty port/],
] as const;

test("endpoint refused: plain http to hosts that are neither loopback nor container-credential hosts, odd URLs", async (t) => {
    const record = mkdtempSync(path.join(work, "record-refused-"));
    const results = await Promise.all(REFUSED.map(([uri]) => runScript(undefined, { uri, client: "recordingCurl", env: { RECORD_DIR: record } })));
    REFUSED.forEach(([uri, cause], i) => {
        t.log(`${uri} -> ${results[i].stderr.trim()}`);
        assertFailure(t, results[i], EXIT.endpointRefused, new RegExp(`endpoint refused: AWS_CONTAINER_CREDENTIALS_FULL_URI .*${cause.source}`));
    });
    t.false(existsSync(path.join(record, "argv")), "no request was attempted");
});

for (const client of ["wget", "busybox", "bash"] as const) {
    test(`${client}: endpoint refused alike`, async (t) => {
        const results = await Promise.all(REFUSED.map(([uri]) => runScript(undefined, { uri, client })));
        REFUSED.forEach(([, cause], i) => {
            assertFailure(t, results[i], EXIT.endpointRefused, new RegExp(`endpoint refused: AWS_CONTAINER_CREDENTIALS_FULL_URI .*${cause.source}`));
        });
    });
}

const ACCEPTED = [
    "http://169.254.170.23/v1/credentials",
    "http://169.254.170.2/v2/credentials/abc",
    "http://[fd00:ec2::23]/v1/credentials",
    "HTTP://[FD00:EC2::23]:80/v1/credentials",
    "http://127.0.0.1:2703/v1/credentials",
    "http://127.255.0.10/",
    "http://localhost:8080/creds",
    "http://LOCALHOST/creds",
    "http://[::1]:9000/creds",
    "https://credentials.example.com/v1/credentials?x=1",
    "https://10.0.0.7:8443/creds",
];

test("endpoint accepted: the SDK's list, with the token on curl's standard input, never on its command line", async (t) => {
    // The recording curl fails to connect: nothing leaves the machine, and the script retries, then gives up.
    const runs = await Promise.all(
        ACCEPTED.map(async (uri, i) => {
            const record = path.join(work, `record-accepted-${i}`);
            mkdirSync(record);
            return { uri, record, result: await runScript(undefined, { uri, client: "recordingCurl", env: { RECORD_DIR: record } }) };
        }),
    );
    for (const { uri, record, result } of runs) {
        assertFailure(t, result, EXIT.agentUnreachable, /is unreachable after 3 attempts/);
        const argv = readFileSync(path.join(record, "argv"), "utf8");
        t.is(argv.split("\n").filter((a) => a === uri).length, CREDENTIAL_PROCESS_LIMITS.attempts, `${uri} requested 3 times`);
        t.false(argv.includes(TOKEN.slice(0, 24)), "token not in argv");
        t.true(argv.split("\n").includes("-q"), "curl ignores .curlrc");
        t.is(readFileSync(path.join(record, "stdin"), "utf8"), `Authorization: ${TOKEN}\nAccept: application/json\n`.repeat(CREDENTIAL_PROCESS_LIMITS.attempts));
    }
});

// Serial: its runs, eight at a time, would slow this file's other tests past their bounds on a loaded machine.
test.serial("bash: its temporary directory outlives the watchdogs it stops (a subshell signalled just after its fork leaves it alone)", async (t) => {
    // Each attempt starts a watchdog and, the agent refusing the connection, stops it with USR1 at once, often before
    // the just-forked watchdog has reset the traps it inherited; bash then runs the inherited EXIT trap in it. Were that
    // trap to remove the directory, a later attempt would fail to write its answer there ("No such file or directory"
    // before the one-line failure). Concurrent runs, to meet that window: it was hit in about one run in twenty.
    const agent = await agentWith();
    await agent.down();
    const uri = agent.url.replace("127.0.0.1", "127.0.0.2");
    const stderrs: string[] = [];
    for (let batch = 0; batch < 5; batch++) {
        const results = await Promise.all(Array.from({ length: 8 }, () => runScript(agent, { client: "bash", uri })));
        stderrs.push(...results.map((r) => r.stderr));
    }
    const expected = /^pod-identity-credentials: the agent at 127\.0\.0\.2 is unreachable after 3 attempts[^\n]*\n$/;
    t.deepEqual(stderrs.filter((e) => !expected.test(e)), [], "every run failed the same way, on its own terms");
    t.is(stderrs.length, 40);
});

for (const client of TRANSPORTS) {
    test(`${client}: agent down: unreachable after 3 attempts, bounded`, async (t) => {
        // 127.0.0.2: the fakes listen on 127.0.0.1 only, so a port freed here and reused by another test's agent
        // still refuses connections on this address.
        const agent = await agentWith();
        await agent.down();
        const result = await runScript(agent, { client, uri: agent.url.replace("127.0.0.1", "127.0.0.2") });
        assertFailure(t, result, EXIT.agentUnreachable, /the agent at 127\.0\.0\.2 is unreachable after 3 attempts/);
        // A lower bound: the pauses (0.5 s, 1 s) cannot be cut short, however busy the machine.
        const pauses = LIMITS.backoffSeconds.reduce((a: number, b) => a + b, 0) * 1000;
        t.true(result.ms >= pauses, `backed off between attempts (${result.ms} ms)`);
    });

    test(`${client}: 403 (wrong token): not retried`, async (t) => {
        const agent = await agentWith();
        const wrong = path.join(work, `wrong-token-${client}`);
        writeFileSync(wrong, "not-the-pod-token");
        try {
            const result = await runScript(agent, { client, tokenFile: wrong });
            assertFailure(t, result, EXIT.agentRejected, /refused the request with HTTP 403/, ["not-the-pod-token"]);
            assertAttempts(t, result, agent.requests, 1);
            t.true(agent.requests.every((r) => r.hadAuthorization && !r.authorized));
        } finally {
            await agent.stop();
        }
    });

    test(`${client}: 500 on every attempt`, async (t) => {
        const agent = await agentWith();
        agent.always({ kind: "status", status: 503 });
        try {
            const result = await runScript(agent, { client });
            // Every attempt fails, answered or timed out: the script's limit decides their number.
            t.is(agent.requests.length, LIMITS.attempts);
            if (result.code === EXIT.agentError) {
                assertFailure(t, result, EXIT.agentError, /answered HTTP 503 after 3 attempts/);
            } else {
                // The last answer came after that attempt's timeout (a busy machine): the script reports the
                // timeout, which it can only have met if the run lasted that timeout and the pauses.
                assertFailure(t, result, TIMEOUT_EXIT[client], TIMEOUT_CAUSE[client]);
                const least = (LIMITS.requestTimeoutSeconds + LIMITS.backoffSeconds.reduce((a: number, b) => a + b, 0)) * 1000;
                t.true(result.ms >= least, `a timeout in ${result.ms} ms`);
            }
        } finally {
            await agent.stop();
        }
    });

    test(`${client}: slow past the timeout: 3 attempts, bounded`, async (t) => {
        // The agent never answers: only the script's own timeouts end each attempt, and its limit their number.
        const agent = await agentWith();
        agent.always({ kind: "hold" });
        try {
            const result = await runScript(agent, { client });
            assertFailure(t, result, TIMEOUT_EXIT[client], TIMEOUT_CAUSE[client]);
            t.is(agent.requests.length, LIMITS.attempts);
            t.true(agent.requests.every((r) => r.authorized && r.answeredAt === undefined));
            // Each attempt waited its full request timeout, and the pauses came between them: a lower bound. The upper
            // bound (assertFailure's, four times this) shows it gave up by itself; the agent would have waited forever.
            t.true(result.ms >= LIMITS.worstCaseSeconds * 1000, `waited out every timeout: ${result.ms} ms`);
        } finally {
            await agent.stop();
        }
    });

    test(`${client}: 500 then 200 succeeds; garbage fails`, async (t) => {
        const agent = await agentWith({ kind: "status", status: 500 }, { kind: "ok" });
        try {
            assertPrintedIssued(t, await runScript(agent, { client }), agent, 2);
            const second = agent.requests.length;
            agent.always({ kind: "body", body: "<html>GARBAGE-MARKER</html>" });
            const garbage = await runScript(agent, { client });
            assertFailure(t, garbage, EXIT.badResponse, /response is unusable: it is not a JSON object/, ["GARBAGE-MARKER"]);
            assertAttempts(t, garbage, agent.requests.slice(second), 1);
        } finally {
            await agent.stop();
        }
    });

    test(`${client}: a response over 64 KiB is refused, not retried`, async (t) => {
        const body = `{"AccessKeyId":"A","SecretAccessKey":"GARBAGE-MARKER","Token":"${"t".repeat(200_000)}","Expiration":"2031-01-01T00:00:00Z"}`;
        const agent = (await agentWith()).always({ kind: "body", body });
        try {
            const result = await runScript(agent, { client });
            assertFailure(t, result, EXIT.badResponse, /the agent's response is unusable: it is larger than 64 KiB/, ["GARBAGE-MARKER"]);
            assertAttempts(t, result, agent.requests, 1);
        } finally {
            await agent.stop();
        }
    });

    // Serial, so before this file's concurrent tests: their dozens of processes would only slow the scan, whose window
    // is the attempt's 2-s timeout.
    test.serial(`${client}: the token is on no command line or environment while the client is at work, and nothing is left behind`, async (t) => {
        // The agent holds the exchange open until the scan is done: the client is then connected and waiting, and
        // the scan cannot miss it, however slowly either side runs.
        const agent = (await agentWith()).hold();
        const tmp = mkdtempSync(path.join(work, `tmpdir-${client}-`));
        const helper = startScript(agent, { client, env: { TMPDIR: tmp } });
        let observed: Observation;
        try {
            observed = await observeHeldExchange(agent, helper.pid, SPEAKER[client], helper.done);
        } finally {
            agent.release();
        }
        try {
            const result = await helper.done;
            const exchanges = agent.requests.map((r) => `#${r.index} ${r.closedAt === undefined ? "open" : `closed after ${Math.round(r.closedAt - r.arrivedAt)} ms`}`);
            t.log(`observed in attempt ${observed.attempt}; processes of the run: ${observed.seen.join(", ")}; exchanges: ${exchanges.join(", ")}`);
            t.deepEqual(observed.leaks, [], "no process of the run had the token in its command line or environment");
            t.is(
                observed.speaker,
                SPEAKER[client],
                `the scan saw ${SPEAKER[client]} at work, at the client's end of the held connection (processes seen: ${observed.seen.join(", ")}; ` +
                    `exchanges: ${exchanges.join(", ")}; exit ${result.code}: ${result.stderr.trim()})`,
            );
            assertPrintedIssued(t, result, agent);
            t.deepEqual(readdirSync(tmp), [], "its temporary directory is removed");
            const wrong = path.join(work, `wrong-token-scan-${client}`);
            writeFileSync(wrong, "not-the-pod-token");
            const since = agent.requests.length;
            const refused = await runScript(agent, { client, tokenFile: wrong, env: { TMPDIR: tmp } });
            assertFailure(t, refused, EXIT.agentRejected, /HTTP 403/, ["not-the-pod-token"]);
            assertAttempts(t, refused, agent.requests.slice(since), 1);
            t.deepEqual(readdirSync(tmp), [], "also after a failure");
        } finally {
            await agent.stop();
        }
    });
}

test("wget: its start-up file (the token) is removed, and the token never reaches a command line", async (t) => {
    const agent = await agentWith();
    const tmp = mkdtempSync(path.join(work, "tmpdir-"));
    try {
        assertPrintedIssued(t, await runScript(agent, { client: "wget", env: { TMPDIR: tmp } }), agent);
        t.deepEqual(readdirSync(tmp), []);
    } finally {
        await agent.stop();
    }
});

const UNUSABLE: [string, string, RegExp][] = [
    ["truncated", '{"AccessKeyId":"ASIAX","SecretAccessKey":"GARBAGE-MARKER",', /it is not valid JSON/],
    ["empty", "", /it is not a JSON object/],
    ["an array", '["GARBAGE-MARKER"]', /it is not a JSON object/],
    ["no SecretAccessKey", '{"AccessKeyId":"ASIAX","Token":"GARBAGE-MARKER","Expiration":"2031-01-01T00:00:00Z"}', /it has no SecretAccessKey/],
    ["no Token", '{"AccessKeyId":"ASIAX","SecretAccessKey":"GARBAGE-MARKER","Expiration":"2031-01-01T00:00:00Z"}', /it has no Token/],
    ["no Expiration", '{"AccessKeyId":"ASIAX","SecretAccessKey":"GARBAGE-MARKER","Token":"t"}', /it has no Expiration/],
    ["a number", '{"AccessKeyId":5,"SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z"}', /AccessKeyId is not a string/],
    ["an empty key", '{"AccessKeyId":"","SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z"}', /its AccessKeyId is empty/],
    ["a duplicate", '{"AccessKeyId":"A","AccessKeyId":"B","SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z"}', /it has AccessKeyId twice/],
    ["trailing data", '{"AccessKeyId":"A","SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z"} {}', /it has data after the JSON object/],
    ["a bad date", '{"AccessKeyId":"A","SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"tomorrow"}', /its Expiration is not an RFC 3339 date-time/],
    ["a raw line break in a string", '{"AccessKeyId":"A","SecretAccessKey":"GARBAGE\nMARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z"}', /it is not valid JSON/],
    ["a bad escape", '{"AccessKeyId":"A\\x","SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z"}', /it is not valid JSON/],
    ["too large", `{"AccessKeyId":"A","SecretAccessKey":"GARBAGE-MARKER","Token":"${"t".repeat(70_000)}","Expiration":"2031-01-01T00:00:00Z"}`, /it is larger than 64 KiB/],
    ["a bare word", '{"AccessKeyId":"A","SecretAccessKey":"GARBAGE-MARKER","Token":"t","Expiration":"2031-01-01T00:00:00Z","x":nope}', /it is not valid JSON/],
];

test("unusable responses: each named, none printed", async (t) => {
    const agent = await agentWith();
    try {
        for (const [what, body, cause] of UNUSABLE) {
            // Every attempt of this run gets this body, whichever attempt's answer the script reads.
            agent.always({ kind: "body", body });
            const since = agent.requests.length;
            const result = await runScript(agent);
            t.log(`${what} -> ${result.stderr.trim()}`);
            assertFailure(t, result, EXIT.badResponse, new RegExp(`the agent's response is unusable: ${cause.source}`), ["GARBAGE-MARKER", "GARBAGE"]);
            // A bad response is not retried.
            assertAttempts(t, result, agent.requests.slice(since), 1);
        }
    } finally {
        await agent.stop();
    }
});

test("404: refused, not retried", async (t) => {
    const agent = await agentWith();
    try {
        const result = await runScript(agent, { uri: agent.url.replace("/v1/credentials", "/v2/credentials") });
        assertFailure(t, result, EXIT.agentRejected, /refused the request with HTTP 404/);
        assertAttempts(t, result, agent.requests, 1);
    } finally {
        await agent.stop();
    }
});

test("dash with no client and no bash: refused, naming the clients and credentialSource ecsContainer", async (t) => {
    const agent = await agentWith();
    try {
        const result = await runScript(agent, { client: "dash" });
        assertFailure(
            t,
            result,
            EXIT.noHttpClient,
            /no way to speak HTTP to the agent: install curl \(7\.55 or later\) or GNU wget \(1\.17 or later\), or give the image busybox with nc, or bash; or set the component's credentialSource: "ecsContainer"/,
        );
        t.is(agent.requests.length, 0);
    } finally {
        await agent.stop();
    }
});

for (const client of ["busybox", "bash"] as const) {
    test(`${client}: an https endpoint needs curl or GNU wget`, async (t) => {
        const result = await runScript(undefined, { client, uri: "https://credentials.example.com/v1/credentials" });
        assertFailure(t, result, EXIT.noHttpClient, /no HTTP client for the https endpoint: busybox nc and bash speak plain http only; install curl .*credentialSource: "ecsContainer"/);
    });
}
