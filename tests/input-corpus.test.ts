import * as pulumi from "@pulumi/pulumi";
import test from "ava";
import { deployPlatform, parsePlatformSpec } from "../provider/platform/program";
import { Corpus } from "./corpus/case";
import { crossAccountRoleCorpus, podIdentityAgentCorpus, wellKnownPolicySetCorpus } from "./corpus/otherComponents";
import { PlatformCase, platformCorpus } from "./corpus/platform";
import { podIdentityWorkloadCorpus } from "./corpus/podIdentityWorkload";
import { candidatesFor, inputSites } from "./corpus/inputSites";
import { run, unknownAtPreview } from "./support/harness";
import { declaredAt, laterInputPatterns, pathInInput, valueAt, withValueAt } from "./support/inputPaths";
import { batch, carriers, componentClasses as classes, componentTokens as tokens, judged, problem, sameVerdicts } from "./support/laterInputs";
import { forgetClaims } from "../provider/components/claims";
import { RecordedResource } from "../provider/tools/plan/engine";
import { ServerTruth, judgeableObjects, refusals } from "./cluster/serverTruth";

/**
 * Runs the bad-input corpus (tests/corpus): every bad input fails with input errors only, at the expected paths
 * (and only at paths the user wrote), the first with a reason naming the fix; every unusual-but-valid input is
 * accepted. One test per table, listing every case that went wrong.
 */

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

/*
 * Values known only later. Every input a component accepts as an Output (tests/corpus/inputSites.ts) gets the verdict a
 * plain value gets: refused with the same error at the same path, or accepted; never a crash. A plain value refused
 * registers nothing; a refused Output leaves no resource carrying the value; an Output still unknown at preview is
 * waited for, not refused.
 */

test("every input a component accepts as an Output is among the input sites", (t) => {
    for (const [component, token] of Object.entries(tokens)) {
        const covered = [...new Set(inputSites.filter((s) => s.component === component).map((s) => declaredAt(token, s.path)?.pattern ?? `(not an input: ${s.path})`))].sort();
        t.deepEqual(covered, laterInputPatterns(token), component);
    }
});

for (const site of inputSites) {
    const title = `${site.component}.${site.path}${site.note ? ` (${site.note})` : ""}`;
    test.serial(`${title}: plain or as an Output, the same verdict and the same error at the path; unknown at preview, waited for`, async (t) => {
        const good = valueAt(site.base, site.path);
        const values = [...new Map(candidatesFor(good).map((v) => [JSON.stringify(v), v])).values()];
        t.deepEqual(values[0], good);

        const [unknown] = await batch(site, [withValueAt(site.base, site.path, () => unknownAtPreview()) as Record<string, unknown>], true);
        t.deepEqual([...unknown.crashes, ...unknown.problems.map(problem)], [], "an Output unknown at preview is not judged before it is known");
        t.true(unknown.resources.some((r) => r.type === tokens[site.component]), "and the component registers");

        // An Output that resolves to nothing where the args gave the input: refused by name, never a crash.
        const [none] = await batch(site, [withValueAt(site.base, site.path, () => pulumi.output(undefined)) as Record<string, unknown>], false);
        t.deepEqual(none.crashes, []);
        t.true(none.problems.some((x) => x.propertyPath === site.path), `an Output resolving to nothing is refused at ${site.path}: ${none.problems.map(problem).join("; ")}`);

        const wrong = await sameVerdicts(site, values);
        t.deepEqual(wrong, [], wrong.join("\n"));
    });
}

/**
 * The bad-input corpus again, with each reported value that sits where an Output is accepted given as an Output
 * (known in the update): the same error at the same path, and no resource carrying the value.
 */
for (const corpus of corpora) {
    test.serial(`${corpus.component}: every bad input the corpus reports at an input that accepts an Output is refused alike as an Output`, async (t) => {
        const token = tokens[corpus.component];
        const wrong: string[] = [];
        let tried = 0;
        for (const [i, c] of corpus.bad.entries()) {
            const args = isolated(corpus, c.args, 2000 + i);
            for (const path of c.paths) {
                const value = valueAt(args, path);
                const declared = declaredAt(token, path);
                if (value === undefined || declared === undefined || declared.spec.plain) {
                    continue;
                }
                tried++;
                forgetClaims();
                const plain = judged(await errorsOf(() => new classes[corpus.component](`corpus-${serial++}`, args)));
                const expected = plain.problems.filter((x) => x.propertyPath === path).map(problem);
                forgetClaims();
                const laterArgs = withValueAt(args, path, (v) => pulumi.output(v)) as Record<string, unknown>;
                const later = await outcomeOf(() => new classes[corpus.component](`corpus-${serial++}`, laterArgs));
                const o = judged(later.errors);
                const reported = new Set(o.problems.map(problem));
                if (o.crashes.length > 0) {
                    wrong.push(`#${i} ${path}: not an input error: ${o.crashes.join("; ")}`);
                } else if (expected.length === 0 || expected.some((x) => !reported.has(x))) {
                    wrong.push(`#${i} ${path}: expected ${expected.join("; ")}, got ${[...reported].join("; ")}`);
                }
                // Where the user wrote the same value elsewhere too, resources may carry it from there.
                const carrying = carriers(later.resources, value, JSON.stringify(withValueAt(args, path, () => null)));
                if (carrying.length > 0) {
                    wrong.push(`#${i} ${path}: refused value reached ${carrying.join(", ")}`);
                }
            }
        }
        t.deepEqual(wrong, [], wrong.join("\n"));
        t.log(`${tried} corpus values given as Outputs`);
    });
}
