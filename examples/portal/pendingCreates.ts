/**
 * Pending creates an interrupted update left in a stack, and the cloud id each one has if its request reached the
 * cloud. A create the engine sent but never saw answered may have happened: dropping it from the stack
 * (`--clear-pending-creates`) orphans what the cloud made, and the retry then makes a second one. Where the id
 * follows from the inputs the engine recorded (the physical name chosen before the create was sent), the portal
 * adopts it with that id (what `pulumi refresh --import-pending-creates <urn> <id>` means to do; see
 * adoptPendingCreates); the refresh then reads it from the cloud, keeps it if it exists and drops it if the create
 * never arrived (a refresh removes from the stack what the provider's Read no longer finds).
 */

/** One pending operation as `pulumi stack export` writes it. */
export interface PendingOperation {
    type: string;
    resource: { urn: string; type: string; inputs?: Record<string, any> };
}

export interface PendingImport {
    urn: string;
    id: string;
}

/**
 * The cloud id of a pending create, when its inputs determine it; undefined otherwise (the create is then cleared).
 * - IAM roles: the role name (the provider's id; auto-names are chosen at check, before the create).
 * - IAM inline role policies: `<role>:<policy name>`, the provider's id for `aws:iam/rolePolicy:RolePolicy`.
 * - Kubernetes objects: `<namespace>/<name>`, or the name of a cluster-scoped one (the Kubernetes provider's ids).
 * Pod Identity associations get their id from EKS (`a-…`), and role policy attachments a generated one: not
 * derivable, so they are cleared (EKS refuses a second association of the service account, AWS attaches a policy
 * once, so neither can be duplicated by the retry).
 */
export function cloudIdOf(resource: PendingOperation["resource"]): string | undefined {
    const inputs = resource.inputs ?? {};
    const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
    if (resource.type === "aws:iam/role:Role") return text(inputs.name);
    if (resource.type === "aws:iam/rolePolicy:RolePolicy") {
        const role = text(inputs.role);
        const name = text(inputs.name);
        return role && name ? `${role}:${name}` : undefined;
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
    const ids = new Map(imports.map((i) => [i.urn, i.id]));
    const deployment = exported.deployment ?? {};
    const pending: PendingOperation[] = deployment.pending_operations ?? [];
    const adopted = pending.filter((p) => p.type === "creating" && ids.has(p.resource.urn));
    return {
        ...exported,
        deployment: {
            ...deployment,
            resources: [
                ...(deployment.resources ?? []),
                ...adopted.map((p) => ({ ...p.resource, id: ids.get(p.resource.urn), outputs: { ...(p.resource.inputs ?? {}), ...((p.resource as any).outputs ?? {}) } })),
            ],
            pending_operations: pending.filter((p) => !adopted.includes(p)),
        },
    };
}
