/**
 * A Clock (examples/portal/clock.ts) that moves only when a test moves it, so that a protocol's decisions are checked
 * at the instants the test chooses rather than whenever a loaded machine gets round to running a timer.
 */
import type { Clock } from "../../examples/portal/clock";

interface Timer {
    dueAt: number;
    /** Breaks ties between timers due at the same instant: the first set fires first, as Node.js's do. */
    order: number;
    fn: () => void;
    /** Set for `every`: the timer is due again this much later each time it fires. */
    intervalMs?: number;
}

export class ManualClock implements Clock {
    private wall: number;
    private mono: number;
    private readonly timers = new Set<Timer>();
    private timersSet = 0;
    private readonly sleepWaiters: Array<() => void> = [];

    /** Starts at `wall` (ms since the epoch) and `monotonic`; two clocks given different starts share nothing. */
    constructor(start: { wall?: number; monotonic?: number } = {}) {
        this.wall = start.wall ?? Date.UTC(2030, 0, 1);
        this.mono = start.monotonic ?? 0;
    }

    now(): number {
        return this.wall;
    }

    monotonic(): number {
        return this.mono;
    }

    sleep(ms: number): Promise<void> {
        return new Promise((resolve) => {
            this.timers.add({ dueAt: this.mono + ms, order: this.timersSet++, fn: resolve });
            for (const wake of this.sleepWaiters.splice(0)) wake();
        });
    }

    every(ms: number, fn: () => void): () => void {
        const timer: Timer = { dueAt: this.mono + ms, order: this.timersSet++, fn, intervalMs: ms };
        this.timers.add(timer);
        return () => this.timers.delete(timer);
    }

    /**
     * Moves both clocks forward by `ms`, firing every timer that falls due meanwhile at its own instant (the clock reads
     * that instant while it runs; an interval fires each time it is due). A sleeper resumes once this returns, so it
     * reads the clock as it is then.
     */
    advance(ms: number): void {
        if (!(ms >= 0)) throw new Error(`a clock moves forward only (advance(${ms}))`);
        const end = this.mono + ms;
        for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
            this.moveTo(next.dueAt);
            if (next.intervalMs === undefined) this.timers.delete(next);
            else next.dueAt += next.intervalMs;
            next.fn();
        }
        this.moveTo(end);
    }

    /** Resolves once something sleeps on this clock (at once if something already does). */
    sleeping(): Promise<void> {
        if ([...this.timers].some((timer) => timer.intervalMs === undefined)) return Promise.resolve();
        return new Promise((resolve) => this.sleepWaiters.push(resolve));
    }

    private nextDue(end: number): Timer | undefined {
        let next: Timer | undefined;
        for (const timer of this.timers) {
            if (timer.dueAt > end) continue;
            if (!next || timer.dueAt < next.dueAt || (timer.dueAt === next.dueAt && timer.order < next.order)) next = timer;
        }
        return next;
    }

    private moveTo(monotonic: number): void {
        this.wall += monotonic - this.mono;
        this.mono = monotonic;
    }
}
