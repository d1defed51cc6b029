/**
 * Reads, from the live cluster, the annotations of objects a component is about to create (see ownership.ts), with
 * the official Kubernetes client. Loaded only when a component has something to check: the client is not on the path
 * of a program that creates no Kubernetes object.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { LiveObject, PlannedObject } from "./ownership";

/** Where the cluster is read from: a kubeconfig (its contents, or the path of a file), else the ambient one. */
export interface ClusterAccess {
    /** kubeconfig contents (YAML or JSON) or a file path, as the Kubernetes provider's `kubeconfig` takes it. */
    kubeconfig?: string;
    /** The context to use; default the kubeconfig's current context. */
    context?: string;
}

/** Reads one object's annotations: undefined when the cluster has no object of that name. */
export type ObjectReader = (object: PlannedObject) => Promise<LiveObject>;

/**
 * A reader for `access`. The ambient kubeconfig is the one the Kubernetes provider falls back to: `$KUBECONFIG`, then
 * `~/.kube/config`, then the in-cluster service account.
 */
export function clusterReader(access: ClusterAccess): ObjectReader {
    // Deferred: required on the first read, not when a component module loads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const client = require("@kubernetes/client-node") as typeof import("@kubernetes/client-node");
    const config = new client.KubeConfig();
    loadConfig(config, access);
    const api = client.KubernetesObjectApi.makeApiClient(config);
    return async (object) => {
        try {
            const live = await api.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.name, namespace: object.namespace } });
            return { annotations: live.metadata?.annotations ?? {} };
        } catch (error) {
            if (error instanceof client.ApiException && error.code === 404) {
                return undefined;
            }
            throw new Error(readFailure(object, error), { cause: error });
        }
    };
}

function loadConfig(config: KubeConfig, access: ClusterAccess): void {
    const given = access.kubeconfig?.trim();
    if (given === undefined || given === "") {
        // The client's last resort is http://localhost:8080, which fails with a message about TLS: say what is missing.
        if (!process.env.KUBECONFIG && !fs.existsSync(path.join(os.homedir(), ".kube", "config")) && !process.env.KUBERNETES_SERVICE_HOST) {
            throw new Error("no kubeconfig: neither the stack configuration kubernetes:kubeconfig, nor $KUBECONFIG, nor ~/.kube/config, nor an in-cluster service account");
        }
        config.loadFromDefault();
    } else if (/^[{]|^apiVersion:|\n/.test(given)) {
        config.loadFromString(given);
    } else {
        config.loadFromFile(given);
    }
    if (access.context) {
        config.setCurrentContext(access.context);
    }
    if (!config.getCurrentCluster()) {
        throw new Error("the kubeconfig names no current cluster");
    }
}

/** The reason a read failed, without anything of the request (the client's errors carry no credentials; the body's message is the API server's). */
function readFailure(object: PlannedObject, error: unknown): string {
    const code = typeof (error as { code?: unknown })?.code === "number" ? (error as { code: number }).code : undefined;
    const body = (error as { body?: unknown })?.body;
    const serverMessage = typeof body === "string" ? safeMessage(body) : undefined;
    const what = `${object.kind} "${object.namespace ? `${object.namespace}/` : ""}${object.name}"`;
    if (code === 401 || code === 403) {
        return `cannot read ${what} to check who created it: the API server answered ${code}${serverMessage ? ` (${serverMessage})` : ""}; the identity the component uses needs "get" on ${object.kind.toLowerCase()}s`;
    }
    const reason = code !== undefined ? `the API server answered ${code}${serverMessage ? ` (${serverMessage})` : ""}` : error instanceof Error ? error.message : String(error);
    return `cannot read ${what} to check who created it: ${reason}`;
}

function safeMessage(body: string): string | undefined {
    try {
        const message = (JSON.parse(body) as { message?: unknown }).message;
        return typeof message === "string" ? message.slice(0, 300) : undefined;
    } catch {
        return undefined;
    }
}
