import test from "ava";
import * as fs from "fs";
import * as path from "path";

/** One Pulumi release everywhere: the CLI built from Go modules, the Node.js SDK, and every example's SDK pin. */

const root = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
const nodeSdk: string = JSON.parse(read("package.json")).dependencies["@pulumi/pulumi"];

function goRequire(file: string, module: string): string | undefined {
    return new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[./]/g, "\\$&")} (v[^\\s]+)`, "m").exec(read(file))?.[1];
}

test("the Node.js SDK is pinned to one exact version, the one installed", (t) => {
    t.regex(nodeSdk, /^\d+\.\d+\.\d+$/, "package.json pins @pulumi/pulumi exactly");
    t.is(JSON.parse(read("node_modules/@pulumi/pulumi/package.json")).version, nodeSdk);
});

test("the CLI built by the toolchain is the release of @pulumi/pulumi", (t) => {
    t.is(goRequire("provider/tools/toolchain/go.mod", "github.com/pulumi/pulumi/pkg/v3"), `v${nodeSdk}`);
    t.is(goRequire("provider/tools/toolchain/go.mod", "github.com/pulumi/pulumi/sdk/v3"), `v${nodeSdk}`);
});

test("every example and driver uses the same Pulumi SDK release", (t) => {
    for (const file of ["examples/go/go.mod", "examples/go/sdkmodule/go.mod", "tests/e2e/drivers/go/go.mod"]) {
        t.is(goRequire(file, "github.com/pulumi/pulumi/sdk/v3"), `v${nodeSdk}`, file);
    }
    t.regex(read("examples/python/requirements.txt"), new RegExp(`^pulumi==${nodeSdk.replace(/\./g, "\\.")}$`, "m"));
    t.is(JSON.parse(read("examples/typescript/package.json")).dependencies["@pulumi/pulumi"], nodeSdk);
});

/** The test cluster: one Kubernetes release for the control plane, its staging libraries and kwok. */
test("the test cluster's staging modules are the release of its k8s.io/kubernetes", (t) => {
    const goMod = read("provider/tools/toolchain/cluster/go.mod");
    const kubernetes = goRequire("provider/tools/toolchain/cluster/go.mod", "k8s.io/kubernetes");
    t.truthy(kubernetes, "k8s.io/kubernetes is required");
    // k8s.io/kubernetes v1.N.P publishes its staging modules (k8s.io/api, client-go, …) as v0.N.P.
    const staging = kubernetes!.replace(/^v1\./, "v0.");
    const replaces = [...goMod.matchAll(/^\s*(k8s\.io\/[\w.-]+) => (k8s\.io\/[\w.-]+) (v\S+)$/gm)];
    t.true(replaces.length >= 30, `the staging modules are replaced (${replaces.length} found)`);
    for (const [, from, to, version] of replaces) {
        t.is(to, from, `${from} is replaced by its own published module`);
        t.is(version, staging, `${from} is pinned to ${staging}, the staging release of k8s.io/kubernetes ${kubernetes}`);
    }
    t.regex(goMod, new RegExp(`^\\s*k8s\\.io/api ${staging.replace(/\./g, "\\.")}`, "m"), "kwok and the control plane share one k8s.io/api");
});
