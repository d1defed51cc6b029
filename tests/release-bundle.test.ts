import test from "ava";
import * as fs from "fs";
import * as path from "path";
import { memberNamesUsed, pruneNamespaces } from "../provider/tools/release/bundle";

/**
 * The release plugin's bundle leaves out the @pulumi/aws and @pulumi/kubernetes namespaces the library never names;
 * here the pruning itself, on the real SDK indexes (the consumer tests run the bundled plugin end to end).
 */

const ROOT = path.join(__dirname, "..", "..");
const index = (name: string) => fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", name, "index.js"), "utf8");

test("the library's member names include the namespaces it uses, and not services it never touches", (t) => {
    const used = memberNamesUsed(path.join(ROOT, "dist", "provider"));
    for (const name of ["iam", "eks", "core", "apps"]) t.true(used.has(name), name);
    for (const name of ["sagemaker", "gamelift", "kustomize"]) t.false(used.has(name), name);
});

test("pruning keeps the named namespaces and the rest of the index, and drops the others", (t) => {
    const original = index("aws");
    const { text, dropped } = pruneNamespaces(original, new Set(["iam", "eks"]));
    t.true(dropped.includes("sagemaker") && dropped.includes("s3"));
    t.false(dropped.includes("iam") || dropped.includes("eks"));
    t.regex(text, /const iam = __importStar\(require\("\.\/iam"\)\);\nexports\.iam = iam;/);
    t.notRegex(text, /require\("\.\/sagemaker"\)/);
    // Lazy top-level members and the provider's registration are kept.
    t.regex(text, /utilities\.lazyLoad\(exports, \["getCallerIdentity"/);
    t.regex(text, /registerResourcePackage\("aws"/);
    const k8s = pruneNamespaces(index("kubernetes"), new Set(["core", "apps"]));
    t.true(k8s.dropped.includes("batch"));
    t.false(k8s.dropped.includes("core"));
});

test("an index of another shape is refused instead of bundled whole or broken", (t) => {
    t.throws(() => pruneNamespaces("module.exports = require('./everything');\n", new Set()), { message: /layout changed/ });
});
