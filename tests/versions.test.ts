import test from "ava";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DOWNLOAD_URL_FILES, VERSION_FILES, downloadUrlStamps, releaseStampProblems, versionStamps } from "../provider/tools/release/versions";
import { githubRepository, pluginDownloadUrl } from "../provider/tools/schema/generate-schema";

/**
 * One version: package.json's, stamped into the schema and every generated SDK by the build, and kept by hand in
 * a few files; one plugin download URL: the schema's, copied into every SDK. Any two that disagree fail here.
 */

const ROOT = path.join(__dirname, "..", "..");

/** A copy of every stamped file under a temporary root, to change one and see the finding. */
function copyOfStampedFiles(t: { teardown(fn: () => void): void }): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "versions-"));
    t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }));
    for (const file of new Set([...Object.keys(VERSION_FILES), ...Object.keys(DOWNLOAD_URL_FILES)])) {
        fs.mkdirSync(path.join(copy, path.dirname(file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
    }
    return copy;
}

test("every version-bearing file carries package.json's version, and every SDK the schema's download URL", (t) => {
    t.deepEqual(releaseStampProblems(ROOT), []);
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version;
    t.regex(version, /^\d+\.\d+\.\d+(-[\w.]+)?$/);
    // Every listed file was read (a stamp the reader no longer finds is a finding above, not a silent pass).
    t.true(versionStamps(ROOT).every((s) => s.value === version));
    t.true(downloadUrlStamps(ROOT).every((s) => s.value === "github://api.github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity"));
});

test("a file whose version differs is named, with both values", (t) => {
    const copy = copyOfStampedFiles(t);
    const pyproject = path.join(copy, "sdk/python/pyproject.toml");
    fs.writeFileSync(pyproject, fs.readFileSync(pyproject, "utf8").replace(/^(\s*version\s*=\s*)"[^"]*"/m, '$1"9.9.9"'));
    const problems = releaseStampProblems(copy);
    t.is(problems.length, 1);
    t.regex(problems[0], /^sdk\/python\/pyproject\.toml \(project\.version\): "9\.9\.9", package\.json has "\d/);
});

test("a bumped package.json alone disagrees with every stamped copy; a removed stamp is reported as missing", (t) => {
    const copy = copyOfStampedFiles(t);
    const packageJson = path.join(copy, "package.json");
    fs.writeFileSync(packageJson, JSON.stringify({ ...JSON.parse(fs.readFileSync(packageJson, "utf8")), version: "0.2.0" }));
    fs.writeFileSync(path.join(copy, "CHANGELOG.md"), "# Changelog\n\n## [Unreleased]\n");
    const files = new Set(releaseStampProblems(copy).map((p) => p.split(" ")[0]));
    t.deepEqual([...files].sort(), Object.keys(VERSION_FILES).filter((f) => f !== "package.json").sort());
    t.true(releaseStampProblems(copy).some((p) => p.startsWith("CHANGELOG.md (latest release): missing")));
});

test("an SDK whose download URL differs from the schema's is named", (t) => {
    const copy = copyOfStampedFiles(t);
    const plugin = path.join(copy, "sdk/go/ekspodidentity/pulumi-plugin.json");
    fs.writeFileSync(plugin, JSON.stringify({ ...JSON.parse(fs.readFileSync(plugin, "utf8")), server: "github://api.github.com/someone/else" }));
    t.deepEqual(releaseStampProblems(copy), [
        `sdk/go/ekspodidentity/pulumi-plugin.json (server): "github://api.github.com/someone/else", provider/plugin/schema.json has "github://api.github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity"`,
    ]);
});

test("the download URL is the CLI's github:// form for package.json's repository; other hosts are refused", (t) => {
    t.is(githubRepository({ repository: { url: "git+https://github.com/acme/pulumi-x.git" } }), "github.com/acme/pulumi-x");
    t.is(githubRepository({ repository: "https://github.com/acme/pulumi-x" }), "github.com/acme/pulumi-x");
    t.is(pluginDownloadUrl("github.com/acme/pulumi-x"), "github://api.github.com/acme/pulumi-x");
    t.throws(() => githubRepository({ repository: "https://gitlab.com/acme/x" }), { message: /repository must be a GitHub URL/ });
    t.throws(() => githubRepository({}), { message: /was undefined/ });
});
