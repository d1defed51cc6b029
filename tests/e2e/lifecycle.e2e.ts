/**
 * Real-engine end to end: the Pulumi CLI built by the toolchain runs preview, up, an update, a namespace rename and
 * destroy of the example program of each language (generated SDKs → the eks-pod-identity provider plugin → the
 * components), with the real Kubernetes provider against the test cluster (tests/cluster: a real API server with
 * Pod Security admission, controllers, and kwok as the kubelet) and the aws test double attached with
 * PULUMI_DEBUG_PROVIDERS (the AWS provider cannot run here).
 *
 *   npm run test:e2e                        every language (starts the test cluster)
 *   E2E_LANGUAGES=typescript,yaml npm run test:e2e
 */
import { after, test } from "node:test";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CloudDouble } from "./support/cloudDouble";
import { testCluster } from "../cluster/client";
import { missingToolchain, removeEnvironment, ROOT, stackEnvironment } from "./support/environment";
import * as assert from "assert/strict";
import { baseConfig, DriverError, LanguageDriver, lifecycleScenario, runDriver, ScenarioTimings } from "./support/scenario";

const nodeDriver = path.join(__dirname, "drivers", "node.js");

const DRIVERS: Record<string, () => LanguageDriver> = {
    typescript: () => ({ language: "typescript", command: process.execPath, args: [nodeDriver, "typescript"] }),
    python: () => ({
        language: "python",
        // The virtualenv tests/sdk/check.sh builds: the Pulumi SDK from PyPI and the generated SDK.
        command: path.join(ROOT, ".sdk-build", "venv", "bin", "python"),
        args: [path.join(ROOT, "tests", "e2e", "drivers", "python_driver.py")],
    }),
    go: () => {
        // A compiled driver: Go inline programs are part of the binary that runs the Automation API.
        const dir = path.join(ROOT, "tests", "e2e", "drivers", "go");
        const binary = path.join(ROOT, ".sdk-build", "e2e-go-driver");
        const build = spawnSync("go", ["build", "-o", binary, "."], {
            cwd: dir,
            env: { ...process.env, GOSUMDB: "off", GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
            encoding: "utf8",
        });
        if (build.status !== 0) throw new Error(`go build of the Go driver failed:\n${build.stdout}${build.stderr}`);
        return { language: "go", command: binary, args: [] };
    },
    yaml: () => ({ language: "yaml", command: process.execPath, args: [nodeDriver, "yaml"] }),
};

const selected = (process.env.E2E_LANGUAGES ?? Object.keys(DRIVERS).join(",")).split(",").filter(Boolean);
const timings: Record<string, ScenarioTimings> = {};

const problem = missingToolchain();
if (problem) throw new Error(`the end-to-end suite needs the toolchain: ${problem}`);
const cluster = testCluster();

for (const language of selected) {
    const makeDriver = DRIVERS[language];
    if (!makeDriver) throw new Error(`E2E_LANGUAGES: unknown language ${language} (one of ${Object.keys(DRIVERS).join(", ")})`);
    test(`${language}: preview, up, role replacement, namespace rename, destroy`, { timeout: 10 * 60_000 }, async () => {
        const cloud = new CloudDouble("prod");
        const environment = stackEnvironment(language, await cloud.start(cluster, language));
        try {
            timings[language] = await lifecycleScenario(makeDriver(), cloud, environment);
        } finally {
            await cloud.stop();
            removeEnvironment(environment);
        }
    });
}

test("two stacks claiming one service account: the second association fails like AWS's ResourceInUseException, and recovers", { timeout: 5 * 60_000 }, async () => {
    const cloud = new CloudDouble("prod");
    const debugProviders = await cloud.start(cluster, "claim");
    const environments = [stackEnvironment("claim-a", debugProviders), stackEnvironment("claim-b", debugProviders)];
    const team = (name: string): LanguageDriver => ({
        language: "program",
        project: name,
        command: process.execPath,
        args: [nodeDriver, "program"],
    });
    const programEnv = { E2E_PROGRAM: path.join(__dirname, "programs", "claimServiceAccount.js") };
    for (const environment of environments) Object.assign(environment.env, programEnv);
    const [a, b] = environments;
    const config = (name: string) => ({ ...baseConfig(cloud), namespace: "default", serviceAccount: "shared", team: name, rolePath: `/${name}/` });
    try {
        await runDriver(team("team-a"), a, "up", config("team-a"));
        const error = await runDriver(team("team-b"), b, "up", config("team-b")).then(
            () => undefined,
            (e: DriverError) => e,
        );
        assert.ok(error, "the second stack's up fails");
        assert.match(error!.log, /ResourceInUseException: Association already exists/);
        const associations = () => cloud.live("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        assert.equal(associations().length, 1, "the first association is untouched");
        assert.match(associations()[0].roleArn, /:role\/team-a\//);
        // The losing stack is not wedged: once the first team releases the service account, it converges.
        await runDriver(team("team-a"), a, "destroy", config("team-a"));
        await runDriver(team("team-b"), b, "up", config("team-b"));
        assert.match(associations()[0].roleArn, /:role\/team-b\//);
        await runDriver(team("team-b"), b, "destroy", config("team-b"));
        assert.deepEqual(associations(), []);
        assert.deepEqual(cloud.live("aws:iam/role:Role"), []);
    } finally {
        await cloud.stop();
        environments.forEach(removeEnvironment);
    }
});

after(() => {
    const rows = Object.entries(timings).map(
        ([language, t]) =>
            `  ${language.padEnd(10)} preview ${s(t.preview)}  up ${s(t.up)}  update ${s(t.update)}  rename ${s(t.rename)}  destroy ${s(t.destroy)}`,
    );
    if (rows.length > 0) {
        const report = `e2e timings (seconds, each step one CLI run):\n${rows.join("\n")}\n`;
        process.stdout.write(report);
        fs.mkdirSync(path.join(ROOT, "out"), { recursive: true });
        fs.writeFileSync(path.join(ROOT, "out", "e2e-timings.txt"), report);
    }
});

function s(ms: number): string {
    return (ms / 1000).toFixed(1).padStart(5);
}
