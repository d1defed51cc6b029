/**
 * Runs the portal service: `node dist/examples/portal/main.js` after `npx tsc -p .` (see README.md).
 *
 *   PORTAL_CLUSTERS      comma-separated EKS cluster ARNs requests may name (required)
 *   PORTAL_TOKEN         bearer token clients must send; required unless PORTAL_ALLOW_UNAUTHENTICATED=true
 *   PORTAL_PORT          default 8080;  PORTAL_HOST  default 127.0.0.1
 *   PORTAL_STATE_DIR     workload records and stack folders, default ./.portal
 *   PULUMI_BACKEND_URL   default file://<PORTAL_STATE_DIR>/backend;  PULUMI_CONFIG_PASSPHRASE(_FILE) for a file backend
 * AWS credentials and kubeconfig are the CLI's usual ones (environment, ~/.aws, ~/.kube/config).
 */
import * as path from "path";
import { startPortal } from "./server";

async function main(): Promise<void> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    const root = path.resolve(__dirname, "../../..");
    env.PATH = [path.join(root, "bin"), env.PATH ?? ""].join(path.delimiter);
    const token = env.PORTAL_TOKEN;
    if (!token && env.PORTAL_ALLOW_UNAUTHENTICATED !== "true") {
        throw new Error("set PORTAL_TOKEN (clients send Authorization: Bearer <token>), or PORTAL_ALLOW_UNAUTHENTICATED=true behind an authenticating proxy");
    }
    const portal = await startPortal({
        port: Number(env.PORTAL_PORT ?? 8080),
        host: env.PORTAL_HOST ?? "127.0.0.1",
        root,
        env,
        stateDir: env.PORTAL_STATE_DIR ?? path.resolve(".portal"),
        token,
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
