/** Waits on real processes, sockets and servers, for tests that cannot drive a clock of their own. */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `promise`'s value, or undefined if it has not settled within `ms`. Callers give limits many times what the wait
 * takes on a quiet machine, so that only a hang fails a test, never a slow machine.
 */
export async function within<T>(ms: number, promise: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
        return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
    } finally {
        clearTimeout(timer);
    }
}
