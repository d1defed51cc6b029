import { Problems, checkStringMap, keyPath } from "./problems";

/**
 * AWS tag rules, for the tags this package puts on IAM roles and policies and on EKS associations and add-ons.
 *
 * IAM User Guide, "Tagging IAM resources" → "Rules for tagging": at most 50 tags per resource; keys 1–128 and values
 * 0–256 characters; letters, numbers and spaces representable in UTF-8 and `_ . : / = + - @`; the `aws:` prefix is
 * reserved; and keys of IAM roles (and users) are not case sensitive, so `Team` and `team` are one key that IAM refuses
 * to hold twice. EKS API reference, "TagResource"/`tags` of CreatePodIdentityAssociation and CreateAddon: the same
 * count, lengths, characters and reserved prefix, with case-sensitive keys.
 */

/** Which service holds the tags: IAM compares keys without case, EKS with it. */
export type TagTarget = "iam" | "eks";

export const TAG_LIMITS = { tagsPerResource: 50, keyLength: 128, valueLength: 256 } as const;

/** Letters, numbers and separators (Unicode spaces) of any script, and `_ . : / = + - @`. */
const tagCharacters = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ALLOWED = "letters, digits, spaces and _ . : / = + - @";

/** Length as AWS counts it: Unicode characters, not UTF-16 code units. */
function characters(value: string): number {
    return [...value].length;
}

/** One tag map as given: count, key and value rules. */
export function checkAwsTags(problems: Problems, path: string, tags: Record<string, unknown> | undefined, target: TagTarget = "iam"): void {
    if (tags === undefined) {
        return;
    }
    checkStringMap(problems, path, tags);
    if (typeof tags !== "object" || tags === null || Array.isArray(tags)) {
        return;
    }
    const keys = Object.keys(tags);
    if (keys.length > TAG_LIMITS.tagsPerResource) {
        problems.add(path, `${keys.length} tags given; AWS allows at most ${TAG_LIMITS.tagsPerResource} per resource`);
    }
    for (const key of keys) {
        const at = keyPath(path, key);
        if (characters(key) < 1 || characters(key) > TAG_LIMITS.keyLength) {
            problems.add(at, `tag keys must be 1 to ${TAG_LIMITS.keyLength} characters long`);
        } else if (!tagCharacters.test(key)) {
            problems.add(at, `the tag key "${key}" has characters AWS does not accept in tags: use ${ALLOWED}`);
        }
        if (key.toLowerCase().startsWith("aws:")) {
            problems.add(at, "the aws: prefix is reserved for AWS; choose another key");
        }
        const value = tags[key];
        if (typeof value !== "string") {
            continue;
        }
        if (characters(value) > TAG_LIMITS.valueLength) {
            problems.add(at, `tag values must be at most ${TAG_LIMITS.valueLength} characters long`);
        } else if (!tagCharacters.test(value)) {
            problems.add(at, `the value ${JSON.stringify(value)} has characters AWS does not accept in tags: use ${ALLOWED}`);
        }
    }
    if (target === "iam") {
        checkCaseClashes(problems, [{ path, tags }]);
    }
}

/**
 * Tag maps merged onto one resource (e.g. `tags` then `role.tags`): the merged map must fit the per-resource count,
 * and for IAM no two keys may differ only in case. Each map is assumed checked on its own already.
 */
export function checkMergedTags(problems: Problems, layers: { path: string; tags?: Record<string, unknown> }[], target: TagTarget): void {
    const given = layers.filter((layer): layer is { path: string; tags: Record<string, unknown> } => isMap(layer.tags));
    if (given.length < 2) {
        return;
    }
    const merged = new Set(given.flatMap((layer) => Object.keys(layer.tags)));
    if (merged.size > TAG_LIMITS.tagsPerResource) {
        const paths = given.map((layer) => layer.path).join(" and ");
        problems.add(given[given.length - 1].path, `${paths} together put ${merged.size} tags on one resource; AWS allows at most ${TAG_LIMITS.tagsPerResource}: drop some`);
    }
    if (target === "iam") {
        checkCaseClashesAcross(problems, given);
    }
}

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Within one map. */
function checkCaseClashes(problems: Problems, layers: { path: string; tags: Record<string, unknown> }[]): void {
    for (const layer of layers) {
        const seen = new Map<string, string>();
        for (const key of Object.keys(layer.tags)) {
            const earlier = seen.get(key.toLowerCase());
            if (earlier !== undefined) {
                problems.add(keyPath(layer.path, key), `IAM tag keys are not case sensitive: "${key}" and "${earlier}" are the same key; keep one`);
            }
            seen.set(key.toLowerCase(), key);
        }
    }
}

/**
 * Across maps: a later map may override an earlier one's key spelled the same (that is the documented merge), but a
 * key differing only in case would become a second tag IAM refuses.
 */
function checkCaseClashesAcross(problems: Problems, layers: { path: string; tags: Record<string, unknown> }[]): void {
    const owners = new Map<string, { path: string; key: string }>();
    for (const layer of layers) {
        for (const key of Object.keys(layer.tags)) {
            const earlier = owners.get(key.toLowerCase());
            if (earlier !== undefined && earlier.key !== key && earlier.path !== layer.path) {
                problems.add(keyPath(layer.path, key), `IAM tag keys are not case sensitive: "${key}" would land on the same resource as ${keyPath(earlier.path, earlier.key)}; spell the keys alike to override, or rename one`);
            }
            owners.set(key.toLowerCase(), { path: layer.path, key });
        }
    }
}
