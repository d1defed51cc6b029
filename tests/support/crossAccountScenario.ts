import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { renderAwsConfigFile } from "../../provider/crossAccount/configFile";
import { credentialProcessScript } from "../../provider/crossAccount/credentialProcess";
import { resolveProfiles } from "../../provider/crossAccount/profiles";
import { buildCrossAccountTrustPolicy } from "../../provider/iam/crossAccountTrust";
import { CredentialStore } from "./fakeAws";
import { FakePodIdentityAgent } from "./fakePodIdentityAgent";
import { FakeSts } from "./fakeSts";
import { SdkResult } from "./sdkResolve";
import { REGION, clusterArnOf, roleArnOf } from "./awsIds";

/**
 * One pod's world for the cross-account proofs: a fake Pod Identity agent issuing account-A credentials of the source
 * role, a fake STS holding account-B roles with trust policies from `buildCrossAccountTrustPolicy`, the token file,
 * the helper script written as the component mounts it (0555), and the AWS config file rendered by
 * `renderAwsConfigFile` in either credential source. `env()` is the pod's environment.
 */

export const ACCOUNT_A = "111111111111";
export const ACCOUNT_B = "222222222222";
export const SOURCE_ROLE = roleArnOf("source", "/", ACCOUNT_A);
export const OTHER_SOURCE_ROLE = roleArnOf("other-source", "/", ACCOUNT_A);
export const CLUSTER_ARN = clusterArnOf("prod", ACCOUNT_A);
export const NAMESPACE = "orders";
export const SERVICE_ACCOUNT = "orders-api";
/** The cluster's region (us-west-2, tests/support/awsIds): the component's default region of a profile whose target names none. */
export { REGION };
/** The partner target's own region, to tell it apart from the cluster's. */
export const PARTNER_REGION = "eu-west-1";
/**
 * The pod's AWS_REGION, deliberately neither of the profiles' regions: it shows which region each client signs the
 * chained AssumeRole for. EKS Pod Identity does not set it; applications often do.
 */
export const POD_REGION = "ap-southeast-2";
/** Trusts the source role, pinned to this cluster, namespace and service account by the transitive session tags. */
export const READER = roleArnOf("reader", "/", ACCOUNT_B);
/** Trusts another source role only: must be denied. */
export const FORBIDDEN = roleArnOf("forbidden", "/", ACCOUNT_B);
/** Trusts the source role with an external id (for associations with session tags disabled). */
export const PARTNER = roleArnOf("partner", "/", ACCOUNT_B);
/** Trusts the source role, but only for another namespace: must be denied by the session tags. */
export const OTHER_NAMESPACE = roleArnOf("other-namespace", "/", ACCOUNT_B);
export const EXTERNAL_ID = "orders-7f3a";
/** The reader profile's duration_seconds: no SDK's default (the Go SDK asks 900 s, the others 3600 s). */
export const READER_DURATION_SECONDS = 1800;
/** A token with characters that need care in a shell, a header and a wgetrc (but none of CR/LF). */
export const TOKEN = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.$x\`y"z'%s\\n*?[a] -H @-;|&<>`;

export const PROFILES = {
    reader: "reader",
    forbidden: "forbidden",
    partner: "partner",
    otherNamespace: "other-namespace",
} as const;

/** The region the rendered config file gives each profile (explicit, or the cluster's by default). */
export const PROFILE_REGIONS: Record<string, string> = {
    [PROFILES.reader]: REGION,
    [PROFILES.forbidden]: REGION,
    [PROFILES.partner]: PARTNER_REGION,
    [PROFILES.otherNamespace]: REGION,
};

export class CrossAccountScenario {
    readonly store = new CredentialStore();
    readonly dir: string;
    readonly tokenFile: string;
    readonly scriptPath: string;
    readonly agent: FakePodIdentityAgent;
    readonly sts: FakeSts;
    private configWrites = 0;

    constructor(options: { disableSessionTags?: boolean } = {}) {
        this.dir = mkdtempSync(path.join(tmpdir(), "pod-identity-chain-"));
        this.tokenFile = path.join(this.dir, "eks-pod-identity-token");
        writeFileSync(this.tokenFile, TOKEN);
        this.scriptPath = path.join(this.dir, "credential-process.sh");
        writeFileSync(this.scriptPath, credentialProcessScript());
        chmodSync(this.scriptPath, 0o555);
        this.agent = new FakePodIdentityAgent({
            store: this.store,
            tokenFile: this.tokenFile,
            sourceRoleArn: SOURCE_ROLE,
            clusterArn: CLUSTER_ARN,
            namespace: NAMESPACE,
            serviceAccount: SERVICE_ACCOUNT,
            disableSessionTags: options.disableSessionTags,
        });
        this.sts = new FakeSts(this.store);
        const pinned = { clusterArns: [CLUSTER_ARN], namespaces: [NAMESPACE], serviceAccounts: [SERVICE_ACCOUNT] };
        this.sts.registerRole(READER, buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE], mode: "sessionTags", ...pinned }));
        this.sts.registerRole(FORBIDDEN, buildCrossAccountTrustPolicy({ sourceRoleArns: [OTHER_SOURCE_ROLE], mode: "sessionTags", ...pinned }));
        this.sts.registerRole(PARTNER, buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE], mode: "externalId", externalId: EXTERNAL_ID }));
        this.sts.registerRole(
            OTHER_NAMESPACE,
            buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE], mode: "sessionTags", ...pinned, namespaces: ["payments"] }),
        );
    }

    async start(): Promise<this> {
        await Promise.all([this.agent.start(), this.sts.start()]);
        return this;
    }

    async stop(): Promise<void> {
        await Promise.all([this.agent.stop(), this.sts.stop()]);
        rmSync(this.dir, { recursive: true, force: true });
    }

    /** Writes the config file the component renders (profiles defaulted as the component does) and returns its path. */
    configFile(credentialSource: "process" | "ecsContainer"): string {
        const { profiles } = resolveProfiles(
            [
                { profileName: PROFILES.reader, roleArn: READER, roleSessionName: "orders-reader", durationSeconds: READER_DURATION_SECONDS },
                { profileName: PROFILES.forbidden, roleArn: FORBIDDEN },
                { profileName: PROFILES.partner, roleArn: PARTNER, externalId: EXTERNAL_ID, region: PARTNER_REGION },
                { profileName: PROFILES.otherNamespace, roleArn: OTHER_NAMESPACE },
            ],
            REGION,
        );
        const text = renderAwsConfigFile({ credentialSource, sourceProfileName: "pod-identity", credentialProcessPath: this.scriptPath, profiles });
        const file = path.join(this.dir, `config-${credentialSource}`);
        // Written aside and renamed into place: clients started in parallel read this file while the next env()
        // rewrites it, and a plain rewrite lets one of them see it truncated (the Go SDK then finds no profile).
        const staging = `${file}.${process.pid}.${++this.configWrites}`;
        writeFileSync(staging, text);
        renameSync(staging, file);
        return file;
    }

    /**
     * The pod's environment: Pod Identity's two variables, the component's AWS_CONFIG_FILE/AWS_PROFILE, an AWS_REGION
     * other than the profiles' (POD_REGION), and STS redirected to the fake. Nothing else of this process's AWS
     * settings leaks in (fresh HOME). `extra` adds or overrides variables; an undefined value removes one.
     */
    env(credentialSource: "process" | "ecsContainer", profile: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
        // A fresh HOME each time: the AWS CLI caches assumed-role credentials under ~/.aws/cli/cache.
        const home = mkdtempSync(path.join(this.dir, "home-"));
        const env: NodeJS.ProcessEnv = {
            PATH: process.env.PATH,
            HOME: home,
            LANG: "C.UTF-8",
            AWS_CONTAINER_CREDENTIALS_FULL_URI: this.agent.url,
            AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: this.tokenFile,
            AWS_CONFIG_FILE: this.configFile(credentialSource),
            AWS_SHARED_CREDENTIALS_FILE: path.join(this.dir, "no-credentials"),
            AWS_PROFILE: profile,
            // No AWS_DEFAULT_REGION: botocore and the Go SDK let it override the profile's region (the JS SDK ignores it).
            AWS_REGION: POD_REGION,
            AWS_ENDPOINT_URL_STS: this.sts.url,
            AWS_EC2_METADATA_DISABLED: "true",
            // SDK releases after January 2027 require Node 22; the warning about it is noise here.
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
            ...extra,
        };
        return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
    }
}

export interface ProcessResult {
    code: number;
    stdout: string;
    stderr: string;
    ms: number;
}

export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ProcessResult> {
    const started = Date.now();
    return new Promise((resolve) => {
        execFile(file, args, { env, timeout: timeoutMs, encoding: "utf8", maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
            resolve({ code, stdout, stderr, ms: Date.now() - started });
        });
    });
}

const SDK_RESOLVE = path.join(__dirname, "sdkResolve.js");

/** Resolves credentials with the JS SDK in a child process with this environment, then calls GetCallerIdentity. */
export async function sdkResolve(mode: "ini" | "chain", env: NodeJS.ProcessEnv): Promise<SdkResult & { stderr: string }> {
    const result = await run(process.execPath, [SDK_RESOLVE, mode], env);
    const line = result.stdout.trim().split("\n").pop() ?? "";
    try {
        return { ...(JSON.parse(line) as SdkResult), stderr: result.stderr };
    } catch {
        throw new Error(`sdkResolve ${mode} printed no result (exit ${result.code}): ${result.stderr}`);
    }
}
