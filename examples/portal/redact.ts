/**
 * Server paths kept out of what members see. The CLI's output, its diagnostics and the portal's hints name the stack's
 * work directory, PULUMI_HOME, the program's and plugins' files: where the portal keeps its state and secrets is not a
 * member's business. Known directories become placeholders (`<state-dir>/stacks/<id>` stays readable as such), and
 * any other absolute path under a system root becomes `<path>`.
 */

/** A server directory and what members see instead. */
export interface PathPlaceholder {
    path: string;
    placeholder: string;
}

// An absolute path under a system root, not part of a URL or an ARN (nothing word-like, `:` or `/` just before it).
const ABSOLUTE_PATH = /(?<![\w.:/~<>-])\/(?:home|root|tmp|work|var|usr|opt|etc|proc|run|srv|mnt|private|Users|nix|snap|lib|lib64|bin|sbin|dev|sys|app|data|workspace)(?=\/|\b)[^\s"'`<>()[\]{},;]*/g;
const FILE_URL = /file:\/\/\/[^\s"'`<>()[\]{},;]*/g;

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The workload's own data, never the server's: the request as posted, the preview's plan and policies, the outputs
 * (a pod-spec fragment mounts `/etc/aws-pod-identity`). Passed on as they are.
 */
const WORKLOAD_DATA_KEYS = new Set(["request", "preview", "outputs", "resources", "policies"]);

/**
 * A function that redacts server paths from every string in a JSON value but the workload's own data (a new value;
 * the input is not changed).
 */
export function pathRedactor(known: PathPlaceholder[]): <T>(value: T) => T {
    // Longest first: a work directory inside the state directory is named as such.
    const rules = known
        .filter((k) => k.path.length > 1)
        .sort((a, b) => b.path.length - a.path.length)
        .map((k) => ({ pattern: new RegExp(escape(k.path.replace(/\/+$/, "")), "g"), placeholder: k.placeholder }));
    const text = (s: string) => {
        let out = s;
        for (const rule of rules) out = out.replace(rule.pattern, rule.placeholder);
        return out.replace(FILE_URL, "file://<path>").replace(ABSOLUTE_PATH, "<path>");
    };
    const redact = (value: unknown): unknown => {
        if (typeof value === "string") return text(value);
        if (Array.isArray(value)) return value.map(redact);
        if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, WORKLOAD_DATA_KEYS.has(k) ? v : redact(v)]));
        return value;
    };
    return redact as <T>(value: T) => T;
}
