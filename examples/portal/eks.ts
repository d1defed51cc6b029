/**
 * The two EKS API calls recovery makes to find a Pod Identity association an interrupted run created
 * (ListPodIdentityAssociations, DescribePodIdentityAssociation; Amazon EKS API Reference). EKS is a restJson1 service
 * signed for service `eks`; the endpoint is `AWS_ENDPOINT_URL_EKS` when set (the AWS SDKs' service-specific endpoint
 * variable, AWS SDKs and Tools Reference Guide, "Service-specific endpoints"), else `https://eks.<region>.amazonaws.com`.
 */
import { AwsServiceError, AwsSigner } from "./awsSigning";

/** An association as DescribePodIdentityAssociation returns it (the fields recovery reads). */
export interface PodIdentityAssociationDescription {
    clusterName: string;
    namespace: string;
    serviceAccount: string;
    roleArn: string;
    associationArn: string;
    associationId: string;
    targetRoleArn?: string;
    externalId?: string;
    disableSessionTags?: boolean;
    tags?: Record<string, string>;
}

/**
 * The EKS endpoint of `region`, or the one `AWS_ENDPOINT_URL_EKS` names: an absolute http(s) URL, as the AWS SDKs
 * take it (AWS SDKs and Tools Reference Guide, "Service-specific endpoints"). Any other value is refused naming the
 * variable (the portal checks it at start, not at the first recovery).
 */
export function eksEndpoint(region: string, env: Record<string, string | undefined>): URL {
    const configured = env.AWS_ENDPOINT_URL_EKS?.trim();
    if (!configured) return new URL(`https://eks.${region}.amazonaws.com`);
    let endpoint: URL | undefined;
    try {
        endpoint = new URL(configured);
    } catch {
        // reported below
    }
    if (!endpoint || (endpoint.protocol !== "https:" && endpoint.protocol !== "http:") || endpoint.username || endpoint.password || endpoint.search || endpoint.hash) {
        throw new Error(`AWS_ENDPOINT_URL_EKS must be an absolute http(s) URL without credentials, query or fragment, such as https://eks.us-west-2.amazonaws.com (got ${JSON.stringify(configured)})`);
    }
    return endpoint;
}

export class EksClient {
    private readonly signer: AwsSigner;
    readonly endpoint: URL;

    constructor(region: string, env: Record<string, string | undefined>) {
        this.endpoint = eksEndpoint(region, env);
        this.signer = new AwsSigner("eks", region, env, "looking up EKS Pod Identity associations");
    }

    private async get(path: string, query: Record<string, string>, what: string): Promise<any> {
        const base = this.endpoint.pathname.replace(/\/+$/, "");
        const response = await this.signer.fetch({ method: "GET", endpoint: this.endpoint, path: base + path, query });
        const text = await response.text();
        if (!response.ok) {
            // restJson1 errors: the code in the x-amzn-ErrorType header (`Code:…`), or `__type`/`code` in the body.
            let body: any = {};
            try {
                body = JSON.parse(text);
            } catch {
                // not JSON: keep the status
            }
            const code = (response.headers.get("x-amzn-errortype") ?? body.__type ?? body.code ?? String(response.status)).split(/[:#]/).filter(Boolean).pop();
            throw new AwsServiceError(response.status, code, `EKS ${what}: ${response.status} ${code}${body.message ? `: ${body.message}` : ""}`);
        }
        return JSON.parse(text);
    }

    /** The ids of the cluster's associations of one service account (EKS allows at most one). */
    async listPodIdentityAssociations(clusterName: string, namespace: string, serviceAccount: string): Promise<string[]> {
        const ids: string[] = [];
        let nextToken: string | undefined;
        do {
            const query: Record<string, string> = { namespace, serviceAccount, ...(nextToken ? { nextToken } : {}) };
            const page = await this.get(`/clusters/${encodeURIComponent(clusterName)}/pod-identity-associations`, query, "ListPodIdentityAssociations");
            for (const summary of page.associations ?? []) {
                // The filters are EKS's; keep only exact matches all the same.
                if (summary.namespace === namespace && summary.serviceAccount === serviceAccount && typeof summary.associationId === "string") ids.push(summary.associationId);
            }
            nextToken = typeof page.nextToken === "string" && page.nextToken !== "" ? page.nextToken : undefined;
        } while (nextToken);
        return ids;
    }

    async describePodIdentityAssociation(clusterName: string, associationId: string): Promise<PodIdentityAssociationDescription> {
        const path = `/clusters/${encodeURIComponent(clusterName)}/pod-identity-associations/${encodeURIComponent(associationId)}`;
        return (await this.get(path, {}, "DescribePodIdentityAssociation")).association;
    }

    /** The association of the service account, described; undefined when it has none. */
    async findPodIdentityAssociation(clusterName: string, namespace: string, serviceAccount: string): Promise<PodIdentityAssociationDescription | undefined> {
        const [id] = await this.listPodIdentityAssociations(clusterName, namespace, serviceAccount);
        return id === undefined ? undefined : this.describePodIdentityAssociation(clusterName, id);
    }
}
