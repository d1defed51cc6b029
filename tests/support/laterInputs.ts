import * as pulumi from "@pulumi/pulumi";
import { CrossAccountRole, PodIdentityAgent, PodIdentityWorkload, WellKnownPolicySet } from "../../provider";
import { forgetClaims } from "../../provider/components/claims";
import { CROSSACCOUNTROLE_TYPE } from "../../provider/components/crossAccountRole";
import { PODIDENTITYAGENT_TYPE } from "../../provider/components/podIdentityAgent";
import { PODIDENTITYWORKLOAD_TYPE } from "../../provider/components/podIdentityWorkload";
import { WELLKNOWNPOLICYSET_TYPE } from "../../provider/components/wellKnownPolicySet";
import { RecordedResource } from "../../provider/tools/plan/engine";
import { Corpus } from "../corpus/case";
import { InputSite } from "../corpus/inputSites";
import { run } from "./harness";
import { pathInInput, withValueAt } from "./inputPaths";

/**
 * Judging a value at an input site (tests/corpus/inputSites.ts) plain and as an Output, for the corpus and the
 * generative tests: whether both get the same verdict, the same error at the path, and nothing registered with a
 * refused value.
 */

type Component = new (name: string, args: any) => pulumi.ComponentResource;

export const componentClasses: Record<Corpus["component"], Component> = { PodIdentityWorkload, PodIdentityAgent, CrossAccountRole, WellKnownPolicySet };

export const componentTokens: Record<Corpus["component"], string> = {
    PodIdentityWorkload: PODIDENTITYWORKLOAD_TYPE,
    PodIdentityAgent: PODIDENTITYAGENT_TYPE,
    CrossAccountRole: CROSSACCOUNTROLE_TYPE,
    WellKnownPolicySet: WELLKNOWNPOLICYSET_TYPE,
};

let serial = 0;

export type Problem = { propertyPath: string; reason: string };

/** A problem as the user reads it. */
export const problem = (p: Problem) => `${p.propertyPath}: ${p.reason}`;

/** The input problems among `errors`, and the errors that are not input errors (crashes). */
export function judged(errors: unknown[]): { problems: Problem[]; crashes: string[] } {
    const problems = (errors.filter((e) => pulumi.InputPropertiesError.isInstance(e)) as pulumi.InputPropertiesError[]).flatMap((e) => e.errors);
    const crashes = errors.filter((e) => !pulumi.InputPropertiesError.isInstance(e)).map((e) => (e as Error)?.stack ?? String(e));
    return { problems, crashes };
}

/** How one component of a batch ended: its input problems, its crashes, and the resources it registered. */
export interface Ended {
    problems: Problem[];
    crashes: string[];
    resources: RecordedResource[];
}

/**
 * The site's component constructed once per args, all in one program (a program with a refused Output waits for its
 * dependants to settle, so one program per value would be slow). Claims are kept apart by giving each construction
 * its own service account or cluster (see `apart`). Errors are told apart by the component they name; an error naming
 * none (a crash) fails every construction of the batch.
 */
export async function batch(site: InputSite, argsList: Record<string, unknown>[], preview: boolean): Promise<Ended[]> {
    forgetClaims();
    const names = argsList.map(() => `later-${serial++}`);
    const thrown: unknown[][] = argsList.map(() => []);
    const r = await run(() => {
        argsList.forEach((args, k) => {
            try {
                new componentClasses[site.component](names[k], apart(site, args, k));
            } catch (e) {
                thrown[k].push(e);
            }
        });
    }, { preview });
    const owner = (e: unknown) => names.indexOf(/\b\w+ "([^"]+)" has invalid inputs/.exec((e as Error)?.message ?? "")?.[1] ?? "");
    const unowned = r.failures.filter((e) => owner(e) < 0);
    return names.map((name, k) => {
        const mine = judged([...thrown[k], ...r.failures.filter((e) => owner(e) === k)]);
        return {
            problems: mine.problems,
            crashes: [...mine.crashes, ...judged(unowned).crashes, ...judged(unowned).problems.map((x) => `an input error naming no component: ${problem(x)}`)],
            resources: r.resources.filter((x) => x.name === name || x.name.startsWith(`${name}-`)),
        };
    });
}

/**
 * The args of the k-th construction of a batch, kept from claiming what another one claims (one association per
 * service account, one namespace created, one agent per cluster), without touching the input under test.
 */
function apart(site: InputSite, args: Record<string, unknown>, k: number): Record<string, unknown> {
    if (site.component === "PodIdentityWorkload") {
        return { ...args, ...(site.path === "serviceAccountName" ? {} : { serviceAccountName: `sa-${k}` }), ...(site.path === "namespace" ? {} : { createNamespace: false }) };
    }
    return site.component === "PodIdentityAgent" && site.path !== "clusterName" ? { ...args, clusterName: `agent-later-${k}` } : args;
}

/** Resources whose inputs carry `value` although the accepted good value's resources never do. */
export function carriers(resources: RecordedResource[], value: unknown, baseline: string): string[] {
    if (typeof value !== "string" || value.trim().length < 4) {
        return [];
    }
    const needle = JSON.stringify(value).slice(1, -1);
    return baseline.includes(needle) ? [] : resources.filter((r) => JSON.stringify(r.inputs).includes(needle)).map((r) => r.name);
}

/** What is wrong with how each value at the site was judged, plain and as an Output (known in the update, and at preview). */
export async function sameVerdicts(site: InputSite, values: unknown[]): Promise<string[]> {
    const plainArgs = values.map((value) => withValueAt(site.base, site.path, () => value) as Record<string, unknown>);
    const laterArgs = values.map((value) => withValueAt(site.base, site.path, () => pulumi.output(value)) as Record<string, unknown>);
    const plain = await batch(site, plainArgs, false);
    const later = { update: await batch(site, laterArgs, false), preview: await batch(site, laterArgs, true) };
    const good = plain[0];
    const baseline = JSON.stringify(good.resources.map((r) => r.inputs));
    const wrong: string[] = [];
    values.forEach((value, k) => {
        const shown = JSON.stringify(value)?.slice(0, 120);
        const p = plain[k];
        p.crashes.forEach((c) => wrong.push(`${shown} → plain: not an input error: ${c}`));
        const refused = p.problems.length > 0;
        if (refused && p.resources.length > 0) {
            wrong.push(`${shown} → plain: refused, but registered ${p.resources.map((r) => r.name).join(", ")}`);
        }
        const atPath = p.problems.filter((x) => x.propertyPath === site.path).map(problem);
        for (const [when, ended] of [["Output", later.update[k]], ["Output known at preview", later.preview[k]]] as const) {
            ended.crashes.forEach((c) => wrong.push(`${shown} → ${when}: not an input error: ${c}`));
            if (refused !== ended.problems.length > 0) {
                wrong.push(`${shown} → ${when}: ${refused ? "accepted" : `refused (${ended.problems.map(problem).join("; ")})`} where the plain value is ${refused ? "refused" : "accepted"}`);
            }
            const reported = new Set(ended.problems.map(problem));
            const lost = atPath.filter((x) => !reported.has(x));
            if (lost.length > 0) {
                wrong.push(`${shown} → ${when}: not the plain value's error at ${site.path}: expected ${lost.join("; ")}, got ${[...reported].join("; ")}`);
            }
            const stray = ended.problems.filter((x) => x.propertyPath !== site.path && !pathInInput(plainArgs[k], x.propertyPath));
            if (stray.length > 0) {
                wrong.push(`${shown} → ${when}: paths the user did not write: ${stray.map(problem).join("; ")}`);
            }
            const carrying = refused ? carriers(ended.resources, value, baseline) : [];
            if (carrying.length > 0) {
                wrong.push(`${shown} → ${when}: refused value reached ${carrying.join(", ")}`);
            }
        }
    });
    return wrong;
}
