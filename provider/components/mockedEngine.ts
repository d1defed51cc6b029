import * as pulumi from "@pulumi/pulumi";

/**
 * Whether the program runs against `pulumi.runtime.setMocks` (unit tests, the offline plan) rather than an engine:
 * then there is no cluster to read. The SDK offers no public flag for it; its mock monitor is the one that carries
 * the `mocks` it was given. tests/mocked-engine.test.ts fails, naming the SDK version, when that stops holding.
 */
export function runsUnderMocks(): boolean {
    const monitor = pulumi.runtime.getMonitor() as { mocks?: unknown } | undefined;
    return monitor !== undefined && typeof monitor === "object" && "mocks" in monitor && monitor.mocks !== undefined;
}
