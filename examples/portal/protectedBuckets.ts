/**
 * The buckets no workload the portal creates may reach: the `s3://` backend's (the portal's records and every stack's
 * state, secrets included) and any the operator adds. Requests whose S3 statements could name them are refused
 * (permissionPolicy.ts), and every role the portal creates also gets an explicit Deny of them, so that a rule missed
 * here, or a policy attached later, still cannot reach them (an explicit Deny wins over any Allow: IAM User Guide,
 * "Policy evaluation logic").
 */
import type { PolicyStatement } from "../../provider/iam/policyDocument";

/** Bucket names: the backend's (`PULUMI_BACKEND_URL=s3://<bucket>/…`) and `PORTAL_PROTECTED_BUCKETS` (comma-separated). */
export function protectedBuckets(env: Record<string, string | undefined>): string[] {
    const buckets = (env.PORTAL_PROTECTED_BUCKETS ?? "").split(",").map((b) => b.trim()).filter(Boolean);
    const backend = env.PULUMI_BACKEND_URL ?? "";
    if (backend.startsWith("s3://")) buckets.unshift(new URL(backend).hostname);
    return [...new Set(buckets)];
}

/** The Deny statement every role the portal creates gets when there are protected buckets. */
export function protectedBucketsDeny(buckets: readonly string[], partition: string): PolicyStatement {
    return {
        sid: "DenyPortalBuckets",
        effect: "Deny",
        actions: ["s3:*"],
        resources: buckets.flatMap((bucket) => [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`]),
    };
}

/**
 * Whether a `Resource` entry could match the bucket or one of its objects, with IAM's matching (`*` spans `/`, so
 * `arn:aws:s3:::*-data/*` matches `<bucket>/x-data/y`): the literal text before the first wildcard must be a start of
 * `arn:<partition>:s3:::<bucket>/`, or begin with it. Errs towards "could": `?` is treated like `*`.
 */
export function reachesBucket(resource: string, bucket: string, partition: string): boolean {
    const base = `arn:${partition}:s3:::${bucket}`;
    const wildcard = resource.search(/[*?]/);
    if (wildcard < 0) return resource === base || resource.startsWith(`${base}/`);
    const literal = resource.slice(0, wildcard);
    return `${base}/`.startsWith(literal) || literal.startsWith(`${base}/`);
}
