import * as fs from "fs";
import * as path from "path";

/**
 * Every place the package version (and the plugin's download location) is written, read back. The one source is
 * package.json's `version`: the schema generator stamps it into provider/plugin/schema.json, and the SDK generator
 * (`npm run sdk`) copies it from there into every SDK. Hand-kept copies (the plugin folder's package.json, the Java
 * example's pom, the changelog's latest release) are listed too, so `npm test` fails when any two disagree and
 * `npm run package` refuses to build a release from them.
 */

/** One version (or download URL) found in a file, with where it was found. */
export interface Stamp {
    file: string;
    /** What was read, e.g. `version` or `pulumi.server`. */
    field: string;
    value: string | undefined;
}

type Reader = (text: string) => { field: string; value: string | undefined }[];

const json = (...fields: string[][]): Reader => (text) => {
    const document = JSON.parse(text);
    return fields.map((keys) => ({ field: keys.join("."), value: keys.reduce((o, k) => o?.[k], document) }));
};

/** Every match of `pattern`'s first group, or one undefined value when there is none (a removed stamp is a finding). */
const matches = (field: string, pattern: RegExp): Reader => (text) => {
    const found = [...text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))].map((m) => ({ field, value: m[1] }));
    return found.length > 0 ? found : [{ field, value: undefined }];
};

/** The files that carry the version, by path from the repository root, and how to read them. */
export const VERSION_FILES: Record<string, Reader> = {
    "package.json": json(["version"]),
    "package-lock.json": json(["version"], ["packages", "", "version"]),
    "provider/plugin/schema.json": json(["version"]),
    "provider/plugin/package.json": json(["version"]),
    "sdk/nodejs/package.json": json(["version"], ["pulumi", "version"]),
    "sdk/python/pyproject.toml": matches("project.version", /^\s*version\s*=\s*"([^"]*)"/m),
    "sdk/python/pulumi_eks_pod_identity/pulumi-plugin.json": json(["version"]),
    "sdk/go/ekspodidentity/pulumi-plugin.json": json(["version"]),
    "sdk/go/ekspodidentity/internal/pulumiUtilities.go": matches("semver.MustParse", /semver\.MustParse\("([^"]*)"\)/),
    "sdk/dotnet/version.txt": (text) => [{ field: "(text)", value: text.trim() }],
    "sdk/dotnet/pulumi-plugin.json": json(["version"]),
    "sdk/dotnet/Pulumi.EksPodIdentity.csproj": matches("Version", /<Version>([^<]*)<\/Version>/),
    "sdk/java/build.gradle": matches("resolvedVersion default", /project\.version == "unspecified"\s*\?\s*"([^"]*)"/),
    "examples/java/pom.xml": matches("eks-pod-identity.version", /<eks-pod-identity\.version>([^<]*)<\/eks-pod-identity\.version>/),
    // keep-a-changelog: the first released section (after Unreleased) is the version being released.
    "CHANGELOG.md": matches("latest release", /^## \[(\d[^\]]*)\]/m),
};

/** The files that tell the CLI where to download the plugin, and how to read them. */
export const DOWNLOAD_URL_FILES: Record<string, Reader> = {
    "provider/plugin/schema.json": json(["pluginDownloadURL"]),
    "sdk/nodejs/package.json": json(["pulumi", "server"]),
    "sdk/python/pulumi_eks_pod_identity/pulumi-plugin.json": json(["server"]),
    "sdk/go/ekspodidentity/pulumi-plugin.json": json(["server"]),
    "sdk/dotnet/pulumi-plugin.json": json(["server"]),
    "sdk/java/build.gradle": matches("server", /^\s*server "([^"]*)"/m),
};

function read(root: string, files: Record<string, Reader>): Stamp[] {
    return Object.entries(files).flatMap(([file, reader]) => {
        const full = path.join(root, ...file.split("/"));
        if (!fs.existsSync(full)) {
            return [{ file, field: "(file)", value: undefined }];
        }
        return reader(fs.readFileSync(full, "utf8")).map((found) => ({ file, ...found }));
    });
}

/** Every version stamp under `root`, first package.json's. */
export function versionStamps(root: string): Stamp[] {
    return read(root, VERSION_FILES);
}

/** Every plugin download URL under `root`, first the schema's. */
export function downloadUrlStamps(root: string): Stamp[] {
    return read(root, DOWNLOAD_URL_FILES);
}

/** Stamps that differ from the first one (the source), each as a sentence naming the file; empty when all agree. */
export function disagreements(stamps: Stamp[]): string[] {
    const [source, ...rest] = stamps;
    return rest
        .filter((s) => s.value !== source.value)
        .map((s) => `${s.file} (${s.field}): ${s.value === undefined ? "missing" : JSON.stringify(s.value)}, ${source.file} has ${JSON.stringify(source.value)}`);
}

/** All version and download-URL disagreements under `root`. */
export function releaseStampProblems(root: string): string[] {
    return [...disagreements(versionStamps(root)), ...disagreements(downloadUrlStamps(root))];
}
