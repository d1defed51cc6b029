/** A whole number. Plain `number` in TypeScript; the package schema types it as `integer` for the other SDKs. */
export type Integer = number;
