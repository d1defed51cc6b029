/**
 * What the server and its operation workers exchange over IPC, and the event format clients receive.
 * Each Pulumi operation runs in a worker process of its own: the SDK's runtime state is per process, so two inline
 * programs must never share one.
 */
import type { FieldProblem, ResolvedCluster, WorkloadRequest } from "./api";
import type { RenderedPolicies } from "./program";

export type Operation = "preview" | "apply" | "destroy";

export type WorkloadStatus = "previewing" | "previewed" | "applying" | "applied" | "destroying" | "failed";

/** One server-sent event: `event: <event>` and `data: <JSON of data>`. */
export interface PortalEvent {
    event: "status" | "output" | "resource" | "diagnostic" | "summary" | "done";
    data: Record<string, unknown>;
}

/** One resource the preview plans to touch. */
export interface PlannedResource {
    op: string;
    type: string;
    name: string;
    urn: string;
}

export interface PreviewResult {
    /** Counts by operation, as the engine reports them (`create`, `same`, `update`, …). */
    changes: Record<string, number>;
    /** Resources of the workload (the stack and default providers left out), in the engine's order. */
    resources: PlannedResource[];
    /** The documents the role gets; values AWS assigns appear as the engine's "known after apply". */
    policies: RenderedPolicies;
}

/** What the stack holds after a failed operation: enough to say whether and how it can be recovered. */
export interface StackState {
    /** Resources recorded in the stack (components and providers left out). */
    resources: number;
    /** Operations the engine started but never saw finish (URN and kind); cleared by the next apply or destroy. */
    pendingOperations: string[];
}

export interface JobSpec {
    operation: Operation;
    id: string;
    /** Repository root: the Pulumi CLI is `<root>/bin/pulumi`. */
    root: string;
    workDir: string;
    project: string;
    request: WorkloadRequest;
    cluster: ResolvedCluster;
    /** The previous operation failed or was interrupted: clear stale locks and pending operations, refresh first. */
    recover: boolean;
}

export type JobResult =
    | { ok: true; operation: "preview"; preview: PreviewResult }
    | { ok: true; operation: "apply"; outputs: Record<string, unknown>; changes: Record<string, number> }
    | { ok: true; operation: "destroy"; changes: Record<string, number> }
    | { ok: false; kind: "invalid"; problems: FieldProblem[] }
    /** `hint`: what recovery left alone and why (e.g. an association of the service account with another role). */
    | { ok: false; kind: "failed"; error: string; diagnostics: string[]; state?: StackState; interrupted?: boolean; hint?: string };

export type WorkerMessage = { type: "event"; event: PortalEvent } | { type: "result"; result: JobResult };
