/**
 * Who may put workloads where. Kubernetes namespaces are shared by every workload in them (and deleting one deletes
 * everything inside), so the portal gives each namespace an owner team and never lets another team in:
 *
 * - A namespace belongs to the team that first applied a workload in it (`appliedAt`), for as long as one of that
 *   team's applied workloads is there.
 * - A preview holds the namespace (and its service account) for `previewClaimTtlMs` only: a preview never applied
 *   no longer blocks anyone after that, and applying it later is checked again.
 * - A workload that created its namespace cannot be destroyed while other workloads are still in it (destroying it
 *   would delete the namespace under them): the DELETE is refused with 409 naming them.
 * - System namespaces are refused outright (see SYSTEM_NAMESPACES).
 */
import type { FieldProblem } from "./api";
import { Clock, systemClock } from "./clock";

/**
 * Namespaces Kubernetes itself uses; Kubernetes docs, "Namespaces": "Avoid creating namespaces with the prefix `kube-`,
 * since it is reserved for Kubernetes system namespaces", and `default` holds whatever names no namespace.
 */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];

/** Whether a workload may not be put in `namespace` at all. */
export const isSystemNamespace = (namespace: string): boolean => SYSTEM_NAMESPACES.includes(namespace) || namespace.startsWith("kube-");

/** What ownership needs of a workload record. */
export interface Claim {
    id: string;
    team: string;
    cluster: string;
    namespace: string;
    serviceAccount: string;
    status: string;
    createdAt: string;
    /** When its first apply started: from then on the workload holds its namespace for its team. */
    appliedAt?: string;
    request: { createNamespace?: boolean };
}

/** A refusal: the HTTP status, and the problem naming the field and the other team or workloads. */
export interface OwnershipConflict {
    status: 409;
    /** The other workload, when one is the cause. */
    id?: string;
    problem: FieldProblem;
}

/** Whether the workload has been applied (records from before `appliedAt` existed: any status past previewing). */
export const wasApplied = (claim: Claim): boolean => claim.appliedAt !== undefined || !["previewing", "previewed"].includes(claim.status);

/** Namespace ownership rules over the portal's records. */
export class Ownership {
    /**
     * `previewClaimTtlMs`: how long a preview that is not applied holds its namespace and service account. `clock`:
     * the wall clock a preview's age is read on, the one its `createdAt` was written with.
     */
    constructor(
        readonly previewClaimTtlMs: number,
        private readonly clock: Clock = systemClock,
    ) {}

    /** Whether `claim` holds its namespace and service account now: applied, or a preview younger than the TTL. */
    holds(claim: Claim, now = this.clock.now()): boolean {
        return wasApplied(claim) || claim.status === "previewing" || Date.parse(claim.createdAt) + this.previewClaimTtlMs > now;
    }

    /**
     * Why `wanted` (a new workload, or one about to be applied) may not go where it asks, given the other records;
     * undefined when it may. `applying`: the check before an apply, where previews of others no longer count (the
     * first apply takes the namespace).
     */
    conflict(wanted: Claim, others: Iterable<Claim>, applying = false, now = this.clock.now()): OwnershipConflict | undefined {
        const inNamespace = [...others].filter((o) => o.id !== wanted.id && o.cluster === wanted.cluster && o.namespace === wanted.namespace);
        const counted = inNamespace.filter((o) => (applying ? wasApplied(o) : this.holds(o, now)));
        const where = `namespace ${wanted.namespace} of cluster ${wanted.cluster}`;
        const sameAccount = counted.find((o) => o.serviceAccount === wanted.serviceAccount);
        if (sameAccount) {
            const message = `service account ${wanted.namespace}/${wanted.serviceAccount} of cluster ${wanted.cluster} already has a workload (${sameAccount.id}, team ${sameAccount.team}); EKS allows one association per service account`;
            return { status: 409, id: sameAccount.id, problem: { field: "serviceAccount", message } };
        }
        const owner = counted.find((o) => o.team !== wanted.team && wasApplied(o));
        if (owner) {
            return { status: 409, id: owner.id, problem: { field: "namespace", message: `${where} belongs to team ${owner.team} (it applied the first workload there): choose another namespace` } };
        }
        const previewer = counted.find((o) => o.team !== wanted.team);
        if (previewer) {
            const until = new Date(Date.parse(previewer.createdAt) + this.previewClaimTtlMs).toISOString();
            return { status: 409, id: previewer.id, problem: { field: "namespace", message: `${where} is held by a preview of team ${previewer.team} until it is applied or ${until}: choose another namespace` } };
        }
        const creator = wanted.request.createNamespace !== false && counted.find((o) => o.request.createNamespace !== false);
        if (creator) {
            const message = `${where} is created by workload ${creator.id} (team ${creator.team}): set createNamespace to false to add a workload to it`;
            return { status: 409, id: creator.id, problem: { field: "createNamespace", message } };
        }
        return undefined;
    }

    /**
     * Workloads that keep `leaving` from being destroyed: when it created its namespace (and was applied), every
     * other workload in that namespace, applied or held by a preview. Destroying it would delete their namespace.
     */
    blockersOfDestroy(leaving: Claim, others: Iterable<Claim>, now = this.clock.now()): Claim[] {
        if (leaving.request.createNamespace === false || !wasApplied(leaving)) return [];
        return [...others].filter((o) => o.id !== leaving.id && o.cluster === leaving.cluster && o.namespace === leaving.namespace && this.holds(o, now));
    }
}
