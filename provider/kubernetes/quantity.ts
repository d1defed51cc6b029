/**
 * Kubernetes resource quantities (`100m`, `1.5Gi`, `1e3`), parsed exactly as the API server reads them so requests
 * and limits can be compared across units. Written from the grammar documented in
 * k8s.io/apimachinery/pkg/api/resource/quantity.go, with the suffixes of quantity_suffixer.go (which also accepts
 * the decimal `n` and `u` the grammar comment leaves out):
 *
 *     quantity        ::= signedNumber suffix
 *     signedNumber    ::= [ "+" | "-" ] number
 *     number          ::= digits | digits "." digits | digits "." | "." digits
 *     suffix          ::= binarySI | decimalExponent | decimalSI
 *     binarySI        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *     decimalSI       ::= n | u | m | "" | k | M | G | T | P | E
 *     decimalExponent ::= ( "e" | "E" ) signed integer
 */


/**
 * `<sign>? <digits>* [. <digits>*]`, then one suffix: a binary SI suffix (Ki … Ei), a decimal exponent (`e`/`E` and
 * a signed integer), or a decimal SI suffix (n, u, m, none, k, M, G, T, P, E). `E` alone is exa; `E` followed by digits
 * is an exponent. The digits are optional: parseQuantityString reads a missing number as 0, so the API server admits
 * `+`, `.`, `Gi` and `e3` as zero (which this grammar once refused; tests/corpus/kubernetesValues.ts).
 */
const QUANTITY = /^([+-]?)(\d*(?:\.\d*)?)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;
/**
 * What the API server trims around a quantity: Quantity.UnmarshalJSON applies Go's strings.TrimSpace to the JSON
 * string still escaped, so only the white space JSON carries unescaped is trimmed (space, NEL, the Unicode spaces and
 * separators), not tabs or line breaks (sent as `\t`, `\n`). The real API server admitted `" 1 "` and `"1\u2028"`,
 * which this grammar once refused, and refused `"\t1\n"`.
 */
const TRIMMED_SPACE = /^[ \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[ \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;
const BINARY_POWERS: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_POWERS: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Beyond this exponent the exact comparison would build huge integers; such values compare approximately. */
const EXACT_EXPONENT_LIMIT = 1000;

/** A parsed quantity: `sign · digits · 10^tenPower · 2^twoPower`, exact. */
export interface Quantity {
    negative: boolean;
    digits: bigint;
    tenPower: number;
    twoPower: number;
}

/** The quantity `text` denotes, or undefined when the API server would refuse to parse it. */
export function parseQuantity(text: string): Quantity | undefined {
    const trimmed = typeof text === "string" ? text.replace(TRIMMED_SPACE, "") : "";
    // ParseQuantity refuses the empty string (ErrFormatWrong).
    const match = trimmed === "" ? null : QUANTITY.exec(trimmed);
    if (!match) {
        return undefined;
    }
    const [, sign, number, suffix = ""] = match;
    const [whole, fraction = ""] = number.split(".");
    const digits = BigInt((whole + fraction).replace(/^0+(?=\d)/, "") || "0");
    let tenPower = -fraction.length;
    let twoPower = 0;
    if (suffix in BINARY_POWERS) {
        twoPower = BINARY_POWERS[suffix];
    } else if (suffix in DECIMAL_POWERS) {
        tenPower += DECIMAL_POWERS[suffix];
    } else {
        const exponent = Number(suffix.slice(1));
        // The API server casts the exponent to 32 bits (quantitySuffixer.interpret), so 1e4294967296 would mean 1
        // there: refused here, deliberately, rather than given a meaning nobody intends.
        if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 2 ** 31 - 1) {
            return undefined;
        }
        tenPower += exponent;
    }
    return { negative: sign === "-" && digits !== 0n, digits, tenPower, twoPower };
}

/**
 * The largest magnitude a quantity may have: "no quantity may represent a number greater than 2^63-1 in magnitude"
 * (Quantity's documentation); larger ones are silently capped, and a huge exponent (1e2147483647) keeps the API server
 * busy until the request times out.
 */
export const QUANTITY_MAX = 2n ** 63n - 1n;

/** Whether the magnitude of `q` is beyond QUANTITY_MAX. */
export function exceedsQuantityMax(q: Quantity): boolean {
    if (q.digits === 0n) {
        return false;
    }
    // Order of magnitude first, so that huge exponents never become huge integers.
    const magnitude = q.digits.toString().length + q.tenPower + q.twoPower * Math.log10(2);
    if (magnitude > 21) {
        return true;
    }
    if (magnitude < 17) {
        return false;
    }
    const numerator = q.digits * 2n ** BigInt(q.twoPower) * 10n ** BigInt(Math.max(q.tenPower, 0));
    return numerator > QUANTITY_MAX * 10n ** BigInt(Math.max(-q.tenPower, 0));
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareQuantities(a: Quantity, b: Quantity): number {
    const signed = (q: Quantity) => (q.digits === 0n ? 0 : q.negative ? -1 : 1);
    if (signed(a) !== signed(b)) {
        return Math.sign(signed(a) - signed(b));
    }
    if (signed(a) === 0) {
        return 0;
    }
    const magnitude = compareMagnitudes(a, b);
    return a.negative ? -magnitude : magnitude;
}

function compareMagnitudes(a: Quantity, b: Quantity): number {
    const ten = Math.min(a.tenPower, b.tenPower);
    const two = Math.min(a.twoPower, b.twoPower);
    if (Math.max(a.tenPower, b.tenPower) - ten > EXACT_EXPONENT_LIMIT) {
        const log = (q: Quantity) => Math.log10(Number(q.digits)) + q.tenPower + q.twoPower * Math.log10(2);
        return Math.sign(log(a) - log(b));
    }
    const scaled = (q: Quantity) => q.digits * 10n ** BigInt(q.tenPower - ten) * 2n ** BigInt(q.twoPower - two);
    const [x, y] = [scaled(a), scaled(b)];
    return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether the quantity is a whole number (extended resources are counted in whole units). */
export function isWholeQuantity(q: Quantity): boolean {
    if (q.tenPower >= 0 || q.digits === 0n) {
        return true;
    }
    if (-q.tenPower > EXACT_EXPONENT_LIMIT) {
        return false;
    }
    return (q.digits * 2n ** BigInt(q.twoPower)) % 10n ** BigInt(-q.tenPower) === 0n;
}

/**
 * Whether `q` is a whole, non-negative multiple of `unit` (huge pages: IsHugePageResourceValueDivisible, which
 * compares whole bytes, the quantity rounded up as Quantity.Value does).
 */
export function isWholeMultiple(q: Quantity, unit: Quantity): boolean {
    if (q.negative || unit.negative || unit.digits === 0n) {
        return false;
    }
    if (Math.abs(q.tenPower) > EXACT_EXPONENT_LIMIT || Math.abs(unit.tenPower) > EXACT_EXPONENT_LIMIT) {
        return false;
    }
    const bytes = (x: Quantity) => {
        const numerator = x.digits * 2n ** BigInt(x.twoPower) * (x.tenPower > 0 ? 10n ** BigInt(x.tenPower) : 1n);
        const denominator = x.tenPower < 0 ? 10n ** BigInt(-x.tenPower) : 1n;
        return (numerator + denominator - 1n) / denominator;
    };
    const size = bytes(unit);
    return size > 0n && bytes(q) % size === 0n;
}
