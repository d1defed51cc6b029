import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { ClusterInfo, KubeClient } from "../../cluster/client";
import { issueCertificate } from "../../cluster/supervisor";

/**
 * Admission webhooks the end-to-end tests register on the real test cluster. The API server calls them inside
 * every request it admits, before it stores the object, so what they see is the order in which the Kubernetes
 * provider's changes really reached the cluster:
 *
 * - an observer (a validating webhook that allows everything) reporting each create, update and delete of the
 *   kinds the components manage, made by the cluster admin (the Kubernetes provider), with whether it was a dry run;
 * - a model of EKS's Pod Identity webhook (a mutating webhook on pod creation), because the test cluster is not EKS:
 *   EKS injects the credential variables and the token volume into a pod only if a Pod Identity association exists
 *   for its service account when the pod is created ("EKS Pod Identity" in the Amazon EKS User Guide: pods created
 *   before the association do not get credentials). Whether an association exists is asked of the AWS double.
 */

/** The env EKS adds to every container of a pod whose service account has an association. */
export const INJECTED_ENV = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials",
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token",
};

export interface AdmissionEvent {
    operation: "CREATE" | "UPDATE" | "DELETE";
    kind: string;
    namespace?: string;
    name: string;
    dryRun: boolean;
    object?: any;
}

export interface PodAdmission {
    namespace: string;
    serviceAccount: string;
    /** Whether the EKS model injected credentials. */
    injected: boolean;
    annotations: Record<string, string>;
}

export interface AdmissionHandlers {
    /** A change the cluster admin made; called before the API server stores it. */
    observed(event: AdmissionEvent): void;
    /** Whether EKS would inject credentials into a pod of this service account created now. */
    hasAssociation(namespace: string, serviceAccount: string): boolean;
    /** A pod was admitted (not a dry run). */
    podCreated(pod: PodAdmission): void;
}

/** The user whose requests are reported: the cluster admin of the kubeconfig (the controllers use their own). */
const ADMIN = "cluster-admin";
const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];

export class AdmissionWebhooks {
    private server?: https.Server;
    private readonly names: string[];
    private readonly pki: string;

    constructor(private readonly cluster: ClusterInfo, private readonly handlers: AdmissionHandlers, label: string) {
        const suffix = `${label}-${process.pid}`.toLowerCase().replace(/[^a-z0-9-]/g, "-");
        this.names = [`e2e-observer-${suffix}`, `e2e-eks-pod-identity-${suffix}`];
        this.pki = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-webhook-"));
    }

    async start(): Promise<void> {
        fs.copyFileSync(this.cluster.caCertFile, path.join(this.pki, "ca.crt"));
        fs.copyFileSync(this.cluster.caKeyFile, path.join(this.pki, "ca.key"));
        const { cert, key } = issueCertificate(this.pki, "webhook", "/CN=e2e-webhook", ["IP:127.0.0.1"]);
        this.server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c) => chunks.push(c));
            req.on("end", () => {
                const review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
                // The API server appends ?timeout=… to the configured path.
                const endpoint = new URL(req.url ?? "/", "https://webhook").pathname;
                const response = endpoint === "/mutate-pods" ? this.mutatePod(review.request) : this.observe(review.request);
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid: review.request.uid, ...response } }));
            });
        });
        const server = this.server;
        const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as any).port)));
        const caBundle = fs.readFileSync(this.cluster.caCertFile).toString("base64");
        const clientConfig = (endpoint: string) => ({ url: `https://127.0.0.1:${port}${endpoint}`, caBundle });
        const outsideSystem = { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: SYSTEM_NAMESPACES }] };
        const common = { admissionReviewVersions: ["v1"], sideEffects: "None", failurePolicy: "Fail", timeoutSeconds: 10, namespaceSelector: outsideSystem };
        const kube = new KubeClient(this.cluster);
        try {
            await kube.create("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
                metadata: { name: this.names[0] },
                webhooks: [{
                    ...common,
                    name: "observer.e2e.test",
                    clientConfig: clientConfig("/observe"),
                    rules: [
                        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE", "DELETE"], resources: ["namespaces", "serviceaccounts", "configmaps"] },
                        { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE", "DELETE"], resources: ["deployments"] },
                    ],
                }],
            });
            await kube.create("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", {
                metadata: { name: this.names[1] },
                webhooks: [{
                    ...common,
                    name: "pod-identity.e2e.test",
                    clientConfig: clientConfig("/mutate-pods"),
                    rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
                    reinvocationPolicy: "Never",
                }],
            });
        } finally {
            kube.destroy();
        }
    }

    async stop(): Promise<void> {
        const kube = new KubeClient(this.cluster);
        try {
            await kube.delete(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${this.names[0]}`);
            await kube.delete(`/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${this.names[1]}`);
        } finally {
            kube.destroy();
            await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
            this.server?.closeAllConnections();
            fs.rmSync(this.pki, { recursive: true, force: true });
        }
    }

    private observe(request: any): Record<string, unknown> {
        if (request.userInfo?.username === ADMIN) {
            this.handlers.observed({
                operation: request.operation,
                kind: request.kind.kind,
                namespace: request.namespace || undefined,
                name: request.name,
                dryRun: request.dryRun === true,
                object: request.operation === "DELETE" ? request.oldObject : request.object,
            });
        }
        return { allowed: true };
    }

    private mutatePod(request: any): Record<string, unknown> {
        const pod = request.object;
        const namespace: string = request.namespace;
        const serviceAccount: string = pod.spec?.serviceAccountName || "default";
        const injected = this.handlers.hasAssociation(namespace, serviceAccount);
        if (!request.dryRun) {
            this.handlers.podCreated({ namespace, serviceAccount, injected, annotations: { ...(pod.metadata?.annotations ?? {}) } });
        }
        if (!injected) return { allowed: true };
        const patch: unknown[] = [];
        const volumes = pod.spec.volumes;
        if (!volumes) patch.push({ op: "add", path: "/spec/volumes", value: [] });
        patch.push({
            op: "add",
            path: "/spec/volumes/-",
            value: {
                name: "eks-pod-identity-token",
                projected: { sources: [{ serviceAccountToken: { audience: "pods.eks.amazonaws.com", expirationSeconds: 86400, path: "eks-pod-identity-token" } }] },
            },
        });
        for (const [group, containers] of [["initContainers", pod.spec.initContainers], ["containers", pod.spec.containers]] as const) {
            (containers ?? []).forEach((container: any, i: number) => {
                const base = `/spec/${group}/${i}`;
                if (!container.env) patch.push({ op: "add", path: `${base}/env`, value: [] });
                for (const [name, value] of Object.entries(INJECTED_ENV)) patch.push({ op: "add", path: `${base}/env/-`, value: { name, value } });
                if (!container.volumeMounts) patch.push({ op: "add", path: `${base}/volumeMounts`, value: [] });
                patch.push({
                    op: "add",
                    path: `${base}/volumeMounts/-`,
                    value: { name: "eks-pod-identity-token", mountPath: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", readOnly: true },
                });
            });
        }
        return { allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(patch)).toString("base64") };
    }
}
