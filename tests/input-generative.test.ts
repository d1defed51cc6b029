import * as pulumi from "@pulumi/pulumi";
import test, { ExecutionContext } from "ava";
import * as fc from "fast-check";
import { CrossAccountRole, PodIdentityAgent, PodIdentityWorkload, WellKnownPolicySet } from "../provider";
import { CROSSACCOUNTROLE_TYPE } from "../provider/components/crossAccountRole";
import { PODIDENTITYAGENT_TYPE } from "../provider/components/podIdentityAgent";
import { PODIDENTITYWORKLOAD_TYPE } from "../provider/components/podIdentityWorkload";
import { WELLKNOWNPOLICYSET_TYPE } from "../provider/components/wellKnownPolicySet";
import { clusterArnOf, roleArnOf } from "./support/awsIds";
import { run } from "./support/harness";
import * as YAML from "yaml";
import { deployPlatform, parsePlatformSpec } from "../provider/platform/program";
import { declaredAt, pathInInput, valueAt } from "./support/inputPaths";
import { candidatesFor, inputSites } from "./corpus/inputSites";
import { componentTokens, sameVerdicts } from "./support/laterInputs";
import { argsOf } from "./support/schemaArbitrary";
import { RecordedResource } from "../provider/tools/plan/engine";
import { ServerTruth, judgeableObjects, refusals } from "./cluster/serverTruth";
import * as values from "./corpus/kubernetesValues";
import { checkAnnotations, checkContainerPorts, checkPodSecurityLabels, checkProbe, checkResourceRequirements, checkToleration, envVarNameProblem, isDnsLabel, isLabelValue, qualifiedNameProblem } from "../provider/kubernetes/rules";
import { Problems } from "../provider/validation/problems";

const truth = new ServerTruth("generative");
test.after.always(() => truth.close());

/**
 * Every component is total over its declared args and then some: for random args generated from the schema, with
 * random JSON at random positions, it either constructs (under the unit harness) or fails with an input error whose
 * every path is one the user wrote; never a TypeError or any other error, at construction or once values resolve.
 */

type Component = new (name: string, args: any) => pulumi.ComponentResource;

/** Each component with valid args to vary one input of. */
const components: [string, string, Component, Record<string, unknown>][] = [
    ["PodIdentityWorkload", PODIDENTITYWORKLOAD_TYPE, PodIdentityWorkload, { clusterName: "gen", namespace: "apps", workload: { image: "nginx", runAsUser: 1000 } }],
    ["PodIdentityAgent", PODIDENTITYAGENT_TYPE, PodIdentityAgent, { clusterName: "gen-agent" }],
    ["CrossAccountRole", CROSSACCOUNTROLE_TYPE, CrossAccountRole, { sourceRoleArns: [roleArnOf("app")], clusterArns: [clusterArnOf("prod")], namespaces: ["apps"], serviceAccounts: ["app"] }],
    ["WellKnownPolicySet", WELLKNOWNPOLICYSET_TYPE, WellKnownPolicySet, { clusterArn: clusterArnOf("prod"), policies: { ebsCsiDriver: {} } }],
];

let serial = 0;

/**
 * A fixed seed by default, so that CI judges the same 200 cases every run; GENERATIVE_SEED and GENERATIVE_RUNS explore
 * further (a failure prints its seed and path to replay).
 */
const GENERATION = { numRuns: Number(process.env.GENERATIVE_RUNS ?? 200), seed: Number(process.env.GENERATIVE_SEED ?? 20261129), endOnFailure: true };

/**
 * What the API server refuses of accepted args' rendered objects: the real one (tests/cluster/serverTruth.ts), not a
 * checker of our own, which would agree with whatever we misunderstood. Identical objects are judged once.
 */
async function refusedByKubernetes(resources: RecordedResource[]): Promise<string | undefined> {
    const refused = refusals(await truth.admit(judgeableObjects(resources)));
    return refused.length > 0 ? `accepted, but the API server refuses: ${refused.join("; ")}` : undefined;
}

/** Why the outcome of constructing with `args` is wrong, or undefined when it is an acceptance or a proper input error. */
async function misbehaviour(component: Component, args: Record<string, unknown>, outcomes: { accepted: number; rejected: number }): Promise<string | undefined> {
    const thrown: unknown[] = [];
    const r = await run(() => {
        try {
            new component(`gen-${serial++}`, args);
        } catch (e) {
            thrown.push(e);
        }
    });
    const errors = [...thrown, ...r.failures];
    outcomes[errors.length === 0 ? "accepted" : "rejected"]++;
    if (errors.length === 0) {
        return await refusedByKubernetes(r.resources);
    }
    for (const error of errors) {
        if (!pulumi.InputPropertiesError.isInstance(error)) {
            return `not an input error: ${(error as Error)?.stack ?? String(error)}`;
        }
        const stray = error.errors.filter((e) => !pathInInput(args, e.propertyPath));
        if (stray.length > 0) {
            return `paths not in the input: ${JSON.stringify(stray)}`;
        }
    }
    return undefined;
}

/** The property every generated input must have: no misbehaviour (else it is logged with its args). */
async function behaves(t: ExecutionContext, component: Component, args: Record<string, unknown>, outcomes: { accepted: number; rejected: number }): Promise<boolean> {
    const problem = await misbehaviour(component, args, outcomes);
    if (problem !== undefined) {
        t.log(`${problem}\nargs: ${JSON.stringify(args)}`);
        return false;
    }
    return true;
}

for (const [title, token, component, base] of components) {
    test.serial(`${title}: random args are accepted or rejected as input errors at the user's paths`, async (t) => {
        const outcomes = { accepted: 0, rejected: 0 };
        const details = await fc.check(
            fc.asyncProperty(argsOf(token, base), async (args) => {
                return behaves(t, component, args, outcomes);
            }),
            GENERATION,
        );
        t.false(details.failed, fc.defaultReportMessage(details) ?? "");
        t.log(`${outcomes.accepted} accepted, ${outcomes.rejected} rejected as input errors`);
    });
}

/** Mostly values our rules accept (so that combinations get accepted and the server judges them), sometimes any. */
function mostlyAccepted<T>(pool: readonly T[], accepted: (value: T) => boolean): fc.Arbitrary<T> {
    const good = pool.filter(accepted);
    return fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 6 }, { arbitrary: fc.constantFrom(...pool), weight: 1 });
}

const passes = (check: (problems: Problems) => void) => {
    const problems = new Problems();
    check(problems);
    return problems.list.length === 0;
};
const labelKey = mostlyAccepted(values.qualifiedNames, (k) => qualifiedNameProblem(k) === undefined && !k.startsWith("app.kubernetes.io/"));
const labelValue = mostlyAccepted(values.labelValues, isLabelValue);
const labels = fc.dictionary(labelKey, labelValue, { maxKeys: 2, noNullPrototype: true });

/**
 * Kubernetes-bound inputs drawn from the value corpus our rules are proven on (tests/corpus/kubernetesValues.ts), valid
 * and not, in combination: whatever the component accepts, the API server must admit.
 */
const kubernetesBound = fc.record(
    {
        namespaceLabels: labels,
        podSecurity: mostlyAccepted(values.podSecurityLabels, ([k, v]) => passes((p) => checkPodSecurityLabels(p, "l", { [k]: v }))),
        workload: fc.record(
            {
                name: mostlyAccepted([...values.deploymentNames, ...values.dnsLabels], (n) => isDnsLabel(n)),
                containerName: mostlyAccepted(values.dnsLabels, isDnsLabel),
                labels,
                nodeSelector: labels,
                podAnnotations: fc.dictionary(mostlyAccepted(values.annotationKeys, (k) => passes((p) => checkAnnotations(p, "a", { [k]: "x" }))), fc.constantFrom("x", ""), { maxKeys: 2, noNullPrototype: true }),
                tolerations: fc.array(mostlyAccepted(values.tolerations, (v) => passes((p) => checkToleration(p, "t", v as never))), { maxLength: 2 }),
                resources: mostlyAccepted(values.resourceRequirements, (v) => passes((p) => checkResourceRequirements(p, "r", v))),
                env: fc.dictionary(mostlyAccepted(values.envVarNames, (n) => envVarNameProblem(n) === undefined && !n.startsWith("AWS_")), fc.constant("v"), { maxKeys: 2, noNullPrototype: true }),
                ports: mostlyAccepted(values.containerPorts, (v) => passes((p) => checkContainerPorts(p, "p", v as never))),
                livenessProbe: fc.constantFrom(...values.probes.filter(([kind, probe, ports]) => kind === "liveness" && ports.length === 0 && passes((p) => checkProbe(p, "p", probe as never, kind))).map(([, probe]) => probe)),
            },
            { requiredKeys: [] },
        ),
    },
    { requiredKeys: [] },
);

test.serial("PodIdentityWorkload: Kubernetes-bound inputs from the rule corpus, when accepted, render objects the API server admits", async (t) => {
    const outcomes = { accepted: 0, rejected: 0 };
    const details = await fc.check(
        fc.asyncProperty(kubernetesBound, async ({ namespaceLabels, podSecurity, workload }) => {
            const name = `k8s-${serial++}`;
            const args = {
                clusterName: "gen-k8s",
                namespace: name,
                namespaceLabels: podSecurity ? { ...namespaceLabels, [podSecurity[0]]: podSecurity[1] } : namespaceLabels,
                workload: { image: "nginx", runAsUser: 1000, ...workload },
            };
            return behaves(t, PodIdentityWorkload, args, outcomes);
        }),
        GENERATION,
    );
    t.false(details.failed, fc.defaultReportMessage(details) ?? "");
    t.true(outcomes.accepted > 0, "some combinations are accepted, so the server judged something");
    t.log(`${outcomes.accepted} accepted, ${outcomes.rejected} rejected as input errors`);
});

/** The platform file: random entries (the workload's args without the cluster, plus a name) as YAML, then deployed. */
test.serial("platform file: random workloads files are accepted or rejected as input errors naming the file and the YAML path", async (t) => {
    const FILE = "generated/workloads.yaml";
    const entry = fc
        .tuple(argsOf(PODIDENTITYWORKLOAD_TYPE, { namespace: "apps", workload: { image: "nginx", runAsUser: 1000 } }, { outputs: false }), fc.boolean())
        .map(([args, named]) => {
            const { clusterName: _cluster, clusterArn: _arn, agent: _agent, ...rest } = args;
            return named ? { name: "", ...rest } : rest;
        });
    const outcomes = { accepted: 0, rejected: 0 };
    const details = await fc.check(
        fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 2 }), async (generated) => {
            // Names unique in the process (components register once per program); some entries have none.
            const workloads = generated.map((w) => ("name" in w ? { ...w, name: `yaml-${serial++}` } : w));
            const text = YAML.stringify({ workloads });
            const doc = YAML.parse(text) as unknown;
            const errors: unknown[] = [];
            let resources: RecordedResource[] = [];
            try {
                const spec = parsePlatformSpec(text, FILE);
                // Errors are caught inside the program so that the harness settles what was registered before them.
                const r = await run(() => {
                    try {
                        deployPlatform({ clusterName: `platform-${serial++}`, workloadsFile: FILE }, spec);
                    } catch (e) {
                        errors.push(e);
                    }
                });
                errors.push(...r.failures);
                resources = r.resources;
            } catch (e) {
                errors.push(e);
            }
            outcomes[errors.length === 0 ? "accepted" : "rejected"]++;
            const refused = errors.length === 0 ? await refusedByKubernetes(resources) : undefined;
            if (refused !== undefined) {
                t.log(`${refused}\n${text}`);
                return false;
            }
            for (const error of errors) {
                if (!pulumi.InputPropertiesError.isInstance(error)) {
                    t.log(`not an input error: ${(error as Error)?.stack ?? String(error)}\n${text}`);
                    return false;
                }
                const stray = error.errors.filter((e) => !pathInInput(doc, e.propertyPath));
                // Errors found once values resolve come from the component, which does not know the file (see the report).
                const fromFile = error.message.includes(FILE);
                if (stray.length > 0 && fromFile) {
                    t.log(`paths not in the file: ${JSON.stringify(stray)}\n${text}`);
                    return false;
                }
            }
            return true;
        }),
        GENERATION,
    );
    t.false(details.failed, fc.defaultReportMessage(details) ?? "");
    t.log(`${outcomes.accepted} accepted, ${outcomes.rejected} rejected as input errors`);
});

/**
 * Every string input a component accepts as an Output (tests/corpus/inputSites.ts), given random strings (near misses
 * of a good value: a scheme, a port, whitespace, a slash around it; pieces of ARNs; anything): a plain value and the
 * same value as an Output get the same verdict, the Output the plain value's error at the path, never a crash, and no
 * resource carries a refused value (tests/support/laterInputs.ts).
 */
const stringSites = inputSites.filter((site) => declaredAt(componentTokens[site.component], site.path)?.spec.type === "string");

function nearMisses(good: string): fc.Arbitrary<string> {
    const before = fc.constantFrom("", " ", "\n", "\t", "https://", "http://", "/", ":", "*", "arn:", "arn:aws:", "-", ".", "x");
    const after = fc.constantFrom("", " ", "\n", "/", "//", ":443", "?x=1", "#f", "*", "-", ".", "/x", ":", "A");
    const cut = fc.tuple(fc.nat(good.length), fc.nat(good.length)).map(([a, b]) => good.slice(0, Math.min(a, b)) + good.slice(Math.max(a, b)));
    return fc.oneof(
        fc.tuple(before, after).map(([b, a]) => `${b}${good}${a}`),
        cut,
        fc.tuple(cut, fc.constantFrom(":", "/", " ", "", "::"), fc.string({ maxLength: 6 })).map(([c, sep, extra]) => `${c}${sep}${extra}`),
    );
}

test.serial(`every string input (${stringSites.length} sites): random strings get one verdict, plain or as an Output`, async (t) => {
    const strings = candidatesFor("").filter((v): v is string => typeof v === "string");
    const details = await fc.check(
        fc.asyncProperty(
            fc.nat(stringSites.length - 1).chain((i) => {
                const good = valueAt(stringSites[i].base, stringSites[i].path) as string;
                const value = fc.oneof({ arbitrary: nearMisses(good), weight: 4 }, { arbitrary: fc.constantFrom(...strings), weight: 1 }, { arbitrary: fc.string({ maxLength: 16 }), weight: 1 });
                return fc.tuple(fc.constant(i), fc.uniqueArray(value, { minLength: 1, maxLength: 6 }));
            }),
            async ([i, values]) => {
                const site = stringSites[i];
                // The site's good value first: what its accepted resources carry is not a refused value reaching them.
                const wrong = await sameVerdicts(site, [valueAt(site.base, site.path), ...values.filter((v) => v !== valueAt(site.base, site.path))]);
                if (wrong.length > 0) {
                    t.log(`${site.component}.${site.path}:\n${wrong.join("\n")}`);
                }
                return wrong.length === 0;
            },
        ),
        { ...GENERATION, numRuns: Math.ceil(GENERATION.numRuns / 4) },
    );
    t.false(details.failed, fc.defaultReportMessage(details) ?? "");
});
