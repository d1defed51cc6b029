import { Problems, describe } from "../validation/problems";

/*
 * AWS STS's rules for the AssumeRole parameters the package writes or passes on (AWS Security Token Service API
 * Reference, "AssumeRole": ExternalId, RoleSessionName, DurationSeconds; IAM User Guide, "Role chaining").
 */

/** ExternalId: 2 to 1224 characters of `[\w+=,.@:/-]`. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** RoleSessionName: 2 to 64 characters of `[\w+=,.@-]`. */
const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
/** A chained role session lasts at most one hour, whatever the role's maximum; 900 s is STS's minimum. */
export const CHAINED_SESSION_SECONDS = { min: 900, max: 3600 } as const;

/** A string as written (escaped, so a line break shows as `\n`), anything else by its kind. */
const shown = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : describe(value));

export function checkExternalId(problems: Problems, path: string, value: unknown): void {
    if (typeof value !== "string" || !EXTERNAL_ID.test(value)) {
        problems.add(path, `${shown(value)} is not an STS external id: use 2 to 1224 characters of letters, digits and _ + = , . @ : / -`);
    }
}

export function checkRoleSessionName(problems: Problems, path: string, value: unknown): void {
    if (typeof value !== "string" || !ROLE_SESSION_NAME.test(value)) {
        problems.add(path, `${shown(value)} is not a valid session name: use 2 to 64 letters, digits and + = , . @ _ -`);
    }
}
