import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as fc from "fast-check";
import { PodIdentityWorkload } from "../provider";
import { CrossAccountSettings, CrossAccountTarget } from "../provider/crossAccount/args";
import { renderAwsConfigFile } from "../provider/crossAccount/configFile";
import { ResolvedTarget, checkCrossAccountSettings, checkResolvedTargets, checkTargetAccounts, configFileSpec, resolveProfiles } from "../provider/crossAccount/profiles";
import { Problems } from "../provider/validation/problems";
import { clusterArnOf } from "./support/awsIds";
import { run } from "./support/harness";

/**
 * No input can add a line to the rendered AWS config file. For random strings in every field that is written into
 * it, the settings are either refused (by the same checks the component runs, naming the field) or rendered into a
 * file that three real config parsers read back as exactly the profiles and keys the inputs describe: the AWS SDK for
 * JavaScript v3's loader, botocore's (the AWS CLI v1's vendored copy) and Python's configparser.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const PYTHON = path.join(ROOT, ".venv-aws-cli", "bin", "python");
const SOURCE_ACCOUNT = "111122223333";
const CLUSTER_REGION = "us-west-2";

/** Strings aimed at INI structure, next to arbitrary ones and well-formed ones. */
const hostile = fc.constantFrom(
    "abc\n[profile x]\ncredential_process = /bin/sh -c id",
    "abc\r\ncredential_process = id",
    "abc\rregion = x",
    "a\u2028b",
    "a\u0085b",
    "a\u0000b",
    " leading",
    "trailing ",
    "a b",
    "a ;comment",
    "a #comment",
    "#start",
    ";start",
    "[profile x]",
    "x]\n[y",
    "a=b",
    "a\tb",
    "",
    "é",
);
const anyString = fc.oneof(fc.string(), fc.string({ unit: "binary" }), hostile);
const field = (wellFormed: fc.Arbitrary<string>) => fc.oneof({ weight: 30, arbitrary: wellFormed }, { weight: 2, arbitrary: anyString }, { weight: 1, arbitrary: wellFormed.map((s) => `${s}\n[profile injected]`) });

const word = (chars: string, min: number, max: number) => fc.string({ unit: fc.constantFrom(...chars.split("")), minLength: min, maxLength: max });
const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const target = fc.record(
    {
        roleArn: field(word(LETTERS + "_+=,.@-", 1, 20).map((name) => `arn:aws:iam::444455556666:role/${name}`)),
        profileName: field(word(LETTERS + "_.+@-", 1, 20)),
        externalId: field(word(LETTERS + "_+=,.@:/-", 2, 40)),
        roleSessionName: field(word(LETTERS + "_+=,.@-", 2, 30)),
        durationSeconds: fc.oneof({ weight: 10, arbitrary: fc.integer({ min: 900, max: 3600 }) }, { weight: 1, arbitrary: fc.double() }, { weight: 1, arbitrary: fc.integer() }),
        region: field(fc.constantFrom("eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-4")),
    },
    { requiredKeys: ["roleArn"] },
);
const settings = fc.record(
    {
        targets: fc.array(target, { minLength: 1, maxLength: 3 }),
        credentialSource: fc.constantFrom("process" as const, "ecsContainer" as const),
        mountPath: field(fc.array(word(LETTERS + "._-", 1, 8), { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join("/")}`)),
        sourceProfileName: field(word(LETTERS + "_.+@-", 1, 20)),
    },
    { requiredKeys: ["targets", "credentialSource"] },
);

type Sections = Record<string, Record<string, string>>;

/** What the file must hold: one section per profile, with exactly the keys the inputs ask for. */
function expectedSections(spec: ReturnType<typeof configFileSpec>): Sections {
    const sections: Sections = {};
    if (spec.credentialSource === "process") {
        sections[spec.sourceProfileName] = { credential_process: spec.credentialProcessPath };
    }
    for (const p of spec.profiles) {
        const keys: Record<string, string> = { role_arn: p.roleArn };
        if (spec.credentialSource === "process") {
            keys.source_profile = spec.sourceProfileName;
        } else {
            keys.credential_source = "EcsContainer";
        }
        if (p.externalId !== undefined) keys.external_id = p.externalId;
        if (p.roleSessionName !== undefined) keys.role_session_name = p.roleSessionName;
        if (p.durationSeconds !== undefined) keys.duration_seconds = String(p.durationSeconds);
        if (p.region !== undefined) keys.region = p.region;
        keys.sts_regional_endpoints = "regional";
        sections[p.name] = keys;
    }
    return sections;
}

/** The component's checks, in its order: the plain settings, then the values known later. Problems or the rendered file. */
function checkAndRender(input: CrossAccountSettings): { problems: string[] } | { file: string; expected: Sections } {
    const problems = new Problems();
    checkCrossAccountSettings(problems, input, { hasWorkloadEnv: [] });
    if (problems.list.length === 0) {
        const targets = input.targets as ResolvedTarget[];
        checkTargetAccounts(problems, targets, SOURCE_ACCOUNT);
        checkResolvedTargets(problems, targets);
    }
    if (problems.list.length > 0) {
        return { problems: problems.list.map((p) => p.propertyPath) };
    }
    const spec = configFileSpec(input, resolveProfiles(input.targets as ResolvedTarget[], CLUSTER_REGION).profiles);
    return { file: renderAwsConfigFile(spec), expected: expectedSections(spec) };
}

const FIELDS = /^crossAccount\.(mountPath|sourceProfileName|targets(\[\d+\]\.(roleArn|profileName|externalId|roleSessionName|durationSeconds|region))?)$/;

/** Reads every file with botocore's loader and with configparser, in one Python process. */
function parsedByPython(files: string[]): { botocore: Sections; configparser: Sections }[] {
    const program = `
import configparser, json, sys
from awscli.botocore.configloader import raw_config_parse
def profiles(sections):
    return {name[len("profile "):] if name.startswith("profile ") else name: dict(keys) for name, keys in sections.items()}
out = []
for path in json.load(sys.stdin):
    parser = configparser.RawConfigParser()
    parser.read(path)
    out.append({"botocore": profiles(raw_config_parse(path)), "configparser": profiles({s: parser[s] for s in parser.sections()})})
print(json.dumps(out))
`;
    return JSON.parse(execFileSync(PYTHON, ["-c", program], { input: JSON.stringify(files), encoding: "utf8" }));
}

async function parsedByJsSdk(file: string): Promise<Sections> {
    // The loader of the AWS SDK for JavaScript v3 (its `fromIni` and default chain read config files with it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadSharedConfigFiles } = require("@smithy/core/config") as { loadSharedConfigFiles(o: { configFilepath: string; filepath: string; ignoreCache: boolean }): Promise<{ configFile: Sections }> };
    return (await loadSharedConfigFiles({ configFilepath: file, filepath: path.join(path.dirname(file), "no-credentials"), ignoreCache: true })).configFile;
}

test("random strings in every field: refused naming the field, or read back by three real parsers as exactly the profiles asked for", async (t) => {
    const samples = fc.sample(settings, { numRuns: 600, seed: 20261129 });
    const dir = mkdtempSync(path.join(tmpdir(), "aws-config-injection-"));
    try {
        const rendered: { file: string; path: string; expected: Sections }[] = [];
        let refused = 0;
        for (const [i, sample] of samples.entries()) {
            const outcome = checkAndRender(sample as CrossAccountSettings);
            if ("problems" in outcome) {
                refused++;
                t.deepEqual(outcome.problems.filter((p) => !FIELDS.test(p)), [], `problems name the fields written: ${JSON.stringify(sample)}`);
                continue;
            }
            const file = path.join(dir, `config-${i}`);
            writeFileSync(file, outcome.file);
            rendered.push({ file: outcome.file, path: file, expected: outcome.expected });
        }
        // Both outcomes are exercised: a generator that only produced refusals would prove nothing.
        t.true(refused >= 100, `${refused} refused`);
        t.true(rendered.length >= 100, `${rendered.length} rendered`);
        const python = parsedByPython(rendered.map((r) => r.path));
        for (const [i, r] of rendered.entries()) {
            t.deepEqual(python[i].botocore, r.expected, `botocore reads ${JSON.stringify(r.file)}`);
            t.deepEqual(python[i].configparser, r.expected, `configparser reads ${JSON.stringify(r.file)}`);
            t.deepEqual(await parsedByJsSdk(r.path), r.expected, `the JS SDK reads ${JSON.stringify(r.file)}`);
            // One line per key and header, a blank line between sections, the comment first: nothing else.
            const lines = r.file.split("\n").filter((line) => line !== "" && !line.startsWith("# Rendered by"));
            t.is(lines.length, Object.values(r.expected).reduce((n, keys) => n + 1 + Object.keys(keys).length, 0));
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

const INJECTION = "abc\n[profile x]\ncredential_process = /bin/sh -c id";

test.serial("an injected external id is refused at preview, naming it", (t) => {
    const error = t.throws(
        () =>
            new PodIdentityWorkload("inject", {
                clusterName: "prod",
                clusterArn: clusterArnOf("prod"),
                namespace: "inject",
                crossAccount: { targets: [{ roleArn: "arn:aws:iam::444455556666:role/reader", externalId: INJECTION }] },
            }),
    );
    t.regex(error!.message, /crossAccount\.targets\[0\]\.externalId: "abc\\n\[profile x\]\\ncredential_process = \/bin\/sh -c id" is not an STS external id/);
});

test.serial("an external id known only after preview is checked once known, before the config file is written", async (t) => {
    const r = await run(
        () =>
            new PodIdentityWorkload("inject-later", {
                clusterName: "prod",
                clusterArn: clusterArnOf("prod"),
                namespace: "inject-later",
                crossAccount: { targets: [{ roleArn: "arn:aws:iam::444455556666:role/reader", externalId: pulumi.output(INJECTION) }] },
            }),
    );
    t.regex(r.failures.map((e) => e.message).join("\n"), /crossAccount\.targets\[0\]\.externalId: .* is not an STS external id/);
    t.false(r.has("inject-later-aws-config"));
});

test("a mount path that the SDKs would split into several words is refused", (t) => {
    for (const mountPath of ["/etc/aws pod", "/etc/'x'", "/etc/a;id", "/etc/../x", "/etc/aws/", "relative", "/etc/aws\n"]) {
        const problems = new Problems();
        const input: CrossAccountSettings = { mountPath, targets: [{ roleArn: "arn:aws:iam::444455556666:role/reader" } as CrossAccountTarget] };
        checkCrossAccountSettings(problems, input, { hasWorkloadEnv: [] });
        t.deepEqual(problems.list.map((p) => p.propertyPath), ["crossAccount.mountPath"], mountPath);
    }
});
