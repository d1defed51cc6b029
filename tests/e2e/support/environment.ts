import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "../../../..");
export const BIN = path.join(ROOT, "bin");
/** The plugin launcher's folder: on PATH, the engine finds `pulumi-resource-eks-pod-identity` there. */
export const PLUGIN_DIR = path.join(ROOT, "provider", "plugin");

/** Why the end-to-end suite cannot run here, or undefined when the toolchain is built. */
export function missingToolchain(): string | undefined {
    for (const tool of ["pulumi", "pulumi-language-yaml", "pulumi-resource-kubernetes"]) {
        if (!fs.existsSync(path.join(BIN, tool))) return `bin/${tool} is missing: run \`npm run toolchain\``;
    }
    if (!fs.existsSync(path.join(ROOT, "dist", "provider", "plugin", "main.js"))) return "dist/ is missing: run `npm run build`";
    return undefined;
}

export interface StackEnvironment {
    /** Scratch folder of one scenario: file backend, PULUMI_HOME, work dirs. */
    dir: string;
    /** Environment for the Pulumi CLI and every language driver. */
    env: Record<string, string>;
}

/**
 * A local file backend with a passphrase secrets provider, the CLI built by the toolchain, the aws double attached,
 * and the real Kubernetes provider (bin/pulumi-resource-kubernetes, found on PATH) pointed at the test cluster by
 * KUBECONFIG; nothing reaches the Pulumi service or downloads a plugin.
 */
export function stackEnvironment(label: string, debugProviders: string): StackEnvironment {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${label}-`));
    fs.mkdirSync(path.join(dir, "state"));
    fs.mkdirSync(path.join(dir, "home"));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("PULUMI_")) env[key] = value;
    Object.assign(env, {
        PATH: [BIN, PLUGIN_DIR, process.env.PATH ?? ""].join(path.delimiter),
        PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        PULUMI_DEBUG_PROVIDERS: debugProviders,
    });
    return { dir, env };
}

export function removeEnvironment(environment: StackEnvironment): void {
    fs.rmSync(environment.dir, { recursive: true, force: true });
}
