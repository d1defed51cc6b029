import test, { ExecutionContext } from "ava";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { POD_IDENTITY_SESSION_TAGS } from "../provider";
import {
    ACCOUNT_A,
    ACCOUNT_B,
    CrossAccountScenario,
    EXTERNAL_ID,
    FORBIDDEN,
    OTHER_NAMESPACE,
    PARTNER,
    POD_REGION,
    PROFILE_REGIONS,
    PROFILES,
    ProcessResult,
    READER,
    READER_DURATION_SECONDS,
    run,
    sdkResolve,
    SOURCE_ROLE,
    TOKEN,
} from "./support/crossAccountScenario";
import { secretsOf } from "./support/fakeAws";
import { StsCall } from "./support/fakeSts";
import { assumedRoleArnOf } from "./support/awsIds";

/**
 * The proofs of cross-account role chaining through the rendered AWS config file: real clients (the AWS SDK for
 * JavaScript v3, AWS CLI v1 / botocore, the AWS SDK for Go v2 and boto3) in a pod's environment, against a fake Pod
 * Identity agent and a fake STS that checks every signature and evaluates the target roles' trust policies (built by
 * buildCrossAccountTrustPolicy).
 *
 * For each credential source of the config file (`process`: the helper script through credential_process;
 * `ecsContainer`: the SDK reads the agent itself) and each client:
 * - the `reader` profile resolves account-B credentials: STS saw AssumeRole signed with the agent's account-A
 *   credentials (valid signature, matching session token), the trust policy allowed the source role with the pod's
 *   six transitive session tags, and GetCallerIdentity with the new credentials answers the account-B assumed role;
 * - the `partner` profile (externalId trust) is admitted whether or not the session carries transitive tags: its
 *   trust allows sts:TagSession in a statement of its own (sts:TagSession has no sts:ExternalId in its context);
 * - `forbidden` (trusts another source role) and `other-namespace` (trusts another namespace) are denied, and the
 *   client surfaces STS's AccessDenied;
 * - the chained AssumeRole is signed for the region the client takes from the profile (the cluster's by default,
 *   the partner target's own), although the pod's AWS_REGION names another, except for the Go SDK, which lets the
 *   environment's region win (and then signs for the profile's region only when the pod sets none: tested below).
 * STS is redirected with AWS_ENDPOINT_URL_STS, which every client honours for the STS client it uses internally.
 *
 * The tests run one after another (each still runs its profiles' clients together): the fakes answer from this test
 * process, and with every test's clients started at once (JVM, Go and Python processes by the dozen) a busy machine
 * starved it past the helper's 2-s request timeout, so the verdict depended on the load, not on the chain.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const AWS_CLI = path.join(ROOT, ".venv-aws-cli", "bin", "aws");
const GO_CLIENT = path.join(ROOT, ".clients-bin", "caller-identity-go");
const BOTO3_PYTHON = path.join(ROOT, ".venv-boto3", "bin", "python");
const BOTO3_SCRIPT = path.join(ROOT, "tests", "clients", "boto3", "caller_identity.py");

type Source = "process" | "ecsContainer";
const SOURCES: Source[] = ["process", "ecsContainer"];

interface Outcome {
    ok: boolean;
    arn?: string;
    account?: string;
    /** Error code the client surfaced (JS: error name; CLI: from its message; Go and boto3: the API error code). */
    error?: string;
    printed: string;
}

type Client = (scenario: CrossAccountScenario, source: Source, profile: string, extraEnv?: Record<string, string | undefined>) => Promise<Outcome>;

interface ClientUnderTest {
    name: string;
    call: Client;
    /** What must be installed first (by `npm run setup:clients` or `setup:aws-cli`), and how. */
    installed?: { path: string; setup: string };
    /**
     * Where the client takes the region of the chained AssumeRole from when the pod's AWS_REGION differs from the
     * profile's: the profile (JS SDK v3, botocore) or the environment (Go SDK v2).
     */
    assumeRoleRegionFrom: "profile" | "environment";
}

const jsClient =
    (mode: "ini" | "chain"): Client =>
    async (scenario, source, profile, extraEnv) => {
        const r = await sdkResolve(mode, scenario.env(source, profile, extraEnv));
        return { ok: r.ok, arn: r.arn, account: r.account, error: r.ok ? undefined : r.name, printed: JSON.stringify(r) + r.stderr };
    };

const cliClient: Client = async (scenario, source, profile, extraEnv) => {
    const r: ProcessResult = await run(AWS_CLI, ["sts", "get-caller-identity", "--output", "json"], scenario.env(source, profile, extraEnv));
    if (r.code === 0) {
        const identity = JSON.parse(r.stdout) as { Arn: string; Account: string };
        return { ok: true, arn: identity.Arn, account: identity.Account, printed: r.stdout + r.stderr };
    }
    return { ok: false, error: /An error occurred \((\w+)\)/.exec(r.stderr)?.[1] ?? `exit ${r.code}: ${r.stderr}`, printed: r.stdout + r.stderr };
};

/** A program of ours that prints one JSON line `{ok, arn, account, error, message}` (tests/clients/go, boto3). */
const jsonLineClient =
    (file: string, args: string[]): Client =>
    async (scenario, source, profile, extraEnv) => {
        const r = await run(file, args, scenario.env(source, profile, extraEnv));
        const printed = r.stdout + r.stderr;
        try {
            const line = JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as { ok: boolean; arn?: string; account?: string; error?: string };
            return { ok: line.ok, arn: line.arn, account: line.account, error: line.error, printed };
        } catch {
            return { ok: false, error: `exit ${r.code}: no JSON line`, printed };
        }
    };

const JS_INI: ClientUnderTest = { name: "JS SDK v3 fromIni", call: jsClient("ini"), assumeRoleRegionFrom: "profile" };
const JS_CHAIN: ClientUnderTest = { name: "JS SDK v3 default chain (fromNodeProviderChain)", call: jsClient("chain"), assumeRoleRegionFrom: "profile" };
const AWS_CLI_V1: ClientUnderTest = {
    name: "AWS CLI v1 (botocore)",
    call: cliClient,
    installed: { path: AWS_CLI, setup: "npm run setup:aws-cli" },
    assumeRoleRegionFrom: "profile",
};
const GO_SDK_V2: ClientUnderTest = {
    name: "Go SDK v2 (config.LoadDefaultConfig)",
    call: jsonLineClient(GO_CLIENT, []),
    installed: { path: GO_CLIENT, setup: "npm run setup:clients" },
    assumeRoleRegionFrom: "environment",
};
const BOTO3: ClientUnderTest = {
    name: "boto3 (boto3.Session)",
    call: jsonLineClient(BOTO3_PYTHON, [BOTO3_SCRIPT]),
    installed: { path: BOTO3_PYTHON, setup: "npm run setup:clients" },
    assumeRoleRegionFrom: "profile",
};
const CLIENTS: ClientUnderTest[] = [JS_INI, JS_CHAIN, AWS_CLI_V1, GO_SDK_V2, BOTO3];

function assertInstalled(t: ExecutionContext, client: ClientUnderTest): void {
    if (client.installed) {
        t.true(existsSync(client.installed.path), `${client.name} is not installed at ${client.installed.path}: run ${client.installed.setup}`);
    }
}

/** The region a client must sign the chained AssumeRole of `profile` for, in the scenario's pod environment. */
function expectedAssumeRoleRegion(client: ClientUnderTest, profile: string): string {
    return client.assumeRoleRegionFrom === "profile" ? PROFILE_REGIONS[profile] : POD_REGION;
}

function assumeRoleCalls(scenario: CrossAccountScenario, roleArn: string): StsCall[] {
    return scenario.sts.calls.filter((c) => c.action === "AssumeRole" && c.roleArn === roleArn);
}

type Decisions = { assumeRole: "allow" | "implicit"; tagSession?: "allow" | "implicit" };

/** The chained AssumeRole: signed with the agent's account-A credentials, evaluated against the trust policy. */
function assertChainedCall(t: ExecutionContext, scenario: CrossAccountScenario, call: StsCall, expected: Decisions, tagged = true): void {
    const allowed = expected.assumeRole === "allow" && (!tagged || expected.tagSession === "allow");
    t.is(call.keyIssuer, "agent", "signed with the credentials the Pod Identity agent issued");
    t.true(call.signatureOk, "SigV4 signature valid");
    t.true(call.sessionTokenOk, "session token is the one issued with the key");
    const source = scenario.store.lookup(call.accessKeyId)!;
    t.is(source.session.roleArn, SOURCE_ROLE);
    t.is(source.session.account, ACCOUNT_A);
    t.truthy(scenario.agent.issued.find((c) => c.accessKeyId === call.accessKeyId));
    if (tagged) {
        t.deepEqual(Object.keys(call.requestTags ?? {}).sort(), [...POD_IDENTITY_SESSION_TAGS].sort(), "the six transitive session tags rode along");
        t.deepEqual(call.requestTags, scenario.agent.sessionTags);
    } else {
        t.deepEqual(call.requestTags, {});
    }
    t.truthy(call.trust, "the trust policy was evaluated");
    t.is(call.trust!.allowed, allowed);
    const decisions = Object.fromEntries(Object.entries(call.trust!.perAction).map(([action, d]) => [action, d.decision]));
    t.deepEqual(decisions, tagged ? { "sts:AssumeRole": expected.assumeRole, "sts:TagSession": expected.tagSession } : { "sts:AssumeRole": expected.assumeRole });
    if (allowed) {
        t.is(call.status, 200);
    } else {
        t.is(call.status, 403);
        t.is(call.error, "AccessDenied");
    }
}

const ALLOWED: Decisions = { assumeRole: "allow", tagSession: "allow" };
const DENIED: Decisions = { assumeRole: "implicit", tagSession: "implicit" };

function assertNoSecretPrinted(t: ExecutionContext, scenario: CrossAccountScenario, outcome: Outcome): void {
    for (const secret of [TOKEN, ...secretsOf(scenario.store)]) {
        t.false(outcome.printed.includes(secret), "a secret was printed");
    }
}

async function prove(t: ExecutionContext, client: ClientUnderTest, source: Source): Promise<void> {
    assertInstalled(t, client);
    const scenario = await new CrossAccountScenario().start();
    try {
        const [reader, partner, forbidden, otherNamespace] = await Promise.all(
            [PROFILES.reader, PROFILES.partner, PROFILES.forbidden, PROFILES.otherNamespace].map((p) => client.call(scenario, source, p)),
        );

        // reader: account B, through a chained AssumeRole signed with the agent's credentials.
        t.true(reader.ok, reader.printed);
        t.is(reader.arn, assumedRoleArnOf("reader", "orders-reader", ACCOUNT_B));
        t.is(reader.account, ACCOUNT_B);
        const [readerCall] = assumeRoleCalls(scenario, READER);
        t.truthy(readerCall);
        assertChainedCall(t, scenario, readerCall, ALLOWED);
        t.is(readerCall.roleSessionName, "orders-reader");
        t.is(readerCall.durationSeconds, READER_DURATION_SECONDS, "duration_seconds honoured");
        const identityCalls = scenario.sts.calls.filter((c) => c.action === "GetCallerIdentity" && c.accessKeyId === readerCall.issuedAccessKeyId);
        t.is(identityCalls.length, 1, "GetCallerIdentity used the account-B credentials STS issued for reader");
        t.true(identityCalls[0].signatureOk && identityCalls[0].sessionTokenOk);
        t.is(identityCalls[0].keyIssuer, "sts");

        // partner (externalId trust) from a session WITH transitive tags: the external id satisfies sts:AssumeRole, and
        // the tags pass through the trust's separate sts:TagSession statement (TagSession has no sts:ExternalId key).
        t.true(partner.ok, partner.printed);
        t.regex(partner.arn ?? "", new RegExp(`^arn:aws:sts::${ACCOUNT_B}:assumed-role/partner/`));
        const partnerCalls = assumeRoleCalls(scenario, PARTNER);
        t.true(partnerCalls.length >= 1);
        for (const call of partnerCalls) {
            assertChainedCall(t, scenario, call, { assumeRole: "allow", tagSession: "allow" });
            t.is(call.externalId, EXTERNAL_ID);
        }

        // forbidden / other-namespace: denied by the trust policy, AccessDenied surfaced by the client.
        for (const [outcome, roleArn] of [
            [forbidden, FORBIDDEN],
            [otherNamespace, OTHER_NAMESPACE],
        ] as const) {
            t.false(outcome.ok, `${roleArn} must be denied`);
            t.is(outcome.error, "AccessDenied", outcome.printed);
            const calls = assumeRoleCalls(scenario, roleArn);
            t.true(calls.length >= 1);
            for (const call of calls) {
                assertChainedCall(t, scenario, call, DENIED);
            }
        }

        // Each profile's chained AssumeRole was signed for the region the client takes (see expectedAssumeRoleRegion).
        for (const [profile, roleArn] of [
            [PROFILES.reader, READER],
            [PROFILES.partner, PARTNER],
            [PROFILES.forbidden, FORBIDDEN],
            [PROFILES.otherNamespace, OTHER_NAMESPACE],
        ] as const) {
            const regions = [...new Set(assumeRoleCalls(scenario, roleArn).map((call) => call.signingRegion))];
            t.deepEqual(regions, [expectedAssumeRoleRegion(client, profile)], `region of the chained AssumeRole for ${profile}`);
        }

        // The agent only ever saw the right token; nothing secret was printed.
        t.true(scenario.agent.requests.length >= 4);
        t.true(scenario.agent.requests.every((r) => r.authorized));
        for (const outcome of [reader, partner, forbidden, otherNamespace]) {
            assertNoSecretPrinted(t, scenario, outcome);
        }
        t.true(scenario.sts.calls.every((c) => c.signatureOk && c.sessionTokenOk), "every STS call was properly signed");
    } finally {
        await scenario.stop();
    }
}

for (const source of SOURCES) {
    for (const client of CLIENTS) {
        test.serial(`${client.name}, credential source ${source}: account B via the chained AssumeRole; trust enforced`, (t) => prove(t, client, source));
    }
}

for (const client of [JS_INI, AWS_CLI_V1, GO_SDK_V2, BOTO3]) {
    test.serial(`${client.name}, association with session tags disabled: the externalId trust admits the pod, only it`, async (t) => {
        assertInstalled(t, client);
        const scenario = await new CrossAccountScenario({ disableSessionTags: true }).start();
        try {
            for (const source of SOURCES) {
                const [partner, reader] = await Promise.all([client.call(scenario, source, PROFILES.partner), client.call(scenario, source, PROFILES.reader)]);
                t.true(partner.ok, partner.printed);
                t.regex(partner.arn ?? "", new RegExp(`^arn:aws:sts::${ACCOUNT_B}:assumed-role/partner/`));
                // reader pins session tags the pod no longer has.
                t.is(reader.error, "AccessDenied", reader.printed);
            }
            const partnerCalls = assumeRoleCalls(scenario, PARTNER);
            t.is(partnerCalls.length, 2);
            for (const call of partnerCalls) {
                assertChainedCall(t, scenario, call, { assumeRole: "allow" }, false);
                t.is(call.externalId, EXTERNAL_ID);
            }
            for (const call of assumeRoleCalls(scenario, READER)) {
                assertChainedCall(t, scenario, call, { assumeRole: "implicit" }, false);
            }
        } finally {
            await scenario.stop();
        }
    });
}

test.serial("without AWS_REGION in the pod, every client signs the chained AssumeRole for the profile's region", async (t) => {
    for (const client of CLIENTS) {
        assertInstalled(t, client);
    }
    const scenario = await new CrossAccountScenario().start();
    try {
        for (const client of CLIENTS) {
            for (const [profile, roleArn] of [
                [PROFILES.reader, READER],
                [PROFILES.partner, PARTNER],
            ] as const) {
                const before = scenario.sts.calls.length;
                const outcome = await client.call(scenario, "ecsContainer", profile, { AWS_REGION: undefined });
                t.true(outcome.ok, `${client.name} ${profile}: ${outcome.printed}`);
                const calls = scenario.sts.calls.slice(before);
                const assumeRole = calls.filter((c) => c.action === "AssumeRole" && c.roleArn === roleArn);
                t.deepEqual(
                    assumeRole.map((c) => c.signingRegion),
                    [PROFILE_REGIONS[profile]],
                    `${client.name} ${profile}: region of the chained AssumeRole`,
                );
                // The application's own call also takes the profile's region when nothing else names one.
                t.deepEqual(
                    calls.filter((c) => c.action === "GetCallerIdentity").map((c) => c.signingRegion),
                    [PROFILE_REGIONS[profile]],
                    `${client.name} ${profile}: region of GetCallerIdentity`,
                );
            }
        }
    } finally {
        await scenario.stop();
    }
});

test.serial("the config file the clients read is the component's rendering", async (t) => {
    const scenario = await new CrossAccountScenario().start();
    try {
        const processText = readFileSync(scenario.configFile("process"), "utf8");
        t.regex(processText, new RegExp(`^\\[profile pod-identity\\]\\ncredential_process = ${scenario.scriptPath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"));
        t.regex(processText, /^\[profile reader\]\nrole_arn = arn:aws:iam::222222222222:role\/reader\nsource_profile = pod-identity$/m);
        t.regex(processText, /^external_id = orders-7f3a$/m);
        const ecsText = readFileSync(scenario.configFile("ecsContainer"), "utf8");
        t.notRegex(ecsText, /credential_process|source_profile/);
        t.regex(ecsText, /^\[profile reader\]\nrole_arn = arn:aws:iam::222222222222:role\/reader\ncredential_source = EcsContainer$/m);
    } finally {
        await scenario.stop();
    }
});

test.serial("AWS CLI v1 quirk: it caches assumed-role credentials under $HOME/.aws/cli/cache and fails when it cannot", async (t) => {
    t.true(existsSync(AWS_CLI), "run npm run setup:aws-cli");
    const scenario = await new CrossAccountScenario().start();
    try {
        // A HOME that cannot be created (as with a read-only root filesystem and HOME=/).
        const result = await run(AWS_CLI, ["sts", "get-caller-identity"], scenario.env("process", PROFILES.reader, { HOME: "/dev/null/home" }));
        t.not(result.code, 0);
        t.regex(result.stderr, /Not a directory: '\/dev\/null\/home/);
        t.is(assumeRoleCalls(scenario, READER).length, 1, "the AssumeRole itself succeeded; writing the cache failed");
    } finally {
        await scenario.stop();
    }
});
