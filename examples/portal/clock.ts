/**
 * The time the portal's protocols decide by: leases and fencing (replicaLease.ts), the records' mutex
 * (recordStore.ts), preview claims (ownership.ts). Each takes a Clock, the system's by default, so that a test can
 * drive it by hand and check what the protocol decides at each instant, whatever the load on the machine running it.
 */
import { performance } from "perf_hooks";

export interface Clock {
    /** Wall-clock milliseconds since the epoch: for times written down, read by operators or other replicas. */
    now(): number;
    /** Milliseconds on a clock that never steps back: for durations measured within this process. */
    monotonic(): number;
    /** Resolves after `ms` milliseconds. */
    sleep(ms: number): Promise<void>;
    /** Calls `fn` every `ms` milliseconds until the returned function is called; does not keep the process alive. */
    every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    every(ms, fn) {
        const timer = setInterval(fn, ms);
        timer.unref();
        return () => clearInterval(timer);
    },
};
