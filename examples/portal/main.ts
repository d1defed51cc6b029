/**
 * Runs the portal service: `node dist/examples/portal/main.js` after `npx tsc -p .` (see README.md).
 *
 *   PORTAL_CLUSTERS      comma-separated EKS cluster ARNs requests may name (required)
 * Identity (at least one; see README.md "Identity and roles"):
 *   PORTAL_TOKENS_FILE        JSON or YAML: { tokens: [{ name, team, role: member|admin, sha256 }] } (hash-token.js)
 *   PORTAL_PROXY_SECRET_FILE  file holding the authenticating proxy's shared secret (or PORTAL_PROXY_SECRET): with it,
 *                             X-Portal-User, X-Portal-Team and X-Portal-Role are believed
 *   PORTAL_TOKEN              one platform-admin bearer token (the portal's original single token); prefer the file
 * Policy and limits:
 *   PORTAL_ALLOWED_MANAGED_POLICIES  comma-separated managed policy ARNs requests may attach (default: managedPolicies.ts)
 *   PORTAL_POLICY_FILE   or a JSON/YAML file { allowedManagedPolicyArns: [ARN, …] }
 *   PORTAL_ALLOWED_TARGET_ROLES  comma-separated role ARN patterns crossAccount targets may name (default: none)
 *   PORTAL_ALLOWED_ESCALATION_ACTIONS  comma-separated escalation actions statements may allow anyway (default: none)
 *   PORTAL_PROTECTED_BUCKETS  comma-separated buckets no workload may reach, besides an s3:// backend's (README.md
 *                        "Permission model")
 *   PORTAL_PREVIEW_CLAIM_TTL_MS  how long an unapplied preview holds its namespace, default 900000 (15 min)
 *   PORTAL_AUDIT_LOG     append-only audit log, default <PORTAL_STATE_DIR>/audit.log
 *   PORTAL_AUDIT_MAX_BYTES  rotate it to audit.log.1 at this size, default 67108864 (64 MiB), at least 65536
 *   PORTAL_AUDIT_KEEP       rotated files kept (audit.log.1 … .N), default 5, 1 to 1000
 *   PORTAL_AUDIT_UNAUTHENTICATED_WINDOW_MS, PORTAL_AUDIT_UNAUTHENTICATED_BURST  unauthenticated refusals logged one by
 *                        one per window (default 20 per 60000 ms), the rest summarised in one line per window
 *   PORTAL_SHUTDOWN_GRACE_MS  on SIGTERM, how long the CLIs get before every process left under the workers is
 *                        SIGKILLed, default 5000
 * Every numeric variable is checked at start: a value that is not a whole number in range stops the portal, naming it.
 *   PORTAL_PORT          default 8080;  PORTAL_HOST  default 127.0.0.1
 *   PORTAL_STATE_DIR     workload records and stack folders, default ./.portal
 *   PULUMI_BACKEND_URL   default file://<PORTAL_STATE_DIR>/backend;  PULUMI_CONFIG_PASSPHRASE(_FILE) for a DIY backend.
 *                        s3://<bucket>?endpoint=…&use_path_style=true&region=…: records in the bucket, replicas may
 *                        share it (README.md "Two replicas"); AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY sign the calls
 *   PORTAL_REPLICA_LEASE_MS  s3:// only: this replica's lease, default 30000 (replicaLease.ts, README.md "Two replicas")
 *   PORTAL_REPLICA_HOST      the host name the replica records, default the machine's
 * AWS credentials and kubeconfig are the CLI's usual ones (environment, ~/.aws, ~/.kube/config).
 * Tests only: PORTAL_TEST_HOLD_BEFORE_RECORDING=<file>  see PortalOptions.holdBeforeRecordingForTests (never in production).
 */
import * as fs from "fs";
import * as path from "path";
import { numberFromEnv } from "./envNumbers";
import { allowlistFromEnvironment } from "./managedPolicies";
import { permissionSettingsFromEnvironment } from "./permissionSettings";
import { startPortal } from "./server";

async function main(): Promise<void> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    const root = path.resolve(__dirname, "../../..");
    env.PATH = [path.join(root, "bin"), env.PATH ?? ""].join(path.delimiter);
    const token = env.PORTAL_TOKEN || undefined;
    const proxySecret = env.PORTAL_PROXY_SECRET_FILE ? fs.readFileSync(env.PORTAL_PROXY_SECRET_FILE, "utf8").trim() : env.PORTAL_PROXY_SECRET || undefined;
    // The portal's own secrets are not the Pulumi CLI's business: keep them out of the workers' environment.
    delete env.PORTAL_TOKEN;
    delete env.PORTAL_PROXY_SECRET;
    const holdBeforeRecordingForTests = env.PORTAL_TEST_HOLD_BEFORE_RECORDING || undefined;
    delete env.PORTAL_TEST_HOLD_BEFORE_RECORDING;
    const portal = await startPortal({
        port: numberFromEnv(env, "PORTAL_PORT", { min: 0, max: 65535, default: 8080 }) ?? 8080,
        host: env.PORTAL_HOST ?? "127.0.0.1",
        root,
        env,
        stateDir: env.PORTAL_STATE_DIR ?? path.resolve(".portal"),
        token,
        tokensFile: env.PORTAL_TOKENS_FILE || undefined,
        proxySecret,
        auditLog: env.PORTAL_AUDIT_LOG || undefined,
        auditLimits: {
            maxBytes: numberFromEnv(env, "PORTAL_AUDIT_MAX_BYTES", { min: 65536 }),
            keep: numberFromEnv(env, "PORTAL_AUDIT_KEEP", { min: 1, max: 1000 }),
            unauthenticatedWindowMs: numberFromEnv(env, "PORTAL_AUDIT_UNAUTHENTICATED_WINDOW_MS", { min: 1000 }),
            unauthenticatedBurst: numberFromEnv(env, "PORTAL_AUDIT_UNAUTHENTICATED_BURST", { min: 0 }),
        },
        shutdownGraceMs: numberFromEnv(env, "PORTAL_SHUTDOWN_GRACE_MS", { min: 0 }),
        policy: { allowedManagedPolicyArns: allowlistFromEnvironment(env), ...permissionSettingsFromEnvironment(env) },
        previewClaimTtlMs: numberFromEnv(env, "PORTAL_PREVIEW_CLAIM_TTL_MS", { min: 1000, default: 900000 }),
        holdBeforeRecordingForTests,
        replicaLeaseMs: numberFromEnv(env, "PORTAL_REPLICA_LEASE_MS", { min: 3000, default: 30000 }),
        replicaHost: env.PORTAL_REPLICA_HOST || undefined,
    });
    process.stdout.write(`eks-pod-identity portal listening on ${portal.url}\n`);
    const stop = () => {
        process.stdout.write("stopping: running operations are interrupted and recovered by their next apply or DELETE\n");
        portal.close().then(() => process.exit(0));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
});
