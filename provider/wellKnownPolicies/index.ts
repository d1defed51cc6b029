import { checkClusterArn } from "../iam/arn";
import { checkPolicyDocument, policySize } from "../iam/validation";
import { PartitionReference, checkPartition } from "../iam/partition";
import { PolicyDocumentJson } from "../iam/policyDocument";
import { Problems, describe, inputError, keyPath } from "../validation/problems";
import { PolicyEnvironment, environmentOf } from "./common";
import { ResolvedWellKnownPolicies, WELL_KNOWN_POLICIES, WellKnownPolicies, WellKnownPolicyDefinition, WellKnownPolicyKey } from "./registry";

export * from "./registry";
export * from "./addons";
export { Unwrapped, WellKnownAddOn } from "./addOn";
export { PolicyEnvironment, WellKnownDocument, environmentOf } from "./common";

/** A managed policy's document may hold 6,144 characters, whitespace excluded. */
export const MANAGED_POLICY_LIMIT = 6144;

export const WELL_KNOWN_POLICY_KEYS = Object.keys(WELL_KNOWN_POLICIES) as WellKnownPolicyKey[];

/** `ebsCsiDriver` → `ebs-csi-driver`. */
export function kebab(key: string): string {
    return key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();
}

/** The keys present, in definition order. */
export function enabledWellKnownPolicies(policies: WellKnownPolicies | undefined): WellKnownPolicyKey[] {
    return policies && typeof policies === "object" ? WELL_KNOWN_POLICY_KEYS.filter((key) => policies[key] !== undefined) : [];
}

/**
 * Checks the inputs. Plain values are checked; values not known yet are skipped (check again once resolved).
 * Every problem names its input path under `path`, e.g. `wellKnownPolicies.externalDns.hostedZoneIds[0]`.
 */
export function checkWellKnownPolicies(problems: Problems, path: string, policies: unknown): void {
    if (policies === undefined) {
        return;
    }
    if (typeof policies !== "object" || policies === null || Array.isArray(policies)) {
        problems.add(path, `expected an object of policy name → settings, got ${describe(policies)}`);
        return;
    }
    for (const [key, inputs] of Object.entries(policies)) {
        if (!(WELL_KNOWN_POLICY_KEYS as string[]).includes(key)) {
            problems.add(keyPath(path, key), `unknown well-known policy: use one of ${WELL_KNOWN_POLICY_KEYS.join(", ")}`);
            continue;
        }
        if (inputs === undefined) {
            continue;
        }
        if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) {
            problems.add(`${path}.${key}`, `expected an object of settings (give {} for the defaults), got ${describe(inputs)}`);
            continue;
        }
        const definition = WELL_KNOWN_POLICIES[key as WellKnownPolicyKey] as WellKnownPolicyDefinition<WellKnownPolicyKey>;
        definition.check(problems, `${path}.${key}`, inputs as never);
    }
}

export interface RenderedWellKnownPolicy {
    key: WellKnownPolicyKey;
    /** `well-known-<key>` or `well-known-<key>-<part>`: the managed policy's name suffix. */
    name: string;
    document: PolicyDocumentJson;
}

/**
 * Checks and renders the enabled policies for a cluster. Problems (bad inputs, a document over a managed policy's
 * size, a rendered document failing the policy checks) are added under `path`; nothing is returned for a policy with
 * problems.
 */
export function renderWellKnownPolicies(problems: Problems, path: string, policies: ResolvedWellKnownPolicies, env: PolicyEnvironment): RenderedWellKnownPolicy[] {
    const before = problems.list.length;
    checkWellKnownPolicies(problems, path, policies);
    if (problems.list.length > before) {
        return [];
    }
    const rendered: RenderedWellKnownPolicy[] = [];
    for (const key of enabledWellKnownPolicies(policies as WellKnownPolicies)) {
        // Typed inputs may carry ARNs (KMS keys, buckets): they must be in the cluster's partition like the rest.
        checkArnsInPartition(problems, `${path}.${key}`, policies[key], { partition: env.partition, path: "clusterArn" });
    }
    if (problems.list.length > before) {
        return [];
    }
    for (const key of enabledWellKnownPolicies(policies as WellKnownPolicies)) {
        const definition = WELL_KNOWN_POLICIES[key] as WellKnownPolicyDefinition<WellKnownPolicyKey>;
        for (const { part, document } of definition.render(policies[key] as never, env)) {
            const name = `well-known-${kebab(key)}${part ? `-${part}` : ""}`;
            checkPolicyDocument(problems, `${path}.${key}`, document, { kind: "identity" });
            const size = policySize(document);
            if (size > MANAGED_POLICY_LIMIT) {
                problems.add(`${path}.${key}`, `renders ${size} characters${part ? ` (part ${part})` : ""}; a managed policy holds ${MANAGED_POLICY_LIMIT}: give fewer ARNs (a name pattern such as "…:secret:prod/*" covers many)`);
            }
            rendered.push({ key, name, document });
        }
    }
    return problems.list.length > before ? [] : rendered;
}

/**
 * Standalone use: the documents of the enabled policies for the cluster with this ARN, to attach to any role.
 * Throws an input error listing every problem.
 */
export function wellKnownPolicyDocuments(policies: ResolvedWellKnownPolicies, clusterArn: string): RenderedWellKnownPolicy[] {
    const problems = new Problems();
    checkClusterArn(problems, "clusterArn", clusterArn);
    if (problems.list.length > 0) {
        throw inputError("wellKnownPolicyDocuments", problems.list);
    }
    const rendered = renderWellKnownPolicies(problems, "wellKnownPolicies", policies, environmentOf(clusterArn)!);
    if (problems.list.length > 0) {
        throw inputError("wellKnownPolicyDocuments", problems.list);
    }
    return rendered;
}

/** The managed policies the enabled well-known policies become, named as `renderWellKnownPolicies` names them. */
export function wellKnownPolicyNames(policies: WellKnownPolicies | undefined): { key: WellKnownPolicyKey; name: string }[] {
    return enabledWellKnownPolicies(policies).flatMap((key) =>
        (WELL_KNOWN_POLICIES[key].parts ?? [undefined]).map((part) => ({ key, name: `well-known-${kebab(key)}${part ? `-${part}` : ""}` })),
    );
}


/** Every ARN inside a typed input, at its own path (`….kmsKeyArns[0]`), against the cluster's partition. */
function checkArnsInPartition(problems: Problems, path: string, value: unknown, reference: PartitionReference): void {
    if (typeof value === "string") {
        checkPartition(problems, path, value, reference);
    } else if (Array.isArray(value)) {
        value.forEach((item, i) => checkArnsInPartition(problems, `${path}[${i}]`, item, reference));
    } else if (typeof value === "object" && value !== null) {
        for (const [key, item] of Object.entries(value)) {
            checkArnsInPartition(problems, `${path}.${key}`, item, reference);
        }
    }
}
