import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { DEFAULT_WORKLOADS_FILE, PLATFORM_PROJECT, deployPlatform, loadPlatformSpec } from "../../platform/program";
import { startOfflineEngine } from "./engine";
import { planTree, writeArtifacts } from "./render";

/**
 * `npm run plan -- [workloads.yaml] [--config key=value]... [--out dir]`: the platform program as an offline
 * preview. No Pulumi CLI, no credentials, no network: data-source lookups the program needs are answered from
 * config or marked as known only after apply.
 */

/** Stands in for stack config when none is given, so the embedded example runs on a fresh machine. */
const DEMO_CONFIG: Record<string, string> = {
    clusterName: "demo",
    clusterArn: "arn:aws:eks:us-east-1:111122223333:cluster/demo",
    region: "us-east-1",
};

interface CliArgs {
    workloadsFile: string;
    config: Record<string, string>;
    outDir: string;
}

function parseArgs(argv: string[]): CliArgs {
    const args: CliArgs = { workloadsFile: DEFAULT_WORKLOADS_FILE, config: {}, outDir: "out/plan" };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--config" || arg === "-c") {
            const [key, ...value] = (argv[++i] ?? "").split("=");
            if (!key || value.length === 0) {
                throw new Error(`--config needs key=value, e.g. --config clusterName=prod`);
            }
            args.config[key.replace(`${PLATFORM_PROJECT}:`, "")] = value.join("=");
        } else if (arg === "--out") {
            args.outDir = argv[++i];
        } else if (arg === "--help" || arg === "-h") {
            console.log("usage: npm run plan -- [workloads.yaml] [--config clusterName=NAME] [--config clusterArn=ARN] [--config region=REGION] [--out DIR]");
            process.exit(0);
        } else if (arg.startsWith("-")) {
            throw new Error(`unknown option ${arg}; see --help`);
        } else {
            args.workloadsFile = arg;
        }
    }
    return args;
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    const usingDemo = args.config.clusterName === undefined;
    const config = usingDemo ? { ...DEMO_CONFIG, ...args.config } : args.config;
    const failures: Error[] = [];
    process.on("unhandledRejection", (e) => failures.push(e as Error));

    const engine = startOfflineEngine({
        preview: true,
        project: PLATFORM_PROJECT,
        stack: "plan",
        call: ({ token, inputs }) => {
            if (token === "aws:eks/getCluster:getCluster") {
                // Only what config states is shown; the rest stays unknown, as in a real preview before lookup.
                return { name: inputs.name, arn: config.clusterArn ?? unknownValue, version: config.kubernetesVersion ?? unknownValue };
            }
            if (token === "aws:eks/getAddonVersion:getAddonVersion") {
                return { addonName: inputs.addonName, version: unknownValue };
            }
            throw new Error(`the offline plan cannot answer ${token}`);
        },
    });
    for (const [key, value] of Object.entries(config)) {
        pulumi.runtime.setConfig(`${PLATFORM_PROJECT}:${key}`, value);
    }
    const spec = loadPlatformSpec(args.workloadsFile);
    deployPlatform(
        { clusterName: config.clusterName, clusterArn: config.clusterArn, region: config.region, kubeconfig: config.kubeconfig, workloadsFile: args.workloadsFile },
        spec,
    );
    await engine.settle();
    if (failures.length > 0) {
        throw failures[0];
    }

    const custom = engine.resources.filter((r) => r.custom);
    console.log(`Offline plan of ${args.workloadsFile} (no cloud calls, no Pulumi CLI)`);
    console.log(
        usingDemo
            ? `Using demo stack config ${JSON.stringify(config)}; pass --config clusterName=… (and clusterArn, region) for yours.`
            : `Stack config: ${JSON.stringify(config)}`,
    );
    console.log("");
    console.log(planTree(engine.resources));
    console.log("");
    console.log(`${custom.length} resources to create in ${engine.resources.length - custom.length} components; lookups: ${engine.calls.map((c) => c.token).join(", ") || "none"}.`);
    console.log(`Values shown as "<known after apply>" are assigned by AWS or Kubernetes during pulumi up.`);
    const written = writeArtifacts(engine.resources, args.outDir);
    console.log(`Rendered documents (${written.length} files) in ${path.resolve(args.outDir)}`);
}

/** The wire form of an unknown value; the SDK turns it into an unknown Output during preview. */
const { unknownValue } = pulumi.runtime;

main().catch((e: Error) => {
    console.error(e.message ?? String(e));
    process.exit(1);
});
