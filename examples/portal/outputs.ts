/**
 * A workload's outputs as the portal reports them (README: `outputs`): the stack's outputs, with the IAM documents the
 * component exports as JSON text (`trustPolicy`, `permissionsPolicy`) parsed into objects. One shape whether the values
 * come from the worker's `pulumi up` or from the checkpoint read on reconciliation (checkpoint.ts).
 */

/** `text` parsed as JSON, or `text` itself when it is not JSON text. */
export function parseDocument(text: unknown): unknown {
    if (typeof text !== "string") return text;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export function workloadOutputs(values: Record<string, unknown>): Record<string, unknown> {
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) outputs[key] = key === "trustPolicy" || key === "permissionsPolicy" ? parseDocument(value) : value;
    return outputs;
}
