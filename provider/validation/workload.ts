import { checkAgentSettings } from "../agent/configuration";
import { checkCrossAccountSettings } from "../crossAccount/profiles";
import { checkWaitForCredentials } from "../agent/waitForCredentials";
import { isAccountId } from "../iam/arn";
export { checkClusterArn, checkOidcProviderArn, checkPolicyArn } from "../iam/arn";
import { IAM_LIMITS, checkIamPath, checkRoleDescription, checkRoleName } from "../iam/validation";
import { CREDENTIALS_REVISION_ANNOTATION, selectorLabels } from "../kubernetes/workload";
import {
    IMAGE_REQUIRED,
    RESERVED_NAMESPACES,
    checkAnnotations,
    checkContainerPorts,
    checkDeploymentName,
    checkDnsLabel,
    checkDnsSubdomain,
    checkEnvVarName,
    checkLabelValue,
    checkLabels,
    checkPodSecurityLabels,
    checkProbe,
    checkResourceRequirements,
    checkToleration,
    isDnsSubdomain,
    isReservedNamespace,
} from "../kubernetes/rules";
import { PodIdentityWorkloadArgs, RoleSettings, TrustSettings, WorkloadSettings } from "../components/podIdentityWorkloadArgs";
import { checkWellKnownPolicies, wellKnownPolicyNames } from "../wellKnownPolicies";
import { checkAwsTags, checkMergedTags } from "./awsTags";
import { checkClusterName as checkEksClusterName } from "./eksNames";
import { Problems, checkBoolean, checkIntegerRange, checkStringMap, describe, keyPath } from "./problems";

/**
 * Checks of a PodIdentityWorkload's inputs that need no resolved resource outputs. Checks of values that may come
 * from other resources (names, ARNs) are functions of the value, run now for plain values and later otherwise.
 */

/** Room Pulumi's auto-naming needs after `<component>-role` (a dash and seven random characters). */
const AUTONAME_SUFFIX = 8;

/** Variables the Pod Identity webhook injects, or that outrank it in the SDKs' credential chain. */
const RESERVED_ENV = [
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
];

const CLUSTER_NAME_REQUIRED = "required: give the EKS cluster's name (an eks.Cluster's eksCluster.name works)";
const NAMESPACE_REQUIRED = "required: give the Kubernetes namespace of the workload";

/** The workload's namespace: given (not empty), and a DNS-1123 label. */
export function checkNamespace(problems: Problems, value: string): void {
    if (value === "") {
        problems.add("namespace", NAMESPACE_REQUIRED);
    } else {
        checkDnsLabel(problems, "namespace", value);
    }
}

export const checkServiceAccountName = (problems: Problems, value: string) => checkDnsSubdomain(problems, "serviceAccountName", value);

/** The cluster's name: given (not empty), and a name EKS accepts. */
export function checkClusterName(problems: Problems, value: string): void {
    if (value === "") {
        problems.add("clusterName", CLUSTER_NAME_REQUIRED);
    } else {
        checkEksClusterName(problems, value);
    }
}

export function checkAccountId(problems: Problems, path: string, value: string): void {
    if (!isAccountId(value)) {
        problems.add(path, `"${value}" is not an AWS account id: use 12 digits`);
    }
}

/**
 * The workload's own namespace must be among `trust.namespaces`, when given, or its own pods could not assume the
 * role. A rule of the namespace input (which may be known only later), so the component runs it with the namespace.
 */
export function checkOwnNamespaceTrusted(problems: Problems, trust: TrustSettings | undefined, namespace: string): void {
    if (Array.isArray(trust?.namespaces) && !trust.namespaces.includes(namespace)) {
        problems.add("trust.namespaces", `does not include this workload's namespace "${namespace}", so its own pods could not assume the role: add it`);
    }
}

/** Likewise its service account (given, or the component's name) among `trust.serviceAccounts`. */
export function checkOwnServiceAccountTrusted(problems: Problems, trust: TrustSettings | undefined, serviceAccount: string): void {
    if (Array.isArray(trust?.serviceAccounts) && !trust.serviceAccounts.includes(serviceAccount)) {
        problems.add("trust.serviceAccounts", `does not include this workload's service account "${serviceAccount}", so its own pods could not assume the role: add it`);
    }
}

/**
 * Checks the inputs that are always plain values. Inputs that may come from other resources (names, ARNs, the image)
 * are checked by the component with the functions above, through its InputRules (`inputRules.ts`): at once when
 * plain and as they resolve otherwise, by the same function.
 */
export function checkWorkloadArgs(name: string, args: PodIdentityWorkloadArgs, problems: Problems): void {
    if (args === undefined || args === null || typeof args !== "object") {
        problems.add("args", "required: give at least clusterName and namespace");
        return;
    }
    // Left out; an empty name is refused by the names' own rules (checkClusterName, checkNamespace), which may run later.
    if (args.clusterName === undefined) {
        problems.add("clusterName", CLUSTER_NAME_REQUIRED);
    }
    if (args.namespace === undefined) {
        problems.add("namespace", NAMESPACE_REQUIRED);
    }
    checkBoolean(problems, "createNamespace", args.createNamespace);
    checkBoolean(problems, "createServiceAccount", args.createServiceAccount);
    checkBoolean(problems, "allowFullAccess", args.allowFullAccess);
    checkNamespaceCreation(args, problems);
    checkAdoption(args, problems);
    checkTagInputs(args, problems);

    const usesExistingRole = args.roleArn !== undefined;
    if (usesExistingRole) {
        for (const key of ["role", "trust", "managedPolicyArns", "policyStatements", "inlinePolicies", "wellKnownPolicies", "allowFullAccess"] as const) {
            if (args[key] !== undefined) {
                problems.add(key, "cannot be combined with roleArn: an existing role is managed where it is defined; drop roleArn to let this component create the role");
            }
        }
    }
    checkRoleSettings(problems, name, args.role ?? {}, args.roleArn === undefined);
    checkTrustSettings(args, problems);
    checkPermissionInputs(args, problems, args.crossAccount !== undefined ? ["cross-account"] : []);
    checkAssociationSettings(args, problems);
    if (args.agent !== undefined) {
        checkBoolean(problems, "agent.install", args.agent.install);
        checkAgentSettings(problems, "agent", args.agent);
        const settingsGiven = Object.keys(args.agent).some((k) => k !== "install" && k !== "waitFor");
        if (!args.agent.install && settingsGiven) {
            problems.add("agent", "agent settings apply only when agent.install is true: set install true or drop the settings");
        }
        if (args.agent.install && args.agent.waitFor) {
            problems.add("agent.waitFor", "cannot be combined with agent.install: either install the agent here or wait for one installed elsewhere");
        }
    }
    if (args.workload !== undefined) {
        checkWorkloadSettings(name, args.workload, problems);
    }
    if (args.crossAccount !== undefined) {
        checkCrossAccountSettings(problems, args.crossAccount, { hasWorkloadEnv: Object.keys(args.workload?.env ?? {}) });
        if (args.crossAccount.mode !== "native") {
            // configFile mode keeps the config file in the ConfigMap `<component>-aws-config`.
            const configMapName = `${name}-aws-config`;
            if (!isDnsSubdomain(configMapName)) {
                problems.add("name", `the ConfigMap holding the AWS config file would be named "${configMapName}", which is not a valid DNS-1123 subdomain: rename the component (lower-case letters, digits, '-' and '.')`);
            }
        }
    }
}

/**
 * Whether the namespace is created and labelled here. Kubernetes' own namespaces never are by default (see
 * RESERVED_NAMESPACES): a plain reserved name turns the default to false, an explicit `true` is refused, and a name
 * known only later is refused once known unless `createNamespace` is false (see checkNamespaceOnceKnown).
 */
export function createsNamespace(args: Pick<PodIdentityWorkloadArgs, "namespace" | "createNamespace">): boolean {
    return args.createNamespace ?? !(typeof args.namespace === "string" && isReservedNamespace(args.namespace));
}

/** The namespace check for a name known only after preview: a reserved one needs `createNamespace: false`. */
export function checkNamespaceOnceKnown(problems: Problems, value: string, createNamespace: boolean): void {
    checkNamespace(problems, value);
    if (createNamespace && isReservedNamespace(value)) {
        problems.add("createNamespace", `namespace "${value}" is created by Kubernetes, and this component would create it and label it to enforce the "restricted" Pod Security Standard: set createNamespace to false to deploy into it`);
    }
}

function checkNamespaceCreation(args: PodIdentityWorkloadArgs, problems: Problems): void {
    const reserved = typeof args.namespace === "string" && isReservedNamespace(args.namespace);
    if (reserved && args.createNamespace === true) {
        problems.add("createNamespace", `cannot be true for "${args.namespace}": Kubernetes owns the namespaces ${RESERVED_NAMESPACES.join(", ")}; this component would label it to enforce the "restricted" Pod Security Standard and delete it with the stack. Drop createNamespace (it defaults to false there) or set it to false`);
    }
    checkStringMap(problems, "namespaceLabels", args.namespaceLabels);
    if (args.namespaceLabels !== undefined && !createsNamespace(args)) {
        const why = reserved && args.createNamespace === undefined ? ` ("${args.namespace}" belongs to Kubernetes and is never created here)` : "";
        problems.add("namespaceLabels", `only apply to a namespace this component creates${why}: drop them${why ? "" : " or set createNamespace true"}`);
    }
    checkLabels(problems, "namespaceLabels", args.namespaceLabels);
    checkPodSecurityLabels(problems, "namespaceLabels", args.namespaceLabels);
}

/** `adopt`: each setting only where the component creates that object. */
function checkAdoption(args: PodIdentityWorkloadArgs, problems: Problems): void {
    const adopt = args.adopt ?? {};
    checkBoolean(problems, "adopt.namespace", adopt.namespace);
    checkBoolean(problems, "adopt.serviceAccount", adopt.serviceAccount);
    if (adopt.namespace === true && !createsNamespace(args)) {
        const reserved = typeof args.namespace === "string" && isReservedNamespace(args.namespace);
        problems.add("adopt.namespace", reserved ? `cannot be true for "${args.namespace}": Kubernetes owns it and this component never manages it; drop adopt.namespace` : "only applies to a namespace this component creates: drop it, or drop createNamespace: false");
    }
    if (adopt.serviceAccount === true && args.createServiceAccount === false) {
        problems.add("adopt.serviceAccount", "only applies to a service account this component creates: drop it, or drop createServiceAccount: false");
    }
}

/** Checks a created role's settings; `generatedName` says whether Pulumi names it from `<name>-role`. */
export function checkRoleSettings(problems: Problems, name: string, role: RoleSettings, generatedName: boolean): void {
    if (role.name !== undefined && role.namePrefix !== undefined) {
        problems.add("role.namePrefix", "conflicts with role.name: give one of them");
    }
    if (role.name !== undefined) {
        checkRoleName(problems, "role.name", role.name);
    } else if (role.namePrefix !== undefined) {
        checkRoleName(problems, "role.namePrefix", role.namePrefix, IAM_LIMITS.roleNamePrefix);
    } else if (generatedName && `${name}-role`.length + AUTONAME_SUFFIX > IAM_LIMITS.roleName) {
        problems.add("role.name", `the generated role name "${name}-role-xxxxxxx" would exceed IAM's ${IAM_LIMITS.roleName} characters: give role.name or role.namePrefix, or a shorter component name`);
    }
    if (role.path !== undefined) {
        checkIamPath(problems, "role.path", role.path);
    }
    if (role.description !== undefined) {
        checkRoleDescription(problems, "role.description", role.description);
    }
    checkIntegerRange(problems, "role.maxSessionDuration", role.maxSessionDuration, 3600, 43200, "seconds (1 to 12 hours)");
    checkAwsTags(problems, "role.tags", role.tags);
}

function checkTrustSettings(args: PodIdentityWorkloadArgs, problems: Problems): void {
    const trust = args.trust ?? {};
    const sessionTagsDisabled = args.association?.disableSessionTags === true;
    const pairs = [
        ["clusterArns", "anyCluster"],
        ["sourceAccounts", "anySourceAccount"],
        ["namespaces", "anyNamespace"],
        ["serviceAccounts", "anyServiceAccount"],
    ] as const;
    for (const [list, any] of pairs) {
        checkBoolean(problems, `trust.${any}`, trust[any]);
        if (trust[list] !== undefined && trust[any]) {
            problems.add(`trust.${any}`, `contradicts trust.${list}: give the list to widen the condition, or ${any}: true to drop it`);
        }
        if (trust[list] !== undefined && (!Array.isArray(trust[list]) || trust[list]!.length === 0)) {
            problems.add(`trust.${list}`, `must be a non-empty list: to drop the condition set trust.${any} to true`);
        }
    }
    for (const list of ["namespaces", "serviceAccounts"] as const) {
        if (sessionTagsDisabled && trust[list] !== undefined) {
            problems.add(`trust.${list}`, "needs session tags, but association.disableSessionTags is true: EKS would send no kubernetes-* tags and every assume would be denied; enable session tags or drop the list");
        }
    }
    (trust.namespaces ?? []).forEach((ns, i) => checkDnsLabel(problems, `trust.namespaces[${i}]`, ns));
    (trust.serviceAccounts ?? []).forEach((sa, i) => checkDnsSubdomain(problems, `trust.serviceAccounts[${i}]`, sa));
    // That the lists include the workload's own namespace and service account is a rule of those inputs (see
    // checkOwnNamespaceTrusted); trust.additionalStatements are checked where they are rendered (the component's
    // validate step).
}

/**
 * No value twice in a list (`path[i]` names the second): IAM attaches a managed policy to a role once, and a second
 * attachment of it would be detached with the first. Values not known yet are left out; the component runs this again
 * once they are (components/role.ts, checkedManagedPolicyArns).
 */
export function checkListedOnce(problems: Problems, path: string, values: unknown[]): void {
    const seen = new Set<string>();
    values.forEach((value, i) => {
        if (typeof value === "string") {
            if (seen.has(value)) {
                problems.add(`${path}[${i}]`, `"${value}" is listed twice: remove the duplicate`);
            }
            seen.add(value);
        }
    });
}

/** Checks the permission inputs shared by every component that creates a role. */
export function checkPermissionInputs(
    args: Pick<PodIdentityWorkloadArgs, "managedPolicyArns" | "inlinePolicies" | "policyStatements" | "wellKnownPolicies">,
    problems: Problems,
    derivedPolicyNames: string[] = [],
): void {
    checkWellKnownPolicies(problems, "wellKnownPolicies", args.wellKnownPolicies);
    const managed = args.managedPolicyArns ?? [];
    if (!Array.isArray(managed)) {
        problems.add("managedPolicyArns", `expected a list of policy ARNs, got ${describe(managed)}`);
        return;
    }
    const wellKnown = wellKnownPolicyNames(args.wellKnownPolicies).length;
    if (managed.length > IAM_LIMITS.managedPoliciesPerRole) {
        problems.add("managedPolicyArns", `${managed.length} policies given; IAM attaches at most ${IAM_LIMITS.managedPoliciesPerRole} to a role: merge some into policyStatements`);
    } else if (managed.length + wellKnown > IAM_LIMITS.managedPoliciesPerRole) {
        problems.add("wellKnownPolicies", `become ${wellKnown} managed policies, which with the ${managed.length} of managedPolicyArns exceed the ${IAM_LIMITS.managedPoliciesPerRole} IAM attaches to a role: split the add-ons across workloads or drop some managedPolicyArns`);
    }
    checkListedOnce(problems, "managedPolicyArns", managed);
    const names = new Set<string>();
    (Array.isArray(args.inlinePolicies) ? args.inlinePolicies : []).forEach((policy, i) => {
        if (typeof policy !== "object" || policy === null) {
            problems.add(`inlinePolicies[${i}]`, `expected { name, policy }, got ${describe(policy)}`);
            return;
        }
        if (policy.name === undefined) {
            problems.add(`inlinePolicies[${i}].name`, "required: give the policy a name of 1 to 128 letters, digits and + = , . @ _ -");
        } else if (typeof policy.name !== "string" || !/^[\w+=,.@-]{1,128}$/.test(policy.name)) {
            problems.add(`inlinePolicies[${i}].name`, `${describe(policy.name)} is not a valid policy name: use 1 to 128 letters, digits and + = , . @ _ -`);
        } else if (names.has(policy.name)) {
            problems.add(`inlinePolicies[${i}].name`, `"${policy.name}" is already used: choose a unique name`);
        } else if (policy.name === "permissions") {
            problems.add(`inlinePolicies[${i}].name`, `"permissions" is reserved for the policy rendered from policyStatements: choose another name`);
        } else if (derivedPolicyNames.includes(policy.name)) {
            // Same name, same type, same parent: one URN for two children, and one IAM inline policy name twice.
            problems.add(`inlinePolicies[${i}].name`, `"${policy.name}" is the name of the inline policy this component derives from crossAccount: choose another name`);
        }
        names.add(policy.name);
        if (policy.policy === undefined) {
            problems.add(`inlinePolicies[${i}].policy`, "required: give the policy document");
        }
    });
    if (args.policyStatements !== undefined && (!Array.isArray(args.policyStatements) || args.policyStatements.length === 0)) {
        problems.add("policyStatements", "must be a non-empty list of statements, or omitted");
    }
}

function checkAssociationSettings(args: PodIdentityWorkloadArgs, problems: Problems): void {
    const association = args.association ?? {};
    checkBoolean(problems, "association.disableSessionTags", association.disableSessionTags);
    if (association.sessionPolicy !== undefined && association.disableSessionTags !== true) {
        problems.add("association.sessionPolicy", "EKS accepts a session policy only with session tags disabled (both share STS's packed-size budget): set association.disableSessionTags to true, or drop the session policy");
    }
}

/**
 * Every tag map and where it lands: `tags` goes on the role, its policies (IAM) and on the association and add-on
 * (EKS), each merged under the resource's own map.
 */
function checkTagInputs(args: PodIdentityWorkloadArgs, problems: Problems): void {
    checkAwsTags(problems, "tags", args.tags, "iam");
    checkAwsTags(problems, "association.tags", args.association?.tags, "eks");
    checkAwsTags(problems, "agent.tags", args.agent?.tags, "eks");
    checkMergedTags(problems, [{ path: "tags", tags: args.tags }, { path: "role.tags", tags: args.role?.tags }], "iam");
    checkMergedTags(problems, [{ path: "tags", tags: args.tags }, { path: "association.tags", tags: args.association?.tags }], "eks");
    checkMergedTags(problems, [{ path: "tags", tags: args.tags }, { path: "agent.tags", tags: args.agent?.tags }], "eks");
}

/** Checks the Deployment's settings, including the names and labels derived from the component name. */
export function checkWorkloadSettings(name: string, workload: WorkloadSettings, problems: Problems): void {
    if (workload.image === undefined) {
        problems.add("workload.image", IMAGE_REQUIRED);
    }
    // The image's own rule (checkContainerImage) runs through the component's InputRules: the image may be an Output.
    checkDerivedNames(name, workload, problems);
    if (workload.containerName !== undefined) {
        checkDnsLabel(problems, "workload.containerName", workload.containerName);
    }
    checkIntegerRange(problems, "workload.replicas", workload.replicas, 0, 1000);
    checkStringMap(problems, "workload.env", workload.env);
    for (const key of Object.keys(workload.env ?? {})) {
        checkEnvVarName(problems, `workload.env.${key}`, key);
        if (RESERVED_ENV.includes(key)) {
            problems.add(`workload.env.${key}`, "would override or outrank the credentials EKS Pod Identity injects: remove it and let the association provide credentials");
        }
    }
    checkContainerPorts(problems, "workload.ports", workload.ports);
    const portNames = new Set((Array.isArray(workload.ports) ? workload.ports : []).map((p) => p?.name).filter((n): n is string => typeof n === "string"));
    for (const [probeName, kind] of [["livenessProbe", "liveness"], ["readinessProbe", "readiness"], ["startupProbe", "startup"]] as const) {
        if (workload[probeName] !== undefined) {
            checkProbe(problems, `workload.${probeName}`, workload[probeName], kind, portNames);
        }
    }
    checkResourceRequirements(problems, "workload.resources", workload.resources);
    checkStringMap(problems, "workload.nodeSelector", workload.nodeSelector);
    checkLabels(problems, "workload.nodeSelector", workload.nodeSelector, "node label key");
    if (workload.nodeSelector?.["kubernetes.io/os"] !== undefined && workload.nodeSelector["kubernetes.io/os"] !== "linux") {
        problems.add("workload.nodeSelector.kubernetes.io/os", "the Pod Identity agent runs on Linux nodes only: pods elsewhere get no credentials");
    }
    if (workload.tolerations !== undefined && !Array.isArray(workload.tolerations)) {
        problems.add("workload.tolerations", `expected a list of tolerations, got ${describe(workload.tolerations)}`);
    }
    (Array.isArray(workload.tolerations) ? workload.tolerations : []).forEach((t, i) => checkToleration(problems, `workload.tolerations[${i}]`, t));
    checkStringMap(problems, "workload.labels", workload.labels);
    checkLabels(problems, "workload.labels", workload.labels);
    for (const key of Object.keys(selectorLabels("", ""))) {
        if (workload.labels?.[key] !== undefined) {
            problems.add(keyPath("workload.labels", key), "is set by this component (the Deployment's selector uses it): remove it; it is derived from workload.name and the component name");
        }
    }
    checkStringMap(problems, "workload.podAnnotations", workload.podAnnotations);
    checkAnnotations(problems, "workload.podAnnotations", workload.podAnnotations, { [CREDENTIALS_REVISION_ANNOTATION]: "0123456789abcdef" });
    if (workload.podAnnotations?.[CREDENTIALS_REVISION_ANNOTATION] !== undefined) {
        problems.add(keyPath("workload.podAnnotations", CREDENTIALS_REVISION_ANNOTATION), "is set by this component to restart pods when their credentials change: remove it");
    }
    if (workload.runAsUser === 0) {
        problems.add("workload.runAsUser", "0 (root) breaks the restricted Pod Security Standard: use a non-zero UID");
    } else {
        checkIntegerRange(problems, "workload.runAsUser", workload.runAsUser, 1, 2147483647);
    }
    checkIntegerRange(problems, "workload.runAsGroup", workload.runAsGroup, 0, 2147483647);
    checkBoolean(problems, "workload.readOnlyRootFilesystem", workload.readOnlyRootFilesystem);
    if (workload.waitForCredentials !== undefined) {
        checkWaitForCredentials(problems, "workload.waitForCredentials", workload.waitForCredentials);
    }
}

/**
 * The Deployment is named `workload.name` (default: the component name), which is also its pods'
 * `app.kubernetes.io/name` label; the component name is their `app.kubernetes.io/instance` label. Both labels are
 * label values (at most 63 characters), a tighter limit than the Deployment name's.
 */
function checkDerivedNames(name: string, workload: WorkloadSettings, problems: Problems): void {
    const deploymentName = workload.name ?? name;
    const defaulted = workload.name === undefined ? " (it defaults to the component name: give workload.name or rename the component)" : "";
    const before = problems.list.length;
    checkDeploymentName(problems, "workload.name", deploymentName, defaulted);
    if (problems.list.length === before) {
        checkLabelValue(problems, "workload.name", deploymentName, `, and the Deployment name is also its pods' app.kubernetes.io/name label: use at most 63 characters${defaulted}`);
    }
    checkLabelValue(problems, "name", name, `, and the component name is the Deployment's and its pods' app.kubernetes.io/instance label: rename the component (at most 63 letters, digits, '-', '_' and '.')`);
}
