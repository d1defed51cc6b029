/**
 * Pending creates an interrupted update left in a stack, and the cloud id each one has if its request reached the
 * cloud. A create the engine sent but never saw answered may have happened: dropping it from the stack
 * (`--clear-pending-creates`) orphans what the cloud made, and the retry then makes a second one. Where the id
 * follows from the inputs the engine recorded (the physical name chosen before the create was sent), the portal
 * adopts it with that id (what `pulumi refresh --import-pending-creates <urn> <id>` means to do; see
 * adoptPendingCreates); the refresh then reads it from the cloud, keeps it if it exists and drops it if the create
 * never arrived (a refresh removes from the stack what the provider's Read no longer finds). A Pod Identity association
 * gets its id from EKS: recovery looks it up (associationLookups, then adoptedAssociation decides on what EKS
 * answered), and adopts it only if it is the one the interrupted create asked for.
 */
import type { PodIdentityAssociationDescription } from "./eks";

/** One pending operation as `pulumi stack export` writes it. */
export interface PendingOperation {
    type: string;
    resource: { urn: string; type: string; inputs?: Record<string, any> };
}

export interface PendingImport {
    urn: string;
    id: string;
    /** State the cloud assigned (read from it at recovery), recorded with the inputs. */
    outputs?: Record<string, unknown>;
}

export const ASSOCIATION_TYPE = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
export const ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * The cloud id of a pending create, when its inputs determine it; undefined otherwise (the create is then cleared).
 * - IAM roles: the role name (the provider's id; auto-names are chosen at check, before the create).
 * - IAM inline role policies: `<role>:<policy name>`, the provider's id for `aws:iam/rolePolicy:RolePolicy`.
 * - Kubernetes objects: `<namespace>/<name>`, or the name of a cluster-scoped one (the Kubernetes provider's ids).
 * - Role policy attachments: `<role>-<policy ARN>`, the id the provider's import gives one. Its create gives a random
 *   `<role>-…` id instead, but its Read finds the attachment by the `role` and `policyArn` recorded in the state, never
 *   by the id (terraform-provider-aws, resource aws_iam_role_policy_attachment), so a derived id reads the same.
 * Pod Identity associations get their id from EKS (`a-…`): see associationLookups.
 */
export function cloudIdOf(resource: PendingOperation["resource"]): string | undefined {
    const inputs = resource.inputs ?? {};
    if (resource.type === "aws:iam/role:Role") return text(inputs.name);
    if (resource.type === "aws:iam/rolePolicy:RolePolicy") {
        const role = text(inputs.role);
        const name = text(inputs.name);
        return role && name ? `${role}:${name}` : undefined;
    }
    if (resource.type === ATTACHMENT_TYPE) {
        const role = text(inputs.role);
        const policyArn = text(inputs.policyArn);
        return role && policyArn ? `${role}-${policyArn}` : undefined;
    }
    if (resource.type.startsWith("kubernetes:")) {
        const name = text(inputs.metadata?.name);
        if (!name) return undefined;
        const namespace = text(inputs.metadata?.namespace);
        return resource.type === "kubernetes:core/v1:Namespace" || !namespace ? name : `${namespace}/${name}`;
    }
    return undefined;
}

/** The pending creates whose cloud id is known, as `--import-pending-creates` pairs. */
export function pendingImports(pending: PendingOperation[]): PendingImport[] {
    return pending.filter((p) => p.type === "creating").flatMap((p) => {
        const id = cloudIdOf(p.resource);
        return id ? [{ urn: p.resource.urn, id }] : [];
    });
}

/**
 * The stack's deployment (as `pulumi stack export` writes it) with each of `imports` moved from its pending create into
 * the stack's resources, with the cloud id, as `pulumi refresh --import-pending-creates <urn> <id>` means to; the next
 * refresh reads it from the cloud. Done on the exported state rather than with that flag: with CLI 3.248 the flag
 * turns the operation into a pending `importing` one that the non-interactive refresh does not read (measured: the
 * role was never read, and the update created a second one). Appended last: what it depends on (its parent, its
 * provider) is already in the state, and nothing in the state depends on it (its dependents were never created).
 */
export function adoptPendingCreates<T extends { deployment?: any }>(exported: T, imports: PendingImport[]): T {
    const byUrn = new Map(imports.map((i) => [i.urn, i]));
    const deployment = exported.deployment ?? {};
    const pending: PendingOperation[] = deployment.pending_operations ?? [];
    const adopted = pending.filter((p) => p.type === "creating" && byUrn.has(p.resource.urn));
    return {
        ...exported,
        deployment: {
            ...deployment,
            resources: [
                ...(deployment.resources ?? []),
                ...adopted.map((p) => ({
                    ...p.resource,
                    id: byUrn.get(p.resource.urn)!.id,
                    outputs: { ...(p.resource.inputs ?? {}), ...((p.resource as any).outputs ?? {}), ...(byUrn.get(p.resource.urn)!.outputs ?? {}) },
                })),
            ],
            pending_operations: pending.filter((p) => !adopted.includes(p)),
        },
    };
}

/** A pending association create and the EKS lookup that finds what it may have made. */
export interface AssociationLookup {
    urn: string;
    clusterName: string;
    namespace: string;
    serviceAccount: string;
    /** The role the create asked for: only an association with this role (and target role) is adopted. */
    roleArn: string;
    targetRoleArn?: string;
}

/**
 * The pending association creates to look up in EKS (ListPodIdentityAssociations by namespace and service account:
 * EKS allows one association per service account per cluster, EKS User Guide, "Assign an IAM role to a Kubernetes
 * service account"). A create whose inputs lack any of these (never the case for one the engine sent) is cleared.
 */
export function associationLookups(pending: PendingOperation[]): AssociationLookup[] {
    return pending.filter((p) => p.type === "creating" && p.resource.type === ASSOCIATION_TYPE).flatMap((p) => {
        const inputs = p.resource.inputs ?? {};
        const [clusterName, namespace, serviceAccount, roleArn] = [inputs.clusterName, inputs.namespace, inputs.serviceAccount, inputs.roleArn].map(text);
        if (!clusterName || !namespace || !serviceAccount || !roleArn) return [];
        const targetRoleArn = text(inputs.targetRoleArn);
        return [{ urn: p.resource.urn, clusterName, namespace, serviceAccount, roleArn, ...(targetRoleArn ? { targetRoleArn } : {}) }];
    });
}

export type AssociationAdoption =
    | { adopt: PendingImport }
    /** Nothing to adopt: the create never reached EKS; the pending create is cleared and the update creates it. */
    | { absent: true }
    /** The service account has an association that is not the one asked for: it is left alone, and said why. */
    | { refused: string };

/**
 * What recovery does with what EKS answered for `lookup`. The provider id is `<clusterName>,<associationId>` (the
 * form `pulumi import` takes for aws:eks/podIdentityAssociation; its Read describes the association by the
 * `clusterName` and `associationId` recorded in the state), recorded with the state EKS describes.
 */
export function adoptedAssociation(lookup: AssociationLookup, found: PodIdentityAssociationDescription | undefined): AssociationAdoption {
    if (!found) return { absent: true };
    const where = `${lookup.namespace}/${lookup.serviceAccount} in cluster ${lookup.clusterName}`;
    if (found.clusterName !== lookup.clusterName || found.namespace !== lookup.namespace || found.serviceAccount !== lookup.serviceAccount) {
        return { refused: `EKS answered association ${found.associationId} of ${found.namespace}/${found.serviceAccount} in cluster ${found.clusterName} for ${where}: not adopted` };
    }
    if (found.roleArn !== lookup.roleArn || (found.targetRoleArn ?? undefined) !== lookup.targetRoleArn) {
        const theirs = found.targetRoleArn ? `${found.roleArn} (target ${found.targetRoleArn})` : found.roleArn;
        const ours = lookup.targetRoleArn ? `${lookup.roleArn} (target ${lookup.targetRoleArn})` : lookup.roleArn;
        return {
            refused:
                `the Pod Identity association ${found.associationId} of ${where} has role ${theirs}, not this workload's ${ours}: not adopted. ` +
                `EKS allows one association per service account, so the create fails until it is removed ` +
                `(aws eks delete-pod-identity-association --cluster-name ${lookup.clusterName} --association-id ${found.associationId}) if nothing else uses it`,
        };
    }
    const outputs: Record<string, unknown> = { associationId: found.associationId, associationArn: found.associationArn };
    if (found.externalId !== undefined) outputs.externalId = found.externalId;
    if (found.disableSessionTags !== undefined) outputs.disableSessionTags = found.disableSessionTags;
    return { adopt: { urn: lookup.urn, id: `${lookup.clusterName},${found.associationId}`, outputs } };
}
