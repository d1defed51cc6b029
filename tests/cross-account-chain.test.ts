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
    PROFILES,
    ProcessResult,
    READER,
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
 * JavaScript v3, and AWS CLI v1 / botocore) in a pod's environment, against a fake Pod Identity agent and a fake STS
 * that checks every signature and evaluates the target roles' trust policies (built by buildCrossAccountTrustPolicy).
 *
 * For each credential source of the config file (`process`: the helper script through credential_process;
 * `ecsContainer`: the SDK reads the agent itself) and each client:
 * - the `reader` profile resolves account-B credentials: STS saw AssumeRole signed with the agent's account-A
 *   credentials (valid signature, matching session token), the trust policy allowed the source role with the pod's
 *   six transitive session tags, and GetCallerIdentity with the new credentials answers the account-B assumed role;
 * - the `partner` profile (externalId trust) is admitted whether or not the session carries transitive tags: its
 *   trust allows sts:TagSession in a statement of its own (sts:TagSession has no sts:ExternalId in its context);
 * - `forbidden` (trusts another source role) and `other-namespace` (trusts another namespace) are denied, and the
 *   client surfaces STS's AccessDenied.
 * STS is redirected with AWS_ENDPOINT_URL_STS, which both clients honour for the STS client they use internally.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const AWS_CLI = path.join(ROOT, ".venv-aws-cli", "bin", "aws");

type Source = "process" | "ecsContainer";
const SOURCES: Source[] = ["process", "ecsContainer"];

interface Outcome {
    ok: boolean;
    arn?: string;
    account?: string;
    /** Error code the client surfaced (JS: error name; CLI: from its message). */
    error?: string;
    printed: string;
}

type Client = (scenario: CrossAccountScenario, source: Source, profile: string) => Promise<Outcome>;

const jsClient = (mode: "ini" | "chain"): Client => async (scenario, source, profile) => {
    const r = await sdkResolve(mode, scenario.env(source, profile));
    return { ok: r.ok, arn: r.arn, account: r.account, error: r.ok ? undefined : r.name, printed: JSON.stringify(r) + r.stderr };
};

const cliClient: Client = async (scenario, source, profile) => {
    const r: ProcessResult = await run(AWS_CLI, ["sts", "get-caller-identity", "--output", "json"], scenario.env(source, profile));
    if (r.code === 0) {
        const identity = JSON.parse(r.stdout) as { Arn: string; Account: string };
        return { ok: true, arn: identity.Arn, account: identity.Account, printed: r.stdout + r.stderr };
    }
    return { ok: false, error: /An error occurred \((\w+)\)/.exec(r.stderr)?.[1] ?? `exit ${r.code}: ${r.stderr}`, printed: r.stdout + r.stderr };
};

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

async function prove(t: ExecutionContext, client: Client, source: Source): Promise<void> {
    const scenario = await new CrossAccountScenario().start();
    try {
        const [reader, partner, forbidden, otherNamespace] = await Promise.all(
            [PROFILES.reader, PROFILES.partner, PROFILES.forbidden, PROFILES.otherNamespace].map((p) => client(scenario, source, p)),
        );

        // reader: account B, through a chained AssumeRole signed with the agent's credentials.
        t.true(reader.ok, reader.printed);
        t.is(reader.arn, assumedRoleArnOf("reader", "orders-reader", ACCOUNT_B));
        t.is(reader.account, ACCOUNT_B);
        const [readerCall] = assumeRoleCalls(scenario, READER);
        t.truthy(readerCall);
        assertChainedCall(t, scenario, readerCall, ALLOWED);
        t.is(readerCall.roleSessionName, "orders-reader");
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
    test(`JS SDK v3 fromIni, credential source ${source}: account B via the chained AssumeRole; trust enforced`, (t) => prove(t, jsClient("ini"), source));
    test(`JS SDK v3 default chain (fromNodeProviderChain), credential source ${source}: same`, (t) => prove(t, jsClient("chain"), source));
    test(`AWS CLI v1 (botocore), credential source ${source}: same`, async (t) => {
        t.true(existsSync(AWS_CLI), `the AWS CLI is not installed in .venv-aws-cli: run npm run setup:aws-cli`);
        await prove(t, cliClient, source);
    });
}

for (const [name, client] of [
    ["JS SDK v3 fromIni", jsClient("ini")],
    ["AWS CLI v1", cliClient],
] as const) {
    test(`${name}, association with session tags disabled: the externalId trust admits the pod, only it`, async (t) => {
        if (client === cliClient) {
            t.true(existsSync(AWS_CLI), "run npm run setup:aws-cli");
        }
        const scenario = await new CrossAccountScenario({ disableSessionTags: true }).start();
        try {
            for (const source of SOURCES) {
                const [partner, reader] = await Promise.all([client(scenario, source, PROFILES.partner), client(scenario, source, PROFILES.reader)]);
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

test("the config file the clients read is the component's rendering", async (t) => {
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

test("AWS CLI v1 quirk: it caches assumed-role credentials under $HOME/.aws/cli/cache and fails when it cannot", async (t) => {
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
