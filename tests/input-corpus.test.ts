import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { CrossAccountRole, PodIdentityAgent, PodIdentityWorkload, WellKnownPolicySet } from "../provider";
import { deployPlatform, parsePlatformSpec } from "../provider/platform/program";
import { Corpus } from "./corpus/case";
import { crossAccountRoleCorpus, podIdentityAgentCorpus, wellKnownPolicySetCorpus } from "./corpus/otherComponents";
import { PlatformCase, platformCorpus } from "./corpus/platform";
import { podIdentityWorkloadCorpus } from "./corpus/podIdentityWorkload";
import { run } from "./support/harness";
import { pathInInput } from "./support/inputPaths";
import { RecordedResource } from "../provider/tools/plan/engine";
import { ServerTruth, judgeableObjects, refusals } from "./cluster/serverTruth";

/**
 * Runs the bad-input corpus (tests/corpus): every bad input fails with input errors only, at the expected paths
 * (and only at paths the user wrote), the first with a reason naming the fix; every unusual-but-valid input is
 * accepted. One test per table, listing every case that went wrong.
 */

type Component = new (name: string, args: any) => pulumi.ComponentResource;

const classes: Record<Corpus["component"], Component> = { PodIdentityWorkload, PodIdentityAgent, CrossAccountRole, WellKnownPolicySet };

let serial = 0;

/**
 * Every error constructing with `args` produced (thrown at construction, or failed once values resolved), and the
 * resources it registered.
 */
async function outcomeOf(construct: () => void): Promise<{ errors: unknown[]; resources: RecordedResource[] }> {
    const thrown: unknown[] = [];
    const r = await run(() => {
        try {
            construct();
        } catch (e) {
            thrown.push(e);
        }
    });
    return { errors: [...thrown, ...r.failures], resources: r.resources };
}

async function errorsOf(construct: () => void): Promise<unknown[]> {
    return (await outcomeOf(construct)).errors;
}

/** An accepted input's rendered Kubernetes objects, as the real API server judges them (tests/cluster/serverTruth.ts). */
const truth = new ServerTruth("corpus");
test.after.always(() => truth.close());

/** What is wrong with how a bad input was handled; undefined when it was handled right. */
function verdict(errors: unknown[], expected: { paths: string[]; fix: RegExp }, input: unknown, extra?: (e: pulumi.InputPropertiesError) => string | undefined): string | undefined {
    if (errors.length === 0) {
        return "accepted";
    }
    const crash = errors.find((e) => !pulumi.InputPropertiesError.isInstance(e));
    if (crash) {
        return `not an input error: ${(crash as Error)?.message ?? String(crash)}`;
    }
    const reported = (errors as pulumi.InputPropertiesError[]).flatMap((e) => e.errors);
    const missing = expected.paths.filter((p) => !reported.some((r) => r.propertyPath === p));
    if (missing.length > 0) {
        return `no error at ${missing.join(", ")}; got ${JSON.stringify(reported)}`;
    }
    const first = reported.find((r) => r.propertyPath === expected.paths[0])!;
    if (!expected.fix.test(first.reason)) {
        return `reason at ${first.propertyPath} does not match ${expected.fix}: ${first.reason}`;
    }
    const stray = reported.filter((r) => !pathInInput(input, r.propertyPath));
    if (stray.length > 0) {
        return `paths the user did not write: ${JSON.stringify(stray)}`;
    }
    for (const e of errors as pulumi.InputPropertiesError[]) {
        const problem = extra?.(e);
        if (problem) {
            return problem;
        }
    }
    return undefined;
}

/** The args as constructed: a workload's shared namespace made unique per case, so one case's claims do not reach the next. */
function isolated(corpus: Corpus, args: Record<string, unknown>, i: number): Record<string, unknown> {
    return corpus.component === "PodIdentityWorkload" && args.namespace === "apps" ? { ...args, namespace: `apps-${i}` } : args;
}

const corpora = [podIdentityWorkloadCorpus, podIdentityAgentCorpus, crossAccountRoleCorpus, wellKnownPolicySetCorpus];

for (const corpus of corpora) {
    test.serial(`${corpus.component}: ${corpus.bad.length} bad inputs are input errors at their paths, naming the fix`, async (t) => {
        const wrong: string[] = [];
        for (const [i, c] of corpus.bad.entries()) {
            const args = isolated(corpus, c.args, i);
            const errors = await errorsOf(() => new classes[corpus.component](`corpus-${serial++}`, args));
            const problem = verdict(errors, c, args);
            if (problem) {
                wrong.push(`#${i} ${JSON.stringify(c.args)} → ${problem}`);
            }
        }
        t.deepEqual(wrong, [], wrong.join("\n"));
    });

    test.serial(`${corpus.component}: ${corpus.good.length} unusual but valid inputs are accepted, and their Kubernetes objects admitted by the API server`, async (t) => {
        for (const [i, c] of corpus.good.entries()) {
            const args = isolated(corpus, c.args, 1000 + i);
            const { errors, resources } = await outcomeOf(() => new classes[corpus.component](`corpus-${serial++}`, args));
            t.deepEqual(errors.map((e) => (e as Error).message), [], c.title);
            t.deepEqual(refusals(await truth.admit(judgeableObjects(resources))), [], c.title);
        }
    });
}

const FILE = "corpus/workloads.yaml";

/** Parses, then deploys, a workloads file as the platform program does; every error it ends with, and what it registered. */
async function platformOutcome(yaml: string): Promise<{ errors: unknown[]; resources: RecordedResource[] }> {
    try {
        const spec = parsePlatformSpec(yaml, FILE);
        return await outcomeOf(() => deployPlatform({ clusterName: "platform", workloadsFile: FILE }, spec));
    } catch (e) {
        return { errors: [e], resources: [] };
    }
}

async function platformErrors(yaml: string): Promise<unknown[]> {
    return (await platformOutcome(yaml)).errors;
}

/** The platform's errors name the file, and the workload when the entry has a name. */
function namesFileAndWorkload(c: PlatformCase) {
    return (e: pulumi.InputPropertiesError) => {
        if (!e.message.includes(FILE)) {
            return `the error does not name the file: ${e.message}`;
        }
        const at = e.errors.find((r) => r.propertyPath === c.paths[0]);
        return c.workload && at && !at.reason.includes(`(workload "${c.workload}")`) ? `the reason does not name workload "${c.workload}": ${at.reason}` : undefined;
    };
}

test.serial(`platform file: ${platformCorpus.bad.length} bad workloads files are input errors naming the file, workload and path`, async (t) => {
    const wrong: string[] = [];
    for (const [i, c] of platformCorpus.bad.entries()) {
        const errors = await platformErrors(c.yaml);
        // The paths are the file's: resolve them in the parsed YAML document.
        const problem = verdict(errors, c, parseLoosely(c.yaml), namesFileAndWorkload(c));
        if (problem) {
            wrong.push(`#${i} ${JSON.stringify(c.yaml)} → ${problem}`);
        }
    }
    t.deepEqual(wrong, [], wrong.join("\n"));
});

test.serial(`platform file: ${platformCorpus.good.length} unusual but valid files are accepted, and their Kubernetes objects admitted by the API server`, async (t) => {
    for (const c of platformCorpus.good) {
        const { errors, resources } = await platformOutcome(c.yaml);
        t.deepEqual(errors.map((e) => (e as Error).message), [], c.title);
        t.deepEqual(refusals(await truth.admit(judgeableObjects(resources))), [], c.title);
    }
});

/** The YAML document, for path checks; `(file)` problems are about the document itself. */
function parseLoosely(yaml: string): unknown {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the same parser the platform program uses
    const doc = (require("yaml") as typeof import("yaml")).parse(yaml);
    return { "(file)": doc, ...(typeof doc === "object" && doc !== null && !Array.isArray(doc) ? doc : {}) };
}
