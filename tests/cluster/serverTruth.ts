/**
 * The real Kubernetes API server's verdict on rendered objects (the test cluster of tests/cluster/supervisor.ts,
 * Kubernetes 1.36 with Pod Security admission): what `pulumi up` would meet, instead of our own reading of the rules.
 *
 * Every object is sent the way the Pulumi Kubernetes provider (v4) sends it: server-side apply, which is the
 * provider's default since v4.0 (`enableServerSideApply`), so the server runs the same decoding, defaulting,
 * validation and admission as on a real update. `dryRun=All` persists nothing, `fieldValidation=Strict` refuses
 * unknown and duplicated fields instead of dropping them silently, and `force=true` takes over fields another manager
 * owns, as the provider does. Every pod template (Deployment, DaemonSet, Job, CronJob, …) is also created as a Pod
 * (dry run) in a namespace enforcing the "restricted" Pod Security Standard: workload objects are admitted whatever
 * their template holds, and only the Pod is judged by Pod Security admission.
 *
 * Dry runs still need what they refer to: the namespace (NamespaceLifecycle admission), and for pods the
 * ServiceAccount (ServiceAccount admission refuses a pod whose account is missing). Those are created for real, under
 * names unique to this helper (test files share one cluster and run in parallel; namespace deletion takes the
 * namespace controller ~10 s, so nothing is deleted: the cluster is thrown away). Rendered namespaced objects are
 * therefore judged in such a namespace, and the namespace name they were rendered with is judged on its own, as the
 * name of a Namespace. A rendered Namespace is dry-run under its own name, then created for real (under a unique name)
 * with its own labels, and the pods rendered into it are judged there too: its labels are the policy they meet.
 */
import * as crypto from "crypto";
import { RecordedResource, UNKNOWN } from "../../provider/tools/plan/engine";
import { ApiResponse, KubeClient, testCluster } from "./client";

/** The server's answer about one object (or one pod template). */
export interface Verdict {
    /** What was judged, e.g. `Deployment apps/orders (server-side apply)`. */
    subject: string;
    admitted: boolean;
    /** HTTP status of the answer. */
    status: number;
    /** The server's message when refused (its Status object's message). */
    message?: string;
}

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

const FIELD_MANAGER = "pulumi-kubernetes";
const APPLY_QUERY = `?dryRun=All&fieldManager=${FIELD_MANAGER}&fieldValidation=Strict&force=true`;
const CREATE_QUERY = "?dryRun=All&fieldValidation=Strict";
/** Requests in flight at once: the API server is on a 2-core machine shared with the tests. */
const CONCURRENCY = 8;
const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";
const POD_SECURITY_ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";

interface ResourceInfo {
    /** The plural resource name, e.g. `deployments`. */
    resource: string;
    namespaced: boolean;
}

/**
 * The Kubernetes objects among recorded resources (the harness's or the offline plan's) that can be judged: those
 * holding a value known only after apply are left out, as nothing can judge them before it is known.
 */
export function judgeableObjects(resources: readonly RecordedResource[]): any[] {
    // Custom resources only: a Helm chart (`kubernetes:helm.sh/v4:Chart`) is a component the provider renders into
    // objects at apply; its inputs are no Kubernetes object (the e2e suite applies charts with the real provider).
    return resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")).map((r) => r.inputs).filter((inputs) => !JSON.stringify(inputs).includes(UNKNOWN));
}

/** The refused verdicts' subjects and messages, one line each: `[]` when the server admitted everything. */
export function refusals(verdicts: Verdict[]): string[] {
    return verdicts.filter((v) => !v.admitted).map((v) => `${v.subject}: ${v.message ?? `HTTP ${v.status}`}`);
}

/**
 * One test file's view of the server. `prefix` names the real namespaces it creates (`st-<prefix>-<random>-…`):
 * give each test file its own.
 */
export class ServerTruth {
    private clientInstance: KubeClient | undefined;
    private readonly base: string;
    private readonly memo = new Map<string, Promise<unknown>>();
    private readonly cache = new Map<string, Promise<Verdict[]>>();
    private active = 0;
    private readonly waiting: (() => void)[] = [];
    private counter = 0;

    constructor(prefix: string) {
        // Unique per helper even when a file runs twice against one cluster; at most 63 characters with suffixes.
        this.base = `st-${prefix.toLowerCase().replace(/[^a-z0-9-]/g, "").slice(0, 24)}-${crypto.randomBytes(3).toString("hex")}`;
    }

    /** Created on first use, so that a missing TEST_CLUSTER fails the test that needs it with testCluster()'s message. */
    private get client(): KubeClient {
        this.clientInstance ??= new KubeClient(testCluster());
        return this.clientInstance;
    }

    close(): void {
        this.clientInstance?.destroy();
    }

    /**
     * The server's verdicts on rendered objects: each object server-side applied (dry run), its namespace name judged
     * as a Namespace, and its pod template (if any) created as a Pod (dry run) under "restricted". Identical objects
     * are judged once per helper.
     */
    async admit(objects: readonly any[]): Promise<Verdict[]> {
        const namespaces = new Map<string, any>(objects.filter((o) => o?.kind === "Namespace" && o?.apiVersion === "v1").map((o) => [o.metadata?.name, o]));
        const judged = await Promise.all(
            objects.map((object) => {
                const rendered = namespaces.get(object?.metadata?.namespace);
                const key = JSON.stringify([object, rendered ?? null]);
                let verdicts = this.cache.get(key);
                if (!verdicts) {
                    verdicts = this.judge(object, rendered);
                    this.cache.set(key, verdicts);
                }
                return verdicts;
            }),
        );
        return judged.flat();
    }

    private async judge(object: any, renderedNamespace: any | undefined): Promise<Verdict[]> {
        const label = describeObject(object);
        const verdicts: Verdict[] = [];
        const info = await this.resourceOf(object);
        if (typeof info === "string") {
            return [{ subject: `${label} (server-side apply)`, admitted: false, status: 404, message: info }];
        }
        let realNamespace: string | undefined;
        if (info.namespaced) {
            const namespace = object.metadata?.namespace;
            if (typeof namespace !== "string" || namespace === "") {
                return [{ subject: `${label} (server-side apply)`, admitted: false, status: 0, message: "a namespaced object without metadata.namespace" }];
            }
            if (renderedNamespace) {
                realNamespace = await this.copyOfNamespace(renderedNamespace);
            } else {
                verdicts.push(await this.namespaceName(namespace));
                realNamespace = await this.namespaceEnforcing("restricted");
            }
            if (realNamespace === undefined) {
                // The rendered Namespace was refused (reported with the Namespace): judge its objects under "restricted".
                realNamespace = await this.namespaceEnforcing("restricted");
            }
        }
        if (object.kind === "Pod" && object.apiVersion === "v1" && realNamespace !== undefined) {
            // ServiceAccount admission judges a Pod's own dry run too: its account must exist first, whatever other
            // objects of the same call happen to create.
            await this.serviceAccount(realNamespace, serviceAccountOf(object.spec));
        }
        verdicts.push(await this.apply(object, realNamespace, label));
        if (object.kind === "Namespace" && object.apiVersion === "v1") {
            // Refused labels (e.g. an unknown Pod Security level) are refused on creation too; judged by the dry run above.
            await this.copyOfNamespace(object);
        }
        const template = podTemplateOf(object);
        if (template) {
            const where = realNamespace ?? (await this.namespaceEnforcing("restricted"));
            const labels = (renderedNamespace?.metadata?.labels ?? {}) as Record<string, string>;
            const enforcesRestricted = where !== undefined && renderedNamespace !== undefined && labels[POD_SECURITY_ENFORCE] === "restricted" && (labels[POD_SECURITY_ENFORCE_VERSION] ?? "latest") === "latest";
            if (renderedNamespace) {
                verdicts.push(await this.createPod(template, where, `Pod from the template of ${label}, in its rendered namespace's Pod Security policy`));
            }
            if (!enforcesRestricted) {
                verdicts.push(await this.admitPod(template, "restricted", `Pod from the template of ${label}`));
            }
        }
        return verdicts;
    }

    /** Server-side apply (dry run) of `object`, in `namespace` when given (its rendered namespace replaced). */
    async apply(object: any, namespace?: string, subject = describeObject(object)): Promise<Verdict> {
        const info = await this.resourceOf(object);
        if (typeof info === "string") {
            return { subject: `${subject} (server-side apply)`, admitted: false, status: 404, message: info };
        }
        const body = namespace === undefined ? object : { ...object, metadata: { ...object.metadata, namespace } };
        const name = typeof object.metadata?.name === "string" ? object.metadata.name : "";
        const path = `${collectionPath(object.apiVersion, info.resource, namespace)}/${encodeURIComponent(name)}${APPLY_QUERY}`;
        return verdictOf(`${subject} (server-side apply)`, await this.send("PATCH", path, body, "application/apply-patch+yaml"));
    }

    /** A Pod (dry run) from a pod template (`{ metadata?, spec }`), in a namespace enforcing `level`. */
    async admitPod(template: { metadata?: any; spec: any }, level: PodSecurityLevel, subject = "Pod"): Promise<Verdict> {
        return this.createPod(template, await this.namespaceEnforcing(level), `${subject} (Pod Security "${level}")`);
    }

    private async createPod(template: { metadata?: any; spec: any }, namespace: string, subject: string): Promise<Verdict> {
        await this.serviceAccount(namespace, serviceAccountOf(template.spec));
        const { labels, annotations } = template.metadata ?? {};
        const { ephemeralContainers, ...spec } = template.spec ?? {};
        // A fixed name: the template's owner, not the pod, carries the name under judgement.
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "template-check", namespace, labels, annotations }, spec };
        if (!Array.isArray(ephemeralContainers) || ephemeralContainers.length === 0) {
            return verdictOf(subject, await this.send("POST", `/api/v1/namespaces/${namespace}/pods${CREATE_QUERY}`, { ...pod, spec: template.spec }));
        }
        // Ephemeral containers cannot be set on create, only added to a running pod through its ephemeralcontainers
        // subresource (`kubectl debug`), which Pod Security admission judges too: create the pod for real, then add them.
        pod.metadata.name = `ephemeral-${++this.counter}`;
        const created = verdictOf(subject, await this.send("POST", `/api/v1/namespaces/${namespace}/pods?fieldValidation=Strict`, pod));
        if (!created.admitted) {
            return created;
        }
        const patch = { spec: { ephemeralContainers } };
        const path = `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/ephemeralcontainers${CREATE_QUERY}`;
        return verdictOf(subject, await this.send("PATCH", path, patch, "application/strategic-merge-patch+json"));
    }

    /** Whether `name` is a valid Namespace name: a bare Namespace of that name, server-side applied (dry run). */
    namespaceName(name: string): Promise<Verdict> {
        return this.once(`namespace-name:${name}`, () => this.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, undefined, `Namespace name "${name}"`));
    }

    /** A real namespace of this helper enforcing `level` (policy version latest), created once. */
    namespaceEnforcing(level: PodSecurityLevel): Promise<string> {
        return this.once(`level:${level}`, async () => {
            const name = `${this.base}-${level}`;
            await this.createOrReuse("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { [POD_SECURITY_ENFORCE]: level, [POD_SECURITY_ENFORCE_VERSION]: "latest" } } });
            return name;
        });
    }

    /** A real namespace with a rendered Namespace's labels and annotations, or undefined when the server refuses them. */
    private copyOfNamespace(rendered: any): Promise<string | undefined> {
        const { labels, annotations } = rendered.metadata ?? {};
        return this.once(`copy:${JSON.stringify([labels, annotations])}`, async () => {
            const name = `${this.base}-ns${++this.counter}`;
            const response = await this.send("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels, annotations } });
            return response.status < 300 ? name : undefined;
        });
    }

    private serviceAccount(namespace: string, name: string): Promise<void> {
        return this.once(`sa:${namespace}/${name}`, () =>
            this.createOrReuse(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } }),
        );
    }

    private async createOrReuse(collection: string, object: any): Promise<void> {
        const response = await this.send("POST", collection, object);
        // 409: made by an earlier helper of the same name (never the case with the random suffix) or the controllers.
        if (response.status >= 300 && response.status !== 409) {
            throw new Error(`could not create ${describeObject(object)} for the dry runs: ${response.status} ${response.body?.message ?? JSON.stringify(response.body)}`);
        }
    }

    /** The resource serving apiVersion/kind (from the server's discovery documents), or why there is none. */
    private async resourceOf(object: any): Promise<ResourceInfo | string> {
        const { apiVersion, kind } = object ?? {};
        if (typeof apiVersion !== "string" || typeof kind !== "string") {
            return `not a Kubernetes object (apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)})`;
        }
        const resources = await this.once(`discovery:${apiVersion}`, async () => {
            const response = await this.send("GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
            const list: { name: string; kind: string; namespaced: boolean }[] = response.status === 200 ? response.body.resources : [];
            return new Map(list.filter((r) => !r.name.includes("/")).map((r) => [r.kind, { resource: r.name, namespaced: r.namespaced }]));
        });
        return resources.get(kind) ?? `the server serves no ${kind} in ${apiVersion}`;
    }

    private once<T>(key: string, make: () => Promise<T>): Promise<T> {
        let value = this.memo.get(key) as Promise<T> | undefined;
        if (!value) {
            value = make();
            this.memo.set(key, value);
        }
        return value;
    }

    /** One request, with at most CONCURRENCY in flight (keep-alive connections are reused by the client's agent). */
    private async send(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiResponse> {
        if (this.active >= CONCURRENCY) {
            await new Promise<void>((resolve) => this.waiting.push(resolve));
        }
        this.active++;
        try {
            return await this.client.request(method, path, body, contentType);
        } finally {
            this.active--;
            this.waiting.shift()?.();
        }
    }
}

function verdictOf(subject: string, response: ApiResponse): Verdict {
    if (response.status >= 200 && response.status < 300) {
        return { subject, admitted: true, status: response.status };
    }
    const message = typeof response.body === "object" && response.body !== null ? response.body.message ?? JSON.stringify(response.body) : String(response.body);
    return { subject, admitted: false, status: response.status, message };
}

function collectionPath(apiVersion: string, resource: string, namespace: string | undefined): string {
    const root = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return namespace === undefined ? `${root}/${resource}` : `${root}/namespaces/${encodeURIComponent(namespace)}/${resource}`;
}

function describeObject(object: any): string {
    const meta = object?.metadata ?? {};
    const name = meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
    return `${object?.kind ?? "object"} ${JSON.stringify(name ?? "")}`.replace(/^(\S+) "([^"]*)"$/, "$1 $2");
}

/**
 * The pod template of a workload object (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController,
 * PodTemplate, CronJob), or undefined for other kinds. Pods themselves are judged by their own apply.
 */
export function podTemplateOf(object: any): { metadata?: any; spec: any } | undefined {
    const template = object?.kind === "CronJob" ? object.spec?.jobTemplate?.spec?.template : object?.kind === "PodTemplate" ? object.template : object?.spec?.template;
    return template && typeof template === "object" && template.spec && typeof template.spec === "object" ? template : undefined;
}

/** The service account a pod spec runs as: `serviceAccountName`, else the namespace's `default`. */
function serviceAccountOf(spec: any): string {
    return typeof spec?.serviceAccountName === "string" && spec.serviceAccountName !== "" ? spec.serviceAccountName : "default";
}
