/**
 * A workload's record as the portal keeps it (recordStore.ts): what was asked, who owns it, where its operations
 * stand, and while one runs, which replica runs it.
 */
import type { WorkloadRequest } from "./api";
import type { Principal } from "./identity";
import type { Operation, PreviewResult, StackState, WorkloadStatus } from "./protocol";

export interface LastOperation {
    operation: Operation;
    result: "running" | "succeeded" | "failed";
    startedAt: string;
    finishedAt?: string;
    changes?: Record<string, number>;
    error?: string;
    diagnostics?: string[];
    state?: StackState;
}

export interface WorkloadRecord {
    id: string;
    status: WorkloadStatus;
    team: string;
    cluster: string;
    namespace: string;
    serviceAccount: string;
    request: WorkloadRequest;
    createdAt: string;
    updatedAt: string;
    /** When its first apply started: from then on it holds its namespace for its team (ownership.ts). */
    appliedAt?: string;
    preview?: PreviewResult;
    outputs?: Record<string, unknown>;
    lastOperation?: LastOperation;
    /** With status `failed`: whether the stack can be brought back by retrying, and how. */
    recoverable?: boolean;
    hint?: string;
    /** While an operation runs: the replica (portal process) running it, so that the others can tell if it died. */
    runner?: Runner;
    /** While an operation runs: who asked for it, so that a portal settling it after a restart names them in its audit line. */
    startedBy?: Principal;
}

export interface Runner {
    replica: string;
    host: string;
    pid: number;
}

/** Statuses of a record whose operation is running (or was, when its runner died). */
export const isTransient = (status: WorkloadStatus) => status === "previewing" || status === "applying" || status === "destroying";
