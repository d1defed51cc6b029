/**
 * A minimal client of the test cluster's API server (tests/cluster/supervisor.ts): HTTPS with the run's CA and admin
 * token, JSON in and out, no retries, so that what the server answers is what the test sees.
 */
import * as fs from "fs";
import * as https from "https";

/** What the supervisor hands to the tests (as the JSON of TEST_CLUSTER). */
export interface ClusterInfo {
    /** https://127.0.0.1:<port> */
    server: string;
    /** A kubeconfig for the cluster admin (what KUBECONFIG points the Kubernetes provider at). */
    kubeconfig: string;
    /** The run's CA, which also signs the certificates of the admission webhooks the tests serve. */
    caCertFile: string;
    caKeyFile: string;
    token: string;
    /** The run's scratch folder (removed when the cluster stops). */
    dir: string;
    /** Process ids of the supervisor and of each component, which it stops when the tests end. */
    pids: Record<string, number>;
}

export interface ApiResponse {
    status: number;
    body: any;
}

/** An error the API server returned: its Status object's message and reason. */
export class ApiError extends Error {
    constructor(readonly status: number, readonly body: any, what: string) {
        super(`${what}: ${status} ${body?.reason ?? ""} ${body?.message ?? JSON.stringify(body)}`);
    }
}

export class KubeClient {
    private readonly agent: https.Agent;

    constructor(readonly info: ClusterInfo) {
        this.agent = new https.Agent({ ca: fs.readFileSync(info.caCertFile), keepAlive: true, maxSockets: 8 });
    }

    request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<ApiResponse> {
        const url = new URL(path, this.info.server);
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        return new Promise((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method,
                    agent: this.agent,
                    headers: {
                        authorization: `Bearer ${this.info.token}`,
                        accept: "application/json",
                        ...(payload ? { "content-type": contentType, "content-length": payload.length } : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: any = text;
                        try {
                            parsed = text ? JSON.parse(text) : undefined;
                        } catch {
                            // /readyz and friends answer plain text
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("error", reject);
            req.end(payload);
        });
    }

    /** The object at `path`, or undefined when the server answers 404. */
    async get(path: string): Promise<any | undefined> {
        const response = await this.request("GET", path);
        if (response.status === 404) return undefined;
        if (response.status >= 300) throw new ApiError(response.status, response.body, `GET ${path}`);
        return response.body;
    }

    async create(collection: string, object: unknown, query = ""): Promise<any> {
        const response = await this.request("POST", `${collection}${query}`, object);
        if (response.status >= 300) throw new ApiError(response.status, response.body, `POST ${collection}`);
        return response.body;
    }

    async delete(path: string): Promise<void> {
        const response = await this.request("DELETE", path);
        if (response.status >= 300 && response.status !== 404) throw new ApiError(response.status, response.body, `DELETE ${path}`);
    }

    destroy(): void {
        this.agent.destroy();
    }
}

/** The cluster `npm test` started (tests/cluster/withCluster.ts), from TEST_CLUSTER. */
export function testCluster(): ClusterInfo {
    const text = process.env.TEST_CLUSTER;
    if (!text) {
        throw new Error(
            "TEST_CLUSTER is not set: these tests need the throwaway Kubernetes cluster; run them through `npm test`, or " +
                "`npm run cluster -- <command>` (for example `npm run cluster -- npx ava tests/server-truth.test.ts`)",
        );
    }
    return JSON.parse(text) as ClusterInfo;
}
