import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { addonArnOf, clusterArnOf, podIdentityAssociationArnOf, podIdentityAssociationIdOf, policyArnOf, providerIdOf, roleArnOf } from "../../support/awsIds";
import { Handler, withUnimplemented } from "../../support/engineDouble";
import { ClusterInfo, KubeClient } from "../../cluster/client";
import { AdmissionEvent, AdmissionWebhooks, PodAdmission } from "./admission";
import { EKS_CREDENTIALS, EksApi, EksRequest, startEksApi } from "./eksApi";

/* eslint-disable @typescript-eslint/no-require-imports */
// The provider protocol as shipped in @pulumi/pulumi: the same messages the real aws plugin answers.
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const pluginProto = require("@pulumi/pulumi/proto/plugin_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The AWS side of the end-to-end tests, next to the real Kubernetes side.
 *
 * - A test double of the `aws` resource provider, attached to a real Pulumi CLI through PULUMI_DEBUG_PROVIDERS (the
 *   AWS provider is not served to these machines, and no AWS account is reachable). It implements the resource
 *   lifecycle for the types the components use, holds the "cloud" state across CLI runs, returns the identifiers
 *   AWS would (ARNs, ids), records every call, and refuses what AWS refuses where the order of operations matters:
 *   one Pod Identity association per cluster/namespace/service account, a role cannot be deleted while policies
 *   are attached to it, IAM name and path limits.
 * - Kubernetes is real: the real Kubernetes provider (pulumi-resource-kubernetes) against the test cluster's API
 *   server (tests/cluster). Admission webhooks (./admission.ts) report each change the provider makes into the same
 *   call sequence as the AWS calls, so that orderings across the two can be asserted, and model what EKS does and
 *   the test cluster cannot: its Pod Identity webhook gives a pod credentials only if an association exists for its
 *   service account when the pod is created.
 * - The EKS API's association reads (./eksApi.ts) over HTTP on loopback, answered from the same association table:
 *   what the portal's recovery looks up after a kill.
 */

export type Method = "Check" | "Diff" | "Create" | "Update" | "Delete" | "Read" | "Invoke" | "Configure";

export interface CallRecord {
    /** Position in one sequence shared by both providers; a call has a start and, once answered, an end. */
    start: number;
    end?: number;
    method: Method;
    /** `kubernetes` records are the API server's admission of the real provider's requests. */
    pkg: "aws" | "kubernetes";
    type: string;
    name: string;
    urn: string;
    preview: boolean;
    /** Inputs of Check/Create/Update (news), or the token's args of Invoke. */
    inputs?: Record<string, any>;
    olds?: Record<string, any>;
    id?: string;
    error?: string;
}

/** What the EKS webhook model decided for one pod the cluster created. */
export interface PodRollout {
    namespace: string;
    serviceAccount: string;
    /** Whether an association existed for (cluster, namespace, service account) when the pod was created. */
    credentialsInjected: boolean;
    annotations: Record<string, string>;
}

/** A live Kubernetes object, as the API server lists it. */
export interface LiveObject {
    kind: string;
    namespace?: string;
    name: string;
}

class CloudError extends Error {}

interface Replacement {
    /** Properties whose change replaces the resource (the provider's ForceNew fields). */
    replaces: string[];
}

const REPLACEMENT: Record<string, Replacement> = {
    "aws:iam/role:Role": { replaces: ["name", "namePrefix", "path"] },
    "aws:iam/policy:Policy": { replaces: ["name", "namePrefix", "path", "description"] },
    "aws:iam/rolePolicy:RolePolicy": { replaces: ["name", "namePrefix", "role"] },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { replaces: ["role", "policyArn"] },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": { replaces: ["clusterName", "namespace", "serviceAccount"] },
    "aws:eks/addon:Addon": { replaces: ["clusterName", "addonName"] },
};

const IAM_NAME_LIMITS: Record<string, number> = {
    "aws:iam/role:Role": 64,
    "aws:iam/policy:Policy": 128,
    "aws:iam/rolePolicy:RolePolicy": 128,
};

/** AWS-managed policies the double knows exist (customer-managed ones must have been created in it). */
const AWS_MANAGED_POLICY = /^arn:aws:iam::aws:policy\/[\w+=,.@/-]+$/;

function get(value: any, dotted: string): any {
    return dotted.split(".").reduce((v, key) => (v === undefined || v === null ? undefined : v[key]), value);
}

function same(a: unknown, b: unknown): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

function shortHash(...parts: unknown[]): string {
    return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

function containsUnknown(value: unknown): boolean {
    if (value === pulumi.runtime.unknownValue) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

/** The collections the live-object listing reads, per kind, and what the control plane creates on its own. */
const COLLECTIONS: Record<string, { path: string; type: string }> = {
    Namespace: { path: "/api/v1/namespaces", type: "kubernetes:core/v1:Namespace" },
    ServiceAccount: { path: "/api/v1/serviceaccounts", type: "kubernetes:core/v1:ServiceAccount" },
    ConfigMap: { path: "/api/v1/configmaps", type: "kubernetes:core/v1:ConfigMap" },
    Deployment: { path: "/apis/apps/v1/deployments", type: "kubernetes:apps/v1:Deployment" },
    Pod: { path: "/api/v1/pods", type: "kubernetes:core/v1:Pod" },
};
const PREEXISTING_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/** A held provider call (CloudDouble.hold). */
export interface Hold {
    /** Resolves when the first held call arrives. */
    reached: Promise<void>;
    /** Resolves when the caller of a held call went away (its connection closed). */
    abandoned: Promise<void>;
    release: () => void;
}

export class CloudDouble {
    readonly calls: CallRecord[] = [];
    readonly rollouts: PodRollout[] = [];
    /** Live resources by provider id, per type. */
    private readonly aws = new Map<string, Map<string, Record<string, any>>>();
    private webhooks?: AdmissionWebhooks;
    private eks?: EksApi;
    private kube?: KubeClient;
    private sequence = 0;
    private readonly servers: grpc.Server[] = [];
    /** Creates of these types fail (a transient AWS error), to test recovery after a failed update. */
    readonly failCreatesOf = new Set<string>();
    /** Creates (not previews) and deletes of these types (`<method> <type>`) wait until the test releases them: see hold. */
    private readonly held = new Map<string, { arrived: () => void; abandon: () => void; released: Promise<void>; applied: boolean }>();

    constructor(readonly clusterName: string, readonly kubernetesVersion = "1.36") {}

    /**
     * Starts the aws double and registers the admission webhooks on the test cluster; returns the
     * PULUMI_DEBUG_PROVIDERS value that attaches the double (the Kubernetes provider is the real plugin, found on
     * PATH, configured by KUBECONFIG).
     */
    async start(cluster: ClusterInfo, label: string): Promise<string> {
        const server = new grpc.Server();
        server.addService(providerGrpc.ResourceProviderService, this.handlers("aws"));
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
        );
        this.servers.push(server);
        this.kube = new KubeClient(cluster);
        this.webhooks = new AdmissionWebhooks(cluster, {
            observed: (event) => this.observed(event),
            hasAssociation: (namespace, serviceAccount) => this.hasAssociation(namespace, serviceAccount),
            podCreated: (pod) => this.podCreated(pod),
        }, label);
        await this.webhooks.start();
        this.eks = await startEksApi(this.clusterName, () => this.live("aws:eks/podIdentityAssociation:PodIdentityAssociation"));
        return `aws:${port}`;
    }

    /** What a client of the double's EKS API needs: its endpoint (AWS_ENDPOINT_URL_EKS) and the credentials it accepts. */
    eksEnv(): Record<string, string> {
        if (!this.eks) throw new Error("the double is not started");
        return { AWS_ENDPOINT_URL_EKS: this.eks.endpoint, ...EKS_CREDENTIALS };
    }

    /** Requests the double's EKS API received, in order. */
    get eksRequests(): EksRequest[] {
        return this.eks?.requests ?? [];
    }

    /**
     * Holds the next creates of `type` until `release()`, so that a test can stop a process while AWS is still
     * working on its request. `reached` resolves when the first arrives. A create whose caller went away meanwhile
     * (its CLI killed) is not applied: like a request AWS never got, it changes nothing.
     */
    holdCreatesOf(type: string): Hold {
        return this.hold("Create", type);
    }

    /**
     * Holds the next creates (not previews) or deletes of `type` until `release()`; `reached` resolves when the first
     * arrives. Without `applied`, AWS has not acted yet: a call whose caller went away meanwhile changes nothing. With
     * `applied`, AWS has done the work and only its answer waits: a caller killed meanwhile never learns of a resource
     * that exists (or is gone) all the same, as when a process dies between AWS's change and the reply. `abandoned`
     * resolves when the held call's caller has gone (its connection closed): release after it to be sure the call
     * is seen as abandoned.
     */
    hold(method: "Create" | "Delete", type: string, options: { applied?: boolean } = {}): Hold {
        let arrived!: () => void;
        let abandon!: () => void;
        let release!: () => void;
        const reached = new Promise<void>((resolve) => (arrived = resolve));
        const abandoned = new Promise<void>((resolve) => (abandon = resolve));
        const released = new Promise<void>((resolve) => (release = resolve));
        const key = `${method} ${type}`;
        this.held.set(key, { arrived, abandon, released, applied: options.applied ?? false });
        return {
            reached,
            abandoned,
            release: () => {
                this.held.delete(key);
                release();
            },
        };
    }

    /** `handler`, but held while a test holds calls of its method and the request's type (see hold). */
    private withHold(method: "Create" | "Delete", handler: Handler): Handler {
        return (call, callback) => {
            const request = call.request;
            const preview = typeof request.getPreview === "function" && request.getPreview();
            const hold = preview ? undefined : this.held.get(`${method} ${request.getType() || typeFromUrn(request.getUrn())}`);
            if (!hold) return handler(call, callback);
            hold.arrived();
            (call as grpc.ServerUnaryCall<any, any>).once("cancelled", () => hold.abandon());
            const cancelled = () => (call as grpc.ServerUnaryCall<any, any>).cancelled;
            if (hold.applied) {
                let answer!: Parameters<typeof callback>;
                handler(call, ((...args: Parameters<typeof callback>) => (answer = args)) as typeof callback);
                void hold.released.then(() => (cancelled() ? callback({ code: grpc.status.CANCELLED, details: "the caller went away" }) : callback(...answer)));
                return;
            }
            void hold.released.then(() => (cancelled() ? callback({ code: grpc.status.CANCELLED, details: "the caller went away" }) : handler(call, callback)));
        };
    }

    async stop(): Promise<void> {
        await this.webhooks?.stop();
        await this.eks?.stop();
        this.kube?.destroy();
        await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))));
    }

    /** Live AWS resources of one type (state as the API would describe it). */
    live(type: string): Record<string, any>[] {
        return [...(this.aws.get(type)?.values() ?? [])];
    }

    /**
     * Live Kubernetes objects of one kind, as the API server lists them, without what the control plane made on its
     * own (the preexisting namespaces, `default` service accounts). Objects being deleted count as live. With
     * `namespaces`, only objects in (or, for namespaces, named) one of them: the cluster is shared by every suite.
     */
    async liveObjects(kind: string, namespaces?: string[]): Promise<LiveObject[]> {
        const collection = COLLECTIONS[kind];
        if (!collection || !this.kube) throw new Error(`liveObjects: ${kind} is not listed (or the double is not started)`);
        const list = await this.kube.get(collection.path);
        return (list?.items ?? [])
            .map((item: any) => ({ kind, namespace: item.metadata.namespace, name: item.metadata.name }))
            .filter((o: LiveObject) => !PREEXISTING_NAMESPACES.has(o.namespace ?? (kind === "Namespace" ? o.name : "")))
            .filter((o: LiveObject) => !(kind === "ServiceAccount" && o.name === "default"))
            .filter((o: LiveObject) => !namespaces || namespaces.includes(kind === "Namespace" ? o.name : o.namespace ?? ""));
    }

    /** The pods of one namespace that are not being deleted, as the API server holds them. */
    async pods(namespace: string): Promise<any[]> {
        const list = await this.kube!.get(`/api/v1/namespaces/${namespace}/pods`);
        return (list?.items ?? []).filter((pod: any) => !pod.metadata.deletionTimestamp);
    }

    /** The kubernetes provider's change, as the API server admitted it (before storing it). */
    private observed(event: AdmissionEvent): void {
        const method = ({ CREATE: "Create", UPDATE: "Update", DELETE: "Delete" } as const)[event.operation];
        const type = COLLECTIONS[event.kind]?.type ?? `kubernetes:${event.kind}`;
        const record = this.record({
            method,
            pkg: "kubernetes",
            type,
            name: event.namespace ? `${event.namespace}/${event.name}` : event.name,
            urn: "",
            preview: event.dryRun,
            inputs: event.object,
        });
        record.end = this.sequence++;
    }

    private hasAssociation(namespace: string, serviceAccount: string): boolean {
        return this.live("aws:eks/podIdentityAssociation:PodIdentityAssociation").some(
            (a) => a.clusterName === this.clusterName && a.namespace === namespace && a.serviceAccount === serviceAccount,
        );
    }

    private podCreated(pod: PodAdmission): void {
        this.rollouts.push({ namespace: pod.namespace, serviceAccount: pod.serviceAccount, credentialsInjected: pod.injected, annotations: pod.annotations });
    }

    /** Every call recorded since `mark` (a value of `mark()`), of the given methods, in start order. */
    since(mark: number, ...methods: Method[]): CallRecord[] {
        return this.calls.filter((c) => c.start >= mark && (methods.length === 0 || methods.includes(c.method)));
    }

    mark(): number {
        return this.sequence;
    }

    // ---- the gRPC service ----

    private handlers(pkg: "aws"): Record<string, Handler> {
        const all: Record<string, Handler> = {};
        const unary =
            (fn: (request: any) => any): Handler =>
            (call, callback) => {
                try {
                    callback(null, fn(call.request));
                } catch (error) {
                    const details = error instanceof Error ? error.message : String(error);
                    callback({ code: error instanceof CloudError ? grpc.status.UNKNOWN : grpc.status.INTERNAL, details });
                }
            };
        all.getPluginInfo = unary(() => {
            const info = new pluginProto.PluginInfo();
            info.setVersion("7.48.0");
            return info;
        });
        all.handshake = unary(() => {
            const response = new providerProto.ProviderHandshakeResponse();
            response.setAcceptSecrets(false);
            response.setAcceptResources(false);
            response.setAcceptOutputs(false);
            return response;
        });
        all.checkConfig = unary((request) => {
            const response = new providerProto.CheckResponse();
            response.setInputs(request.getNews());
            return response;
        });
        all.diffConfig = unary(() => {
            const response = new providerProto.DiffResponse();
            response.setChanges(providerProto.DiffResponse.DiffChanges.DIFF_NONE);
            return response;
        });
        all.configure = unary((request) => {
            this.record({ method: "Configure", pkg, type: `pulumi:providers:${pkg}`, name: "", urn: "", preview: false, inputs: toJs(request.getArgs()) });
            const response = new providerProto.ConfigureResponse();
            response.setAcceptsecrets(false);
            response.setAcceptresources(false);
            response.setSupportspreview(false);
            return response;
        });
        all.invoke = unary((request) => this.invoke(pkg, request));
        all.check = unary((request) => this.check(pkg, request));
        all.diff = unary((request) => this.diff(pkg, request));
        all.create = this.withHold("Create", unary((request) => this.create(pkg, request)));
        all.update = unary((request) => this.update(pkg, request));
        all.delete = this.withHold("Delete", unary((request) => this.delete(pkg, request)));
        all.read = unary((request) => this.read(pkg, request));
        all.cancel = unary(() => new emptyproto.Empty());
        // A debugged (attached) provider is told the engine address this way instead of a command-line argument.
        all.attach = unary(() => new emptyproto.Empty());
        return withUnimplemented(providerGrpc.ResourceProviderService, all, `the ${pkg} double`);
    }

    private record(entry: Omit<CallRecord, "start">): CallRecord {
        const record = { ...entry, start: this.sequence++ };
        this.calls.push(record);
        return record;
    }

    private finish<T>(record: CallRecord, fn: () => T): T {
        try {
            return fn();
        } catch (error) {
            record.error = error instanceof Error ? error.message : String(error);
            throw error;
        } finally {
            record.end = this.sequence++;
        }
    }

    private invoke(pkg: "aws", request: any) {
        const token: string = request.getTok();
        const args = toJs(request.getArgs());
        const record = this.record({ method: "Invoke", pkg, type: token, name: "", urn: "", preview: request.getPreview(), inputs: args });
        return this.finish(record, () => {
            let result: Record<string, any>;
            if (token === "aws:eks/getCluster:getCluster") {
                if (args.name !== this.clusterName) throw new CloudError(`ResourceNotFoundException: No cluster found for name: ${args.name}.`);
                result = { name: args.name, arn: this.clusterArn(), version: this.kubernetesVersion, id: args.name };
            } else if (token === "aws:eks/getAddonVersion:getAddonVersion") {
                result = { ...args, version: "v1.3.10-eksbuild.2", id: args.addonName };
            } else {
                throw new CloudError(`${pkg} double: invoke ${token} is not modelled`);
            }
            const response = new providerProto.InvokeResponse();
            response.setReturn(structproto.Struct.fromJavaScript(result));
            return response;
        });
    }

    clusterArn(): string {
        return clusterArnOf(this.clusterName);
    }

    private check(pkg: "aws", request: any) {
        const type: string = request.getType() || typeFromUrn(request.getUrn());
        const name: string = request.getName() || nameFromUrn(request.getUrn());
        const news = toJs(request.getNews());
        const olds = toJs(request.getOlds());
        const record = this.record({ method: "Check", pkg, type, name, urn: request.getUrn(), preview: false, inputs: news });
        return this.finish(record, () => {
            const inputs = { ...news };
            const failures: Array<{ property: string; reason: string }> = [];
            const limit = IAM_NAME_LIMITS[type];
            if (limit !== undefined) {
                if (inputs.name === undefined && inputs.namePrefix === undefined) {
                    // The aws provider's auto-naming: the logical name plus a random suffix, stable across updates.
                    inputs.name = olds.name ?? `${name}-${shortHash(request.getRandomseed_asB64?.() ?? name).slice(0, 7)}`;
                }
                if (typeof inputs.name === "string" && inputs.name.length > limit) {
                    failures.push({ property: "name", reason: `expected length of name to be in the range (1 - ${limit}), got ${inputs.name}` });
                }
                if (typeof inputs.path === "string" && !/^\/([\x21-\x7e]+\/)?$/.test(inputs.path)) {
                    failures.push({ property: "path", reason: `invalid value for path (must begin and end with "/")` });
                }
            }
            const response = new providerProto.CheckResponse();
            response.setInputs(structproto.Struct.fromJavaScript(inputs));
            response.setFailuresList(
                failures.map((f) => {
                    const failure = new providerProto.CheckFailure();
                    failure.setProperty(f.property);
                    failure.setReason(f.reason);
                    return failure;
                }),
            );
            return response;
        });
    }

    private diff(pkg: "aws", request: any) {
        const type: string = request.getType() || typeFromUrn(request.getUrn());
        const olds = toJs(request.getOldInputs()) ?? {};
        const news = toJs(request.getNews());
        const record = this.record({ method: "Diff", pkg, type, name: request.getName(), urn: request.getUrn(), preview: false, inputs: news, olds, id: request.getId() });
        return this.finish(record, () => {
            const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => !same(olds[k], news[k]));
            const rule = REPLACEMENT[type] ?? { replaces: [] };
            const replaces = rule.replaces.filter((p) => !same(get(olds, p), get(news, p)) || (containsUnknown(get(news, p)) && get(olds, p) !== undefined));
            const response = new providerProto.DiffResponse();
            response.setChanges(keys.length > 0 ? providerProto.DiffResponse.DiffChanges.DIFF_SOME : providerProto.DiffResponse.DiffChanges.DIFF_NONE);
            response.setDiffsList(keys);
            response.setReplacesList(replaces.map((p) => p.split(".")[0]));
            return response;
        });
    }

    private create(pkg: "aws", request: any) {
        const type: string = request.getType() || typeFromUrn(request.getUrn());
        const name: string = request.getName() || nameFromUrn(request.getUrn());
        const inputs = toJs(request.getProperties());
        const record = this.record({ method: "Create", pkg, type, name, urn: request.getUrn(), preview: request.getPreview(), inputs });
        return this.finish(record, () => {
            if (request.getPreview()) {
                // A preview of a create changes nothing; what AWS assigns stays unknown.
                const response = new providerProto.CreateResponse();
                response.setProperties(structproto.Struct.fromJavaScript(inputs));
                return response;
            }
            if (this.failCreatesOf.has(type)) throw new CloudError(`ServiceUnavailable: ${type} create failed (injected by the test)`);
            const { id, state } = this.createAws(type, inputs);
            record.id = id;
            const response = new providerProto.CreateResponse();
            response.setId(id);
            response.setProperties(structproto.Struct.fromJavaScript(state));
            return response;
        });
    }

    private update(pkg: "aws", request: any) {
        const type: string = request.getType() || typeFromUrn(request.getUrn());
        const id: string = request.getId();
        const news = toJs(request.getNews());
        const olds = toJs(request.getOlds());
        const record = this.record({ method: "Update", pkg, type, name: request.getName(), urn: request.getUrn(), preview: request.getPreview(), inputs: news, olds, id });
        return this.finish(record, () => {
            if (request.getPreview()) {
                const response = new providerProto.UpdateResponse();
                response.setProperties(structproto.Struct.fromJavaScript({ ...olds, ...news }));
                return response;
            }
            const table = this.table(type);
            const current = table.get(id);
            if (!current) throw new CloudError(`NoSuchEntity: ${type} ${id} does not exist`);
            if (type === "aws:eks/podIdentityAssociation:PodIdentityAssociation") this.requireRole(news.roleArn);
            const state = { ...current, ...news, tagsAll: news.tags ?? {} };
            table.set(id, state);
            const response = new providerProto.UpdateResponse();
            response.setProperties(structproto.Struct.fromJavaScript(state));
            return response;
        });
    }

    private delete(pkg: "aws", request: any) {
        const type: string = request.getType() || typeFromUrn(request.getUrn());
        const id: string = request.getId();
        const record = this.record({ method: "Delete", pkg, type, name: request.getName(), urn: request.getUrn(), preview: false, id });
        return this.finish(record, () => {
            if (type === "aws:iam/role:Role") {
                const attached = [
                    ...this.live("aws:iam/rolePolicy:RolePolicy").filter((p) => p.role === id).map((p) => `inline ${p.name}`),
                    ...this.live("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.role === id).map((a) => a.policyArn),
                ];
                if (attached.length > 0) {
                    throw new CloudError(`DeleteConflict: Cannot delete entity, must delete policies first (role ${id}: ${attached.join(", ")})`);
                }
            }
            if (type === "aws:iam/policy:Policy") {
                const users = this.live("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.policyArn === id);
                if (users.length > 0) throw new CloudError(`DeleteConflict: Cannot delete a policy attached to entities (${id})`);
            }
            this.table(type).delete(this.keyOf(type, id, toJs(request.getProperties())));
            return new emptyproto.Empty();
        });
    }

    private read(pkg: "aws", request: any) {
        const type: string = request.getType() || typeFromUrn(request.getUrn());
        const id: string = request.getId();
        const record = this.record({ method: "Read", pkg, type, name: request.getName(), urn: request.getUrn(), preview: false, id });
        return this.finish(record, () => {
            const state = this.table(type).get(this.keyOf(type, id, toJs(request.getProperties())));
            const response = new providerProto.ReadResponse();
            if (state) {
                response.setId(id);
                response.setProperties(structproto.Struct.fromJavaScript(state));
                response.setInputs(request.getInputs());
            }
            return response;
        });
    }

    // ---- AWS ----

    /**
     * The table key of the resource a Read or Delete names. A role policy attachment is found by the `role` and
     * `policyArn` of its state, whatever its id: the provider's create gives it a random `<role>-…` id, its import
     * `<role>-<policy ARN>`, and its Read and Delete use only those two fields (terraform-provider-aws,
     * aws_iam_role_policy_attachment).
     */
    private keyOf(type: string, id: string, state: Record<string, any>): string {
        if (type !== "aws:iam/rolePolicyAttachment:RolePolicyAttachment") return id;
        for (const [key, a] of this.table(type)) if (a.role === state.role && a.policyArn === state.policyArn) return key;
        return id;
    }

    private table(type: string): Map<string, Record<string, any>> {
        let table = this.aws.get(type);
        if (!table) this.aws.set(type, (table = new Map()));
        return table;
    }

    private roleByArn(arn: unknown): Record<string, any> | undefined {
        return this.live("aws:iam/role:Role").find((r) => r.arn === arn);
    }

    private requireRole(arn: unknown): void {
        if (!this.roleByArn(arn)) throw new CloudError(`InvalidParameterException: Role ${String(arn)} does not exist`);
    }

    private createAws(type: string, inputs: Record<string, any>): { id: string; state: Record<string, any> } {
        const table = this.table(type);
        const tags = { tags: inputs.tags ?? {}, tagsAll: inputs.tags ?? {} };
        switch (type) {
            case "aws:iam/role:Role": {
                const name: string = inputs.name;
                if (table.has(name)) throw new CloudError(`EntityAlreadyExists: Role with name ${name} already exists.`);
                const path: string = inputs.path ?? "/";
                const state = {
                    ...inputs,
                    ...tags,
                    path,
                    arn: roleArnOf(name, path),
                    uniqueId: `AROA${shortHash(name, this.sequence).slice(0, 17).toUpperCase()}`,
                    maxSessionDuration: inputs.maxSessionDuration ?? 3600,
                    createDate: "2026-11-23T12:00:00Z",
                };
                table.set(name, state);
                return { id: name, state };
            }
            case "aws:iam/policy:Policy": {
                const path: string = inputs.path ?? "/";
                const arn = policyArnOf(inputs.name, path);
                if (table.has(arn)) throw new CloudError(`EntityAlreadyExists: A policy called ${inputs.name} already exists.`);
                const state = { ...inputs, ...tags, path, arn, policyId: `ANPA${shortHash(arn).slice(0, 17).toUpperCase()}`, attachmentCount: 0 };
                table.set(arn, state);
                return { id: arn, state };
            }
            case "aws:iam/rolePolicy:RolePolicy": {
                if (!this.table("aws:iam/role:Role").has(inputs.role)) throw new CloudError(`NoSuchEntity: The role with name ${inputs.role} cannot be found.`);
                JSON.parse(inputs.policy);
                const id = `${inputs.role}:${inputs.name}`;
                const state = { ...inputs };
                table.set(id, state);
                return { id, state };
            }
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
                if (!this.table("aws:iam/role:Role").has(inputs.role)) throw new CloudError(`NoSuchEntity: The role with name ${inputs.role} cannot be found.`);
                const policyArn: string = inputs.policyArn;
                if (!AWS_MANAGED_POLICY.test(policyArn) && !this.table("aws:iam/policy:Policy").has(policyArn)) {
                    throw new CloudError(`NoSuchEntity: Policy ${policyArn} does not exist or is not attachable.`);
                }
                const id = `${inputs.role}-${shortHash(policyArn).slice(0, 20)}`;
                const state = { ...inputs };
                table.set(id, state);
                return { id, state };
            }
            case "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
                if (inputs.clusterName !== this.clusterName) throw new CloudError(`ResourceNotFoundException: No cluster found for name: ${inputs.clusterName}.`);
                const clash = this.live(type).find(
                    (a) => a.clusterName === inputs.clusterName && a.namespace === inputs.namespace && a.serviceAccount === inputs.serviceAccount,
                );
                if (clash) {
                    throw new CloudError(
                        `ResourceInUseException: Association already exists: ${clash.associationId} (${inputs.namespace}/${inputs.serviceAccount})`,
                    );
                }
                this.requireRole(inputs.roleArn);
                const associationId = podIdentityAssociationIdOf(shortHash(inputs, this.sequence));
                const state = {
                    ...inputs,
                    ...tags,
                    associationId,
                    associationArn: podIdentityAssociationArnOf(inputs.clusterName, associationId),
                    disableSessionTags: inputs.disableSessionTags ?? false,
                    ...(inputs.targetRoleArn ? { externalId: shortHash(associationId).slice(0, 36) } : {}),
                };
                const id = providerIdOf.podIdentityAssociation(inputs.clusterName, associationId);
                table.set(id, state);
                return { id, state };
            }
            case "aws:eks/addon:Addon": {
                const id = providerIdOf.addon(inputs.clusterName, inputs.addonName);
                if (table.has(id)) throw new CloudError(`ResourceInUseException: Addon already exists.`);
                const state = { ...inputs, ...tags, arn: addonArnOf(inputs.clusterName, inputs.addonName) };
                table.set(id, state);
                return { id, state };
            }
            default:
                throw new CloudError(`aws double: ${type} is not modelled`);
        }
    }
}

function toJs(struct: any): Record<string, any> {
    return struct?.toJavaScript?.() ?? {};
}

function typeFromUrn(urn: string): string {
    // urn:pulumi:stack::project::parent$type::name
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop() ?? "";
}

function nameFromUrn(urn: string): string {
    return urn.split("::")[3] ?? "";
}
