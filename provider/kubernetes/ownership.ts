/**
 * Which Kubernetes objects a component may create, manage and later delete: only those it created itself, or those it
 * was told to adopt. Pure: the live objects are read elsewhere (liveObjects.ts); this decides from their metadata.
 *
 * Why the component decides this itself: with server-side apply (the Kubernetes provider's default since 4.0), a
 * "create" of an object that already exists updates it instead of failing ("Managing Resources with Server-Side
 * Apply", Pulumi Kubernetes provider guide), and `pulumi destroy` then deletes it: a namespace somebody else made,
 * with everything in it. Newer provider releases create client-side unless `upsertExistingObjects` is set, but a
 * program cannot tell which provider it is given, so the component reads the cluster before anything registers.
 */

/** Names the component (organization, project, stack and component name) that created an object. */
export const OWNER_ANNOTATION = "eks-pod-identity.pulumi.com/owner";
/** Set on objects taken over on purpose (`adopt`): the component manages them and never deletes them. */
export const ADOPTED_ANNOTATION = "eks-pod-identity.pulumi.com/adopted";

/** One object the component is about to create, with the input a user changes to resolve a conflict. */
export interface PlannedObject {
    kind: "Namespace" | "ServiceAccount" | "ConfigMap" | "Deployment";
    apiVersion: string;
    name: string;
    /** Unset for cluster-scoped objects. */
    namespace?: string;
    /** The input that names the object, as the user wrote it (`namespace`, `serviceAccountName`, `workload.name`). */
    path: string;
    /** How to give the object another name, when not by changing `path` (a name derived from the component's). */
    rename?: string;
    /** The `adopt` setting that allows taking it over (namespace and service account only); none for the others. */
    adoptSetting?: "adopt.namespace" | "adopt.serviceAccount";
    /** Whether that setting is on. */
    adopt: boolean;
}

/** What the cluster holds under that name: nothing, or the object's annotations. */
export type LiveObject = { annotations: Record<string, string> } | undefined;

/** The component's identity in the owner annotation. */
export function ownerName(parts: { organization: string; project: string; stack: string; component: string }): string {
    return `${parts.organization}/${parts.project}/${parts.stack}/${parts.component}`;
}

/** The annotations every object the component creates carries. */
export function ownershipAnnotations(owner: string, adopt: boolean): Record<string, string> {
    return adopt ? { [OWNER_ANNOTATION]: owner, [ADOPTED_ANNOTATION]: "true" } : { [OWNER_ANNOTATION]: owner };
}

/**
 * Why `planned` must not be created, or undefined when it may: absent, created by this component, or adopted on
 * purpose. The reason names what holds the object and the ways out.
 */
export function ownershipConflict(planned: PlannedObject, live: LiveObject, owner: string, cluster: string): string | undefined {
    if (live === undefined || planned.adopt) {
        return undefined;
    }
    const what = `${planned.kind} "${planned.namespace ? `${planned.namespace}/` : ""}${planned.name}" in cluster "${cluster}"`;
    const holder = live.annotations[OWNER_ANNOTATION];
    if (holder === owner) {
        if (live.annotations[ADOPTED_ANNOTATION] === "true") {
            // It was taken over on purpose: dropping `adopt` would let `pulumi destroy` delete what others created.
            return `${what} was adopted by this component (it existed before): keep ${planned.adoptSetting ?? "adopt"} set to true, so that it is never deleted here`;
        }
        return undefined;
    }
    const ways = [
        planned.adoptSetting === "adopt.namespace" ? "set createNamespace to false to use it as it is" : undefined,
        planned.adoptSetting === "adopt.serviceAccount" ? "set createServiceAccount to false to use it as it is" : undefined,
        planned.adoptSetting ? `set ${planned.adoptSetting} to true to manage it here while never deleting it` : undefined,
        planned.rename ?? `choose another ${planned.path}`,
    ].filter((way): way is string => way !== undefined);
    const createdBy = holder
        ? `was created by another component (${holder})`
        : `exists and was not created by this component (created outside Pulumi, or by a release of this package before owner annotations; if it is this component's, mark it: kubectl annotate ${planned.kind.toLowerCase()} ${planned.name}${planned.namespace ? ` -n ${planned.namespace}` : ""} ${OWNER_ANNOTATION}=${owner})`;
    return `${what} ${createdBy}. The component never takes over or deletes an object it did not create: ${ways.join(", or ")}`;
}
