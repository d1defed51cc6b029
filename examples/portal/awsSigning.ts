/**
 * AWS Signature Version 4 for the few AWS calls the portal makes itself (S3 on its backend's bucket, EKS on recovery),
 * with @smithy/signature-v4 and the credentials of the environment the Pulumi CLI gets: AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and, for temporary credentials, AWS_SESSION_TOKEN.
 */
import { createHash, createHmac, Hash, Hmac } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Buffer =>
    typeof data === "string" ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** SHA-256 / HMAC-SHA-256 for @smithy/signature-v4, from node:crypto. */
export class NodeSha256 {
    private hash: Hash | Hmac;
    constructor(private readonly secret?: SourceData) {
        this.hash = this.fresh();
    }
    private fresh(): Hash | Hmac {
        return this.secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(this.secret));
    }
    update(data: SourceData): void {
        this.hash.update(bytes(data));
    }
    async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.hash.digest());
    }
    reset(): void {
        this.hash = this.fresh();
    }
}

/** An AWS service's refusal: the HTTP status and the error code it names (S3's `<Code>`, a restJson1 error type). */
export class AwsServiceError extends Error {
    constructor(readonly status: number, readonly code: string, message: string) {
        super(message);
    }
}

export interface SignedCall {
    method: string;
    endpoint: URL;
    /** Host name the request goes to (S3 virtual-hosted style puts the bucket in front of the endpoint's). */
    hostname?: string;
    /** Path as sent, already percent-encoded. */
    path: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
}

/** Signs and sends requests to one AWS service in one region. */
export class AwsSigner {
    private readonly signer: SignatureV4;

    /** `what` names the caller in the error thrown when the credentials are missing. */
    constructor(service: string, region: string, env: Record<string, string | undefined>, what: string) {
        const accessKeyId = env.AWS_ACCESS_KEY_ID;
        const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
        if (!accessKeyId || !secretAccessKey) throw new Error(`${what} needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the portal's env`);
        this.signer = new SignatureV4({
            service,
            region,
            sha256: NodeSha256,
            credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined },
        });
    }

    /** Sends the call signed (the payload's hash is signed too: S3 requires x-amz-content-sha256, other services accept it). */
    async fetch(call: SignedCall): Promise<Response> {
        const { endpoint, method, path } = call;
        const hostname = call.hostname ?? endpoint.hostname;
        const host = endpoint.port ? `${hostname}:${endpoint.port}` : hostname;
        const body = call.body ?? "";
        const sendsBody = method === "PUT" || method === "POST";
        const request = await this.signer.sign({
            method,
            protocol: endpoint.protocol,
            hostname,
            port: endpoint.port ? Number(endpoint.port) : undefined,
            path,
            query: call.query ?? {},
            headers: { host, "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"), ...(call.headers ?? {}) },
            body: sendsBody ? body : undefined,
        });
        const search = new URLSearchParams(call.query ?? {}).toString();
        const headers = { ...request.headers };
        delete headers.host;
        return fetch(`${endpoint.protocol}//${host}${path}${search ? `?${search}` : ""}`, { method, headers, body: sendsBody ? body : undefined });
    }
}
