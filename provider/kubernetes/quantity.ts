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
 * `<sign>? <digits> [. <digits>?] | . <digits>`, then one suffix: a binary SI suffix (Ki … Ei), a decimal exponent
 * (`e`/`E` and a signed integer), or a decimal SI suffix (n, u, m, none, k, M, G, T, P, E). `E` alone is exa; `E`
 * followed by digits is an exponent.
 */
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;
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
    const match = typeof text === "string" ? QUANTITY.exec(text) : null;
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
        if (!Number.isSafeInteger(exponent)) {
            return undefined;
        }
        tenPower += exponent;
    }
    return { negative: sign === "-" && digits !== 0n, digits, tenPower, twoPower };
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
