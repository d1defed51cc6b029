/**
 * The few S3 calls the portal makes on the bucket of its Pulumi DIY backend (records, the replicas' mutex, reading the
 * CLI's locks and checkpoints): GetObject, PutObject (optionally conditional), DeleteObject, ListObjectsV2, over HTTP(S)
 * with AWS Signature Version 4. The bucket and endpoint come from the same `s3://` URL the Pulumi CLI is given.
 */
import { createHash } from "crypto";
import { AwsServiceError, AwsSigner } from "./awsSigning";

/** Where a backend URL's bucket is reached. */
export interface S3Location {
    bucket: string;
    /** Key prefix of the backend inside the bucket (the URL's path), "" or ending in "/". */
    prefix: string;
    endpoint: URL;
    region: string;
    pathStyle: boolean;
}

/**
 * Reads an `s3://bucket[/prefix]?endpoint=…&region=…` backend URL as the CLI's gocloud driver does: `endpoint` (with or
 * without a scheme; `disableSSL=true` or `disable_https=true` for plain HTTP without one), `region`, and path-style
 * addressing by `use_path_style=true` (AWS SDK for Go v2 driver) or `s3ForcePathStyle=true` (the v1 driver's name).
 * Undefined for other backends.
 */
export function s3Location(backendUrl: string, env: Record<string, string | undefined> = process.env): S3Location | undefined {
    if (!backendUrl.startsWith("s3://")) return undefined;
    const url = new URL(backendUrl);
    const query = url.searchParams;
    const region = query.get("region") ?? query.get("awssdk_region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
    const plain = query.get("disableSSL") === "true" || query.get("disable_https") === "true";
    const raw = query.get("endpoint");
    const endpoint = raw ? new URL(/^https?:\/\//.test(raw) ? raw : `${plain ? "http" : "https"}://${raw}`) : new URL(`https://s3.${region}.amazonaws.com`);
    const pathStyle = query.get("use_path_style") === "true" || query.get("s3ForcePathStyle") === "true";
    const prefix = url.pathname.replace(/^\/+/, "");
    return { bucket: url.hostname, prefix: prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix, endpoint, region, pathStyle };
}

export interface S3Object {
    body: string;
    etag: string;
}

/** A bucket, with credentials from the environment the CLI gets (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). */
export class S3Bucket {
    private readonly signer: AwsSigner;

    constructor(readonly location: S3Location, env: Record<string, string | undefined>) {
        this.signer = new AwsSigner("s3", location.region, env, "an s3:// backend");
    }

    /** `key` is relative to the backend's prefix. */
    private send(method: string, key: string | undefined, options: { query?: Record<string, string>; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
        const { bucket, endpoint, pathStyle, prefix } = this.location;
        const objectPath = key === undefined ? "" : `/${(prefix + key).split("/").map(encodeURIComponent).join("/")}`;
        const hostname = pathStyle ? endpoint.hostname : `${bucket}.${endpoint.hostname}`;
        const path = (pathStyle ? `/${bucket}` : "") + (objectPath || "/");
        return this.signer.fetch({ method, endpoint, hostname, path, query: options.query, headers: options.headers, body: options.body });
    }

    private static async fail(response: Response, what: string): Promise<never> {
        const text = await response.text();
        const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(response.status);
        throw new AwsServiceError(response.status, code, `S3 ${what}: ${response.status} ${code}`);
    }

    /** The object, or undefined when there is none. */
    async get(key: string): Promise<S3Object | undefined> {
        const response = await this.send("GET", key);
        if (response.status === 404) return void (await response.arrayBuffer());
        if (!response.ok) return S3Bucket.fail(response, `GetObject ${key}`);
        return { body: await response.text(), etag: response.headers.get("etag") ?? "" };
    }

    /**
     * Writes the object and returns the ETag of the version written. `ifNoneMatch: "*"` creates it only if absent,
     * `ifMatch` replaces only that version (S3 user guide, "Add preconditions to S3 operations with conditional
     * requests"): undefined when the condition failed (412 Precondition Failed, or 409 ConditionalRequestConflict for a
     * concurrent write of the same key).
     */
    async put(key: string, body: string, condition: { ifNoneMatch?: "*"; ifMatch?: string } = {}): Promise<string | undefined> {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (condition.ifNoneMatch) headers["if-none-match"] = condition.ifNoneMatch;
        if (condition.ifMatch) headers["if-match"] = condition.ifMatch;
        const response = await this.send("PUT", key, { body, headers });
        if (response.status === 412 || response.status === 409) return void (await response.arrayBuffer());
        if (!response.ok) return S3Bucket.fail(response, `PutObject ${key}`);
        await response.arrayBuffer();
        // S3 returns the new version's ETag; one that did not (a proxy stripping it) gets its MD5, which is the ETag
        // S3 gives a single-part object without SSE-KMS (S3 API reference, "Object": ETag).
        return response.headers.get("etag") ?? `"${createHash("md5").update(body).digest("hex")}"`;
    }

    /**
     * Deletes the object; with `ifMatch`, only that version (S3 user guide, "How to perform conditional deletes": S3
     * answers 412 when the current ETag differs, 404 when there is no object, 409 on a concurrent write). Returns
     * false when the condition failed or the object was absent.
     */
    async delete(key: string, condition: { ifMatch?: string } = {}): Promise<boolean> {
        const response = await this.send("DELETE", key, { headers: condition.ifMatch ? { "if-match": condition.ifMatch } : {} });
        if (response.status === 404 || response.status === 412 || response.status === 409) return (await response.arrayBuffer(), false);
        if (!response.ok) return S3Bucket.fail(response, `DeleteObject ${key}`);
        await response.arrayBuffer();
        return true;
    }

    /** Makes the bucket (tests: in production the bucket is the operator's, made with the backend). */
    async createBucket(): Promise<void> {
        const response = await this.send("PUT", undefined);
        if (!response.ok) return S3Bucket.fail(response, `CreateBucket ${this.location.bucket}`);
        await response.arrayBuffer();
    }

    /** Keys (relative to the backend's prefix) under `prefix`. */
    async list(prefix: string): Promise<string[]> {
        const keys: string[] = [];
        let token: string | undefined;
        do {
            const query: Record<string, string> = { "list-type": "2", prefix: this.location.prefix + prefix, ...(token ? { "continuation-token": token } : {}) };
            const response = await this.send("GET", undefined, { query });
            if (!response.ok) return S3Bucket.fail(response, `ListObjectsV2 ${prefix}`);
            const text = await response.text();
            for (const match of text.matchAll(/<Key>([^<]+)<\/Key>/g)) keys.push(unescapeXml(match[1]).slice(this.location.prefix.length));
            token = /<IsTruncated>true<\/IsTruncated>/.test(text) ? unescapeXml(/<NextContinuationToken>([^<]+)</.exec(text)?.[1] ?? "") : undefined;
        } while (token);
        return keys;
    }
}

const unescapeXml = (text: string) =>
    text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, "&");
