/**
 * Command-line numbers of the benchmarks: whole numbers from 1, or the command stops naming what it was given, before
 * measuring anything (a NaN run count would measure nothing and print a table all the same).
 */
export function wholeNumbers(what: string, text: string): number[] {
    const values = text.split(",").map(Number);
    if (!text || !values.every((n) => Number.isInteger(n) && n >= 1)) {
        throw new Error(`${what} ${JSON.stringify(text)}: use whole numbers from 1, separated by commas`);
    }
    return values;
}
