/**
 * The operator's permission settings (PortalPolicy: allowedEscalationActions, allowedTargetRoles, protectedBuckets),
 * from options or the environment, checked when the portal starts: a mistyped entry stops the start instead of
 * silently allowing less, or more, than meant.
 */
import type { PortalPolicy } from "./api";
import { checkEscalationOptIn, escalationOptInFromEnvironment } from "./permissionPolicy";
import { protectedBuckets } from "./protectedBuckets";
import { allowedTargetRolesFromEnvironment, checkTargetRolePatterns } from "./targetRoles";

export type PermissionSettings = Required<Pick<PortalPolicy, "allowedEscalationActions" | "allowedTargetRoles" | "protectedBuckets">>;

/** `PORTAL_ALLOWED_ESCALATION_ACTIONS` and `PORTAL_ALLOWED_TARGET_ROLES`, for main.ts; unset ones are left out. */
export function permissionSettingsFromEnvironment(env: Record<string, string | undefined>): Pick<PortalPolicy, "allowedEscalationActions" | "allowedTargetRoles"> {
    const escalation = escalationOptInFromEnvironment(env);
    const targets = allowedTargetRolesFromEnvironment(env);
    return { ...(escalation ? { allowedEscalationActions: escalation } : {}), ...(targets ? { allowedTargetRoles: targets } : {}) };
}

/** The settings the portal runs with: the given ones checked, plus the buckets `env` protects (the backend's first). */
export function permissionSettings(given: PortalPolicy, env: Record<string, string | undefined>): PermissionSettings {
    return {
        allowedEscalationActions: checkEscalationOptIn(given.allowedEscalationActions ?? []),
        allowedTargetRoles: checkTargetRolePatterns(given.allowedTargetRoles ?? []),
        protectedBuckets: [...new Set([...protectedBuckets(env), ...(given.protectedBuckets ?? [])])],
    };
}
