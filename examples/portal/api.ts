/**
 * The portal's request contract: the JSON a portal posts, its shape check, the workload id, and the mapping onto
 * the component's arguments. Pure code: no Pulumi runtime, no I/O. Everything the component itself checks (names,
 * ARNs, IAM actions, conditions, cross-account rules) is left to the component (see program.ts); this module only
 * rejects what the component cannot be handed at all (wrong types, unknown fields) and what the portal refuses by
 * policy (clusters it does not manage, privileged managed policies, escalation and administrator-equivalent statements,
 * cross-account targets it was not told to allow: permissionPolicy.ts, targetRoles.ts, protectedBuckets.ts).
 */
import { createHash } from "crypto";
import { parseClusterArn } from "../../provider/iam/arn";
import { DEFAULT_ALLOWED_MANAGED_POLICY_ARNS } from "./managedPolicies";
import { SYSTEM_NAMESPACES, isSystemNamespace } from "./ownership";
import { statementProblems } from "./permissionPolicy";
import { protectedBucketsDeny } from "./protectedBuckets";
import { targetProblems } from "./targetRoles";
import type { CrossAccountSettings } from "../../provider/crossAccount/args";
import type { PolicyStatement } from "../../provider/iam/policyDocument";
import type { PodIdentityWorkloadArgs, WorkloadSettings } from "../../provider/components/podIdentityWorkloadArgs";

/** One workload as a portal requests it (the body of `POST /workloads`). */
export interface WorkloadRequest {
    /** Owning team, a DNS-1123 label of at most 32 characters. Tagged on every AWS resource. */
    team: string;
    /** Name of a cluster the portal manages. */
    cluster: string;
    namespace: string;
    serviceAccount: string;
    /** Create the namespace (restricted Pod Security Standard). Default true. */
    createNamespace?: boolean;
    managedPolicyArns?: string[];
    policyStatements?: PolicyStatement[];
    crossAccount?: CrossAccountSettings;
    /** A Deployment using the service account. Default: none (namespace and service account only). */
    workload?: WorkloadSettings;
}

/** A problem with the request, named by its field as the portal sent it (e.g. `policyStatements[0].actions[1]`). */
export interface FieldProblem {
    field: string;
    message: string;
}

/** A cluster the portal may create access in. */
export interface PortalCluster {
    /** `arn:aws:eks:<region>:<account>:cluster/<name>`; the name is what requests give as `cluster`. */
    arn: string;
    /** Path of the kubeconfig for this cluster (stack config `kubernetes:kubeconfig`). Default: the ambient one. */
    kubeconfig?: string;
    /** kubeconfig context (stack config `kubernetes:context`). Default: the current context. */
    context?: string;
}

export interface ResolvedCluster extends PortalCluster {
    name: string;
    region: string;
    accountId: string;
}

export function resolveClusters(clusters: PortalCluster[]): Map<string, ResolvedCluster> {
    const byName = new Map<string, ResolvedCluster>();
    for (const cluster of clusters) {
        const arn = parseClusterArn(cluster.arn);
        if (!arn) throw new Error(`portal clusters: "${cluster.arn}" is not an EKS cluster ARN`);
        if (byName.has(arn.clusterName)) throw new Error(`portal clusters: cluster "${arn.clusterName}" is listed twice`);
        byName.set(arn.clusterName, { ...cluster, name: arn.clusterName, region: arn.region, accountId: arn.accountId });
    }
    return byName;
}


/**
 * Services whose actions a self-service statement may not allow: with them a workload could grant itself more
 * (create roles or users, attach policies, pass roles, assume other roles, change the organization or account).
 * Cross-account access goes through `crossAccount`, which the target account's trust policy must accept.
 */
export const PRIVILEGED_SERVICES = ["iam", "sts", "organizations", "account", "sso", "identitystore"];

/** What the portal refuses regardless of what the component would accept. */
export interface PortalPolicy {
    /**
     * The managed policy ARNs requests may attach, exactly; every other ARN (customer-managed, job-function, any AWS
     * policy not listed) is refused. Default DEFAULT_ALLOWED_MANAGED_POLICY_ARNS (managedPolicies.ts).
     */
    allowedManagedPolicyArns?: readonly string[];
    /** Services whose actions `Allow` statements may not name. Default PRIVILEGED_SERVICES. */
    deniedServices?: readonly string[];
    /**
     * Escalation actions of provider/iam/privilegeEscalation.ts that statements may allow anyway, by exact name
     * (`PORTAL_ALLOWED_ESCALATION_ACTIONS`). Default none: every escalation action is refused.
     */
    allowedEscalationActions?: readonly string[];
    /**
     * Role ARN patterns (`*`, `?`) crossAccount targets may name (`PORTAL_ALLOWED_TARGET_ROLES`). Default none: every
     * target is refused. A role of the cluster's own account needs a pattern spelling out that account; well-known
     * administrator role names are refused whatever matches (targetRoles.ts).
     */
    allowedTargetRoles?: readonly string[];
    /**
     * Buckets no statement may reach. The portal sets it at start: its `s3://` backend's bucket and
     * `PORTAL_PROTECTED_BUCKETS` (protectedBuckets.ts).
     */
    protectedBuckets?: readonly string[];
}

// ---- shape ----

type Shape =
    | "string"
    | "boolean"
    | "integer"
    | "stringMap"
    | { array: Shape; max?: number }
    | { object: Record<string, Shape>; required?: string[] };

const STRINGS: Shape = { array: "string", max: 100 };
const STATEMENT: Shape = {
    object: {
        sid: "string",
        effect: "string",
        actions: STRINGS,
        notActions: STRINGS,
        resources: STRINGS,
        notResources: STRINGS,
        conditions: { array: { object: { test: "string", variable: "string", values: STRINGS }, required: ["test", "variable", "values"] }, max: 20 },
        sessionTagScope: { object: { tags: STRINGS, resourceTagKeyPrefix: "string" } },
    },
};
const TARGET: Shape = {
    object: {
        roleArn: "string",
        profileName: "string",
        externalId: "string",
        roleSessionName: "string",
        durationSeconds: "integer",
        region: "string",
        default: "boolean",
        sameAccountReason: "string",
    },
    required: ["roleArn"],
};
const WORKLOAD: Shape = {
    object: {
        image: "string",
        name: "string",
        containerName: "string",
        replicas: "integer",
        command: STRINGS,
        args: STRINGS,
        env: "stringMap",
        ports: { array: { object: { name: "string", containerPort: "integer", protocol: "string" }, required: ["containerPort"] }, max: 20 },
        resources: { object: { requests: "stringMap", limits: "stringMap" } },
        labels: "stringMap",
        podAnnotations: "stringMap",
        nodeSelector: "stringMap",
        runAsUser: "integer",
        runAsGroup: "integer",
        readOnlyRootFilesystem: "boolean",
    },
    required: ["image"],
};
const REQUEST: Shape = {
    object: {
        team: "string",
        cluster: "string",
        namespace: "string",
        serviceAccount: "string",
        createNamespace: "boolean",
        managedPolicyArns: { array: "string", max: 20 },
        policyStatements: { array: STATEMENT, max: 50 },
        crossAccount: {
            object: {
                mode: "string",
                targets: { array: TARGET, max: 10 },
                credentialSource: "string",
                mountPath: "string",
                sourceProfileName: "string",
            },
            required: ["targets"],
        },
        workload: WORKLOAD,
    },
    // `team` is required of admins only: a member's team is its own (see parseWorkloadRequest).
    required: ["cluster", "namespace", "serviceAccount"],
};

/**
 * Keys that name JavaScript's prototype machinery. JSON.parse makes them ordinary own properties, but code that later
 * copies or merges the body (`{ ...body }`, `Object.assign`) could turn them into prototype changes, so the portal
 * refuses them by name wherever they appear, before any other check reads the object.
 */
export const PROTOTYPE_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];

/** Whether `shape` (a plain object literal) declares `key` itself: inherited names like `toString` are not fields. */
const declares = (fields: Record<string, Shape>, key: string) => Object.prototype.hasOwnProperty.call(fields, key);

function kindOf(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "string") return "a string";
    if (typeof value === "number") return "a number";
    return typeof value === "object" ? "an object" : typeof value;
}

function checkShape(problems: FieldProblem[], field: string, value: unknown, shape: Shape): void {
    const at = (key: string) => (field === "" ? key : `${field}.${key}`);
    if (shape === "string" || shape === "boolean") {
        if (typeof value !== shape) problems.push({ field, message: `expected ${shape === "string" ? "a string" : "true or false"}, got ${kindOf(value)}` });
    } else if (shape === "integer") {
        if (typeof value !== "number" || !Number.isInteger(value)) problems.push({ field, message: `expected a whole number, got ${kindOf(value)}` });
    } else if (shape === "stringMap") {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            problems.push({ field, message: `expected an object of strings, got ${kindOf(value)}` });
        } else {
            for (const [key, item] of Object.entries(value)) {
                if (PROTOTYPE_KEYS.includes(key)) problems.push({ field: at(key), message: `"${key}" is not accepted as a key` });
                else if (typeof item !== "string") problems.push({ field: at(key), message: `expected a string, got ${kindOf(item)}` });
            }
        }
    } else if ("array" in shape) {
        if (!Array.isArray(value)) {
            problems.push({ field, message: `expected a list, got ${kindOf(value)}` });
        } else if (shape.max !== undefined && value.length > shape.max) {
            problems.push({ field, message: `${value.length} items given; the portal accepts at most ${shape.max}` });
        } else {
            value.forEach((item, i) => checkShape(problems, `${field}[${i}]`, item, shape.array));
        }
    } else {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            problems.push({ field: field || "body", message: `expected a JSON object, got ${kindOf(value)}` });
            return;
        }
        const record = value as Record<string, unknown>;
        for (const key of shape.required ?? []) {
            const given = Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
            if (given === undefined || given === null || given === "") problems.push({ field: at(key), message: "required" });
        }
        for (const [key, item] of Object.entries(record)) {
            const itemShape = declares(shape.object, key) ? shape.object[key] : undefined;
            if (PROTOTYPE_KEYS.includes(key)) {
                problems.push({ field: at(key), message: `"${key}" is not a field the portal accepts (it names JavaScript's prototype machinery)` });
            } else if (itemShape === undefined) {
                problems.push({ field: at(key), message: `unknown field: the portal accepts ${Object.keys(shape.object).join(", ")}` });
            } else if (item !== undefined && item !== null && !(item === "" && shape.required?.includes(key))) {
                checkShape(problems, at(key), item, itemShape);
            }
        }
    }
}

/**
 * Checks the body's shape and the portal's own policy. Returns the request, typed, or the problems; the
 * component's validation runs afterwards on what passes here.
 */
export function parseWorkloadRequest(
    body: unknown,
    clusters: Map<string, ResolvedCluster>,
    policy: PortalPolicy = {},
    callerTeam?: string,
): { request: WorkloadRequest; problems?: undefined } | { problems: FieldProblem[]; request?: undefined } {
    const allowedPolicies = policy.allowedManagedPolicyArns ?? DEFAULT_ALLOWED_MANAGED_POLICY_ARNS;
    const deniedServices = policy.deniedServices ?? PRIVILEGED_SERVICES;
    const problems: FieldProblem[] = [];
    checkShape(problems, "", body, REQUEST);
    const given = body as Partial<WorkloadRequest>;
    // A member's requests are its team's (the server refused a different body team already); an admin names one.
    const team = callerTeam ?? given?.team;
    if (team === undefined || team === null || team === "") problems.push({ field: "team", message: "required" });
    if (problems.length > 0) return { problems };
    const request = { ...given, team } as WorkloadRequest;
    if (!/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/.test(request.team)) {
        problems.push({ field: "team", message: `"${request.team}" is not a team name: use at most 32 lower-case letters, digits and '-', starting and ending with a letter or digit` });
    }
    if (typeof request.namespace === "string" && isSystemNamespace(request.namespace)) {
        problems.push({ field: "namespace", message: `${request.namespace} is a Kubernetes system namespace (${SYSTEM_NAMESPACES.join(", ")} and every kube- name are reserved): choose your team's own` });
    }
    if (!clusters.has(request.cluster)) {
        const known = [...clusters.keys()];
        problems.push({ field: "cluster", message: `"${request.cluster}" is not a cluster this portal manages: use one of ${known.map((k) => JSON.stringify(k)).join(", ") || "(none configured)"}` });
    }
    (request.managedPolicyArns ?? []).forEach((arn, i) => {
        if (!allowedPolicies.includes(arn)) {
            const allowed = allowedPolicies.length > 0 ? `the portal allows ${allowedPolicies.join(", ")}` : "the portal allows no managed policies";
            problems.push({ field: `managedPolicyArns[${i}]`, message: `${JSON.stringify(arn)} is not on the portal's allowlist (${allowed}): request the specific actions in policyStatements` });
        }
    });
    (request.policyStatements ?? []).forEach((statement, i) => {
        if ((statement.effect ?? "Allow") !== "Allow") return;
        if (statement.notActions !== undefined) {
            problems.push({ field: `policyStatements[${i}].notActions`, message: "an Allow statement with notActions allows every other action of every service: list the allowed actions in actions" });
        }
        (statement.actions ?? []).forEach((action, j) => {
            const service = action.includes(":") ? action.slice(0, action.indexOf(":")).toLowerCase() : action;
            if (/[*?]/.test(service)) {
                problems.push({ field: `policyStatements[${i}].actions[${j}]`, message: `"${action}" allows actions of every service: name the service, e.g. "s3:GetObject"` });
            } else if (deniedServices.includes(service)) {
                problems.push({ field: `policyStatements[${i}].actions[${j}]`, message: `the portal does not grant ${service}: actions (they let a workload extend its own access): ask the platform team` });
            }
        });
    });
    // By effect, not by name: escalation, writes on everything, the portal's own bucket, cross-account targets.
    const cluster = clusters.get(request.cluster);
    const statementPolicy = { allowedEscalationActions: policy.allowedEscalationActions ?? [], protectedBuckets: policy.protectedBuckets ?? [], partition: cluster?.arn.split(":")[1] ?? "aws" };
    problems.push(...statementProblems(request.policyStatements ?? [], statementPolicy, problems.map((p) => p.field)));
    problems.push(...targetProblems(request.crossAccount, cluster?.accountId, policy.allowedTargetRoles ?? []));
    return problems.length > 0 ? { problems } : { request };
}

// ---- identity ----

/**
 * The workload's id: readable (team, cluster, namespace, service account) and a hash of the exact tuple, so two
 * tuples that sanitise alike still differ. It is the stack name and the component's name (at most 48 characters:
 * the role's generated name `<id>-role-xxxxxxx` stays within IAM's 64).
 */
export function workloadId(request: Pick<WorkloadRequest, "team" | "cluster" | "namespace" | "serviceAccount">): string {
    const parts = [request.team, request.cluster, request.namespace, request.serviceAccount];
    const readable = parts
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .slice(0, 41)
        .replace(/^-+|-+$/g, "");
    const hash = createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 6);
    return `${readable || "w"}-${hash}`;
}

export const WORKLOAD_ID = /^[a-z0-9][a-z0-9-]{0,40}-[0-9a-f]{6}$/;

/** Tag keys the portal puts on every AWS resource it creates. */
export const TEAM_TAG = "eks-pod-identity-portal/team";
export const WORKLOAD_TAG = "eks-pod-identity-portal/workload";

/**
 * The component's arguments for a checked request: secure defaults are the component's own. With protected buckets
 * (protectedBuckets.ts) the role also gets a Deny of them, after the request's statements.
 */
export function componentArgs(request: WorkloadRequest, cluster: ResolvedCluster, id: string, protectedBuckets: readonly string[] = []): PodIdentityWorkloadArgs {
    const deny = protectedBuckets.length > 0 ? [protectedBucketsDeny(protectedBuckets, cluster.arn.split(":")[1])] : [];
    return {
        clusterName: cluster.name,
        clusterArn: cluster.arn,
        namespace: request.namespace,
        serviceAccountName: request.serviceAccount,
        createNamespace: request.createNamespace,
        managedPolicyArns: request.managedPolicyArns,
        policyStatements: request.policyStatements !== undefined || deny.length > 0 ? [...(request.policyStatements ?? []), ...deny] : undefined,
        crossAccount: request.crossAccount,
        workload: request.workload,
        tags: { [TEAM_TAG]: request.team, [WORKLOAD_TAG]: id },
    };
}

/** The component reports problems by its argument names; the portal's client wrote the request's. */
export function requestField(propertyPath: string): string {
    return propertyPath
        .replace(/^(clusterName|clusterArn)\b/, "cluster")
        .replace(/^serviceAccountName\b/, "serviceAccount")
        .replace(/^tags\b.*/, "team");
}
