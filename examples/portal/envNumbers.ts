/**
 * Numeric settings, from the environment or startPortal's options: each is checked at start and a bad one stops the
 * portal naming it. `Number("15m")` is NaN, and a NaN compared with anything is false: unchecked, a mistyped value
 * silently turned a limit off (a NaN preview-claim TTL held nothing) instead of being noticed.
 */

/** The range a setting accepts, and its default (for the error message). */
export interface WholeNumberRange {
    min: number;
    max?: number;
    default?: number;
}

/** `value` if it is a whole number within `range`; otherwise an error naming `source`. */
export function checkWholeNumber(value: number, source: string, range: WholeNumberRange): number {
    if (!Number.isSafeInteger(value) || value < range.min || (range.max !== undefined && value > range.max)) {
        const bounds = range.max !== undefined ? `from ${range.min} to ${range.max}` : `at least ${range.min}`;
        throw new Error(`${source} must be a whole number ${bounds} (got ${value})${range.default !== undefined ? `; the default is ${range.default}` : ""}`);
    }
    return value;
}

/**
 * The environment variable `name` as a whole number within `range`, or undefined when it is unset or empty. Anything
 * else (`15m`, `1e3x`, `-1`, `2.5`) is an error naming the variable; its value is quoted, cut to 40 characters.
 */
export function numberFromEnv(env: Record<string, string | undefined>, name: string, range: WholeNumberRange): number | undefined {
    const text = env[name]?.trim();
    if (!text) return undefined;
    if (!/^\d+$/.test(text)) {
        throw new Error(`${name} must be a whole number (digits only, got ${JSON.stringify(text.slice(0, 40))})${range.default !== undefined ? `; the default is ${range.default}` : ""}`);
    }
    return checkWholeNumber(Number(text), name, range);
}
