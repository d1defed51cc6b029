import test from "ava";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as YAML from "yaml";
import { deployPlatform, parsePlatformSpec } from "../provider/platform/program";
import { UNKNOWN } from "../provider/tools/plan/engine";
import { ServerTruth, judgeableObjects, refusals } from "./cluster/serverTruth";
import { hostedZoneArnOf } from "./support/awsIds";
import { HOSTED_ZONE_ID, OTHER_HOSTED_ZONE_ID } from "./support/fixtures";
import { run } from "./support/harness";

const exec = promisify(execFile);
const root = path.resolve(__dirname, "../..");
const cli = path.join(root, "dist/provider/tools/plan/cli.js");
const EXAMPLE_WORKLOADS = path.join(root, "examples/platform/workloads.yaml");

const truth = new ServerTruth("plan");
test.after.always(() => truth.close());

async function plan(args: string[]): Promise<{ stdout: string; stderr: string; code: number; out: string }> {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    // No credentials and no Pulumi CLI: the plan must not need either.
    const env = { PATH: process.env.PATH ?? "", HOME: out };
    try {
        const { stdout, stderr } = await exec(process.execPath, [cli, ...args, "--out", out], { cwd: root, env });
        return { stdout, stderr, code: 0, out };
    } catch (e: any) {
        return { stdout: e.stdout, stderr: e.stderr, code: e.code, out };
    }
}

test("the embedded default plans the example platform offline: tree, dependencies, artifacts", async (t) => {
    const { stdout, code, out } = await plan([]);
    t.is(code, 0);
    t.regex(stdout, /Using demo stack config/);
    t.regex(stdout, /\+ eks-pod-identity:index:PodIdentityWorkload\s+orders-api/);
    t.regex(stdout, /\+ aws:iam\/role:Role\s+orders-api-role/);
    t.regex(stdout, /\+ kubernetes:apps\/v1:Deployment\s+orders-api-deployment\s+← after orders-api-association, orders-api-namespace, orders-api-permissions, orders-api-role, orders-api-service-account/);
    t.regex(stdout, /aws:eks\/podIdentityAssociation:PodIdentityAssociation\s+billing-worker-association\n/, "existing role: nothing to wait for");
    t.notRegex(stdout, /billing-worker-role/, "no IAM resources for an existing role");
    t.regex(stdout, /29 resources to create in 5 components/);
    t.regex(stdout, /\+ kubernetes:core\/v1:ConfigMap\s+exporter-aws-config\n/);

    const trust = JSON.parse(fs.readFileSync(path.join(out, "orders-api/trust-policy.json"), "utf8"));
    t.is(trust.Statement[0].Condition.ArnEquals["aws:SourceArn"], "arn:aws:eks:us-east-1:111122223333:cluster/demo");
    const permissions = JSON.parse(fs.readFileSync(path.join(out, "orders-api/policy-permissions.json"), "utf8"));
    t.is(permissions.Statement[0].Condition.StringEquals["secretsmanager:ResourceTag/kubernetes-namespace"], "${aws:PrincipalTag/kubernetes-namespace}");
    const association = JSON.parse(fs.readFileSync(path.join(out, "orders-api/association.json"), "utf8"));
    t.is(association.roleArn, "<known after apply>", "the role ARN AWS will assign is not invented");
    const manifests = fs.readFileSync(path.join(out, "orders-api/kubernetes.yaml"), "utf8");
    t.regex(manifests, /eks-pod-identity.pulumi.com\/credentials-revision: <known after apply>/);
    t.regex(manifests, /kind: Deployment/);
    t.is(JSON.parse(fs.readFileSync(path.join(out, "billing-worker/association.json"), "utf8")).roleArn, "arn:aws:iam::111122223333:role/iam-team/billing-worker");
    const awsConfig = fs.readFileSync(path.join(out, "exporter/aws-config"), "utf8");
    t.regex(awsConfig, /\[profile shared-data-reader\]\nrole_arn = arn:aws:iam::444455556666:role\/shared-data-reader\nsource_profile = pod-identity\n/);
    t.regex(fs.readFileSync(path.join(out, "exporter/kubernetes.yaml"), "utf8"), /config: \|/, "the config file stays readable in the manifest");
    const externalDns = JSON.parse(fs.readFileSync(path.join(out, "external-dns/managed-policy-well-known-external-dns.json"), "utf8"));
    const change = externalDns.Statement.find((s: any) => s.Sid === "ChangeRecords");
    t.deepEqual(change.Resource, [HOSTED_ZONE_ID, OTHER_HOSTED_ZONE_ID].map(hostedZoneArnOf), "the well-known policy is written, scoped to the given zones");
});

test("without a cluster ARN the lookup's result is shown as unknown, not made up", async (t) => {
    const { stdout, code, out } = await plan(["--config", "clusterName=prod", "--config", "region=eu-west-1"]);
    t.is(code, 0, stdout);
    t.regex(stdout, /lookups: aws:eks\/getCluster:getCluster/);
    const trust = fs.readFileSync(path.join(out, "orders-api/trust-policy.json"), "utf8");
    t.regex(trust, /<known after apply>/);
    t.notRegex(trust, /arn:aws:eks/);
});

test("a bad workloads file fails with the entry and key named", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spec-"));
    const file = path.join(dir, "w.yaml");
    fs.writeFileSync(file, "workloads:\n  - name: a\n    namespace: a\n    imagee: x\n");
    const { code, stderr } = await plan([file]);
    t.is(code, 1);
    t.regex(stderr, /workloads\[0\]\.imagee: unknown input/);
});

test("component validation errors reach the plan's output", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spec-"));
    const file = path.join(dir, "w.yaml");
    fs.writeFileSync(file, "workloads:\n  - name: a\n    namespace: Not_Valid\n    role: { maxSessionDuration: 60 }\n");
    const { code, stderr } = await plan([file]);
    t.is(code, 1);
    t.regex(stderr, /namespace: "Not_Valid" is not a valid DNS-1123 label/);
    t.regex(stderr, /role\.maxSessionDuration: 60 is out of range/);
    t.notRegex(stderr, /\n\s+at /, "no stack trace");
});

test("workloads file shape errors", (t) => {
    const cases: [string, RegExp][] = [
        ["- a\n- b\n", /\(file\): expected a mapping/],
        ["workloads: []\n", /workloads: expected a non-empty list/],
        ["workload:\n  - name: a\n", /workload: unknown key/],
        ["workloads:\n  - namespace: x\n", /workloads\[0\]\.name: required/],
        ["workloads:\n  - {name: a, namespace: x}\n  - {name: a, namespace: y}\n", /workloads\[1\]\.name: "a" is used twice/],
        ["workloads:\n  - {name: a, namespace: x, clusterName: other}\n", /workloads\[0\]\.clusterName: unknown input.*the cluster comes from stack config/],
        ["defaults: [1]\nworkloads:\n  - {name: a, namespace: x}\n", /defaults: expected a mapping/],
        ["workloads: [\n", /\(file\): is not valid YAML/],
    ];
    for (const [text, expected] of cases) {
        const error = t.throws(() => parsePlatformSpec(text, "w.yaml"));
        t.regex(error!.message, expected, text);
    }
    t.is(parsePlatformSpec("workloads:\n  - {name: a, namespace: x}\n", "w.yaml").workloads.length, 1);
});

test("the plan's Kubernetes manifests are admitted by the API server, where known at preview", async (t) => {
    const { code, out } = await plan([]);
    t.is(code, 0);
    const documents = fs.readdirSync(out).flatMap((component) => {
        const file = path.join(out, component, "kubernetes.yaml");
        return fs.existsSync(file) ? YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS()) : [];
    });
    // A value known only after apply (the Deployments' credentials revision) cannot be judged before it is known.
    const known = documents.filter((d) => !JSON.stringify(d).includes(UNKNOWN));
    t.deepEqual([...new Set(known.map((d) => d.kind))].sort(), ["ConfigMap", "Namespace", "ServiceAccount"]);
    t.deepEqual(refusals(await truth.admit(known)), []);
});

test("the example platform's Kubernetes objects, every value known, are admitted by the API server", async (t) => {
    const spec = parsePlatformSpec(fs.readFileSync(EXAMPLE_WORKLOADS, "utf8"), "examples/platform/workloads.yaml");
    const r = await run(() => deployPlatform({ clusterName: "demo", clusterArn: "arn:aws:eks:us-east-1:111122223333:cluster/demo", workloadsFile: EXAMPLE_WORKLOADS }, spec));
    t.deepEqual(r.failures, []);
    const objects = judgeableObjects(r.resources);
    t.is(objects.filter((o) => o.kind === "Deployment").length, spec.workloads.filter((w) => w.workload !== undefined).length, "every Deployment is judged");
    t.deepEqual(refusals(await truth.admit(objects)), []);
});
