import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { REGION } from "../../support/awsIds";
import { verify } from "../../support/sigv4";

/**
 * The EKS API of the aws double, over HTTP on loopback: the Pod Identity association reads the portal's recovery makes
 * (ListPodIdentityAssociations, DescribePodIdentityAssociation; Amazon EKS API Reference), answered from the double's
 * own association table. It checks what crosses the boundary as EKS would: a SigV4 signature (tests/support/sigv4.ts)
 * by the access key it issued, scoped to service `eks` and the cluster's region; the restJson1 paths and query
 * parameters of those two operations. Anything else is refused in EKS's error shape: the status, the code in the
 * `x-amzn-ErrorType` header and `{"message": …}` as the body.
 */

/** Credentials the double's EKS accepts (give them to the portal as its AWS credentials). */
export const EKS_CREDENTIALS = { AWS_ACCESS_KEY_ID: "AKIAEKSDOUBLE0000001", AWS_SECRET_ACCESS_KEY: "eks-double-secret/0000000000000000000000" };

/** One request the EKS API received, and how it answered. */
export interface EksRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    status: number;
    /** The error code, for a refusal. */
    code?: string;
}

export interface EksApi {
    /** The endpoint, for AWS_ENDPOINT_URL_EKS. */
    endpoint: string;
    readonly requests: EksRequest[];
    stop(): Promise<void>;
}

class EksRefusal extends Error {
    constructor(readonly status: number, readonly code: string, message: string) {
        super(message);
    }
}

const LIST_PARAMETERS = new Set(["namespace", "serviceAccount", "maxResults", "nextToken"]);

/** `associations()` is the double's table (provider state: clusterName, namespace, serviceAccount, roleArn, associationId, …). */
export async function startEksApi(clusterName: string, associations: () => Record<string, any>[]): Promise<EksApi> {
    const requests: EksRequest[] = [];

    function answer(request: IncomingMessage, body: Buffer): unknown {
        const verdict = verify({ method: request.method ?? "", url: request.url ?? "/", rawHeaders: request.rawHeaders, body }, { secretAccessKey: EKS_CREDENTIALS.AWS_SECRET_ACCESS_KEY, service: "eks" });
        if (!verdict.ok) {
            if (verdict.code === "MissingAuthenticationToken") throw new EksRefusal(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
            throw new EksRefusal(403, "InvalidSignatureException", verdict.message);
        }
        if (verdict.auth.accessKeyId !== EKS_CREDENTIALS.AWS_ACCESS_KEY_ID) throw new EksRefusal(403, "UnrecognizedClientException", "The security token included in the request is invalid.");
        if (verdict.auth.region !== REGION) throw new EksRefusal(403, "InvalidSignatureException", `Credential should be scoped to a valid region, not '${verdict.auth.region}'.`);
        const url = new URL(request.url ?? "/", "http://eks");
        const match = /^\/clusters\/([^/]+)\/pod-identity-associations(?:\/([^/]+))?$/.exec(url.pathname);
        if (request.method !== "GET" || !match) throw new EksRefusal(404, "UnknownOperationException", `${request.method} ${url.pathname} is not an operation the double's EKS serves`);
        const cluster = decodeURIComponent(match[1]);
        if (cluster !== clusterName) throw new EksRefusal(404, "ResourceNotFoundException", `No cluster found for name: ${cluster}.`);
        const inCluster = associations().filter((a) => a.clusterName === cluster);
        if (match[2] !== undefined) {
            if ([...url.searchParams.keys()].length > 0) throw new EksRefusal(400, "InvalidParameterException", "DescribePodIdentityAssociation takes no query parameters");
            const id = decodeURIComponent(match[2]);
            const found = inCluster.find((a) => a.associationId === id);
            if (!found) throw new EksRefusal(404, "ResourceNotFoundException", `Pod Identity association ${id} not found in cluster ${cluster}.`);
            return { association: described(found) };
        }
        for (const key of url.searchParams.keys()) if (!LIST_PARAMETERS.has(key)) throw new EksRefusal(400, "InvalidParameterException", `unknown query parameter ${key}`);
        const maxResults = url.searchParams.get("maxResults");
        if (maxResults !== null && !(/^\d+$/.test(maxResults) && +maxResults >= 1 && +maxResults <= 100)) throw new EksRefusal(400, "InvalidParameterException", "maxResults must be between 1 and 100");
        const namespace = url.searchParams.get("namespace");
        const serviceAccount = url.searchParams.get("serviceAccount");
        const listed = inCluster.filter((a) => (namespace === null || a.namespace === namespace) && (serviceAccount === null || a.serviceAccount === serviceAccount));
        return { associations: listed.map(({ clusterName, namespace, serviceAccount, associationArn, associationId }) => ({ clusterName, namespace, serviceAccount, associationArn, associationId })), nextToken: null };
    }

    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
            const url = new URL(request.url ?? "/", "http://eks");
            const record: EksRequest = { method: request.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), status: 200 };
            requests.push(record);
            try {
                const body = JSON.stringify(answer(request, Buffer.concat(chunks)));
                response.writeHead(200, { "content-type": "application/json" }).end(body);
            } catch (error) {
                const refusal = error instanceof EksRefusal ? error : new EksRefusal(500, "ServerException", String(error));
                Object.assign(record, { status: refusal.status, code: refusal.code });
                response.writeHead(refusal.status, { "content-type": "application/json", "x-amzn-errortype": refusal.code }).end(JSON.stringify({ message: refusal.message }));
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        requests,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

/** An association as DescribePodIdentityAssociation returns it. */
function described(a: Record<string, any>): Record<string, unknown> {
    return {
        clusterName: a.clusterName,
        namespace: a.namespace,
        serviceAccount: a.serviceAccount,
        roleArn: a.roleArn,
        associationArn: a.associationArn,
        associationId: a.associationId,
        tags: a.tags ?? {},
        disableSessionTags: a.disableSessionTags ?? false,
        ...(a.targetRoleArn ? { targetRoleArn: a.targetRoleArn } : {}),
        ...(a.externalId ? { externalId: a.externalId } : {}),
        createdAt: 1795953600,
        modifiedAt: 1795953600,
    };
}
