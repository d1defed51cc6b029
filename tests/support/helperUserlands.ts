import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The userlands in which the credential_process helper runs, each a directory of symlinks that becomes the whole PATH,
 * so that the script finds exactly one way to speak HTTP:
 * - `curl`, `wget`: dash with the utilities the script uses, and curl, or GNU wget.
 * - `busybox`: busybox sh and every busybox applet (wget and nc among them), nothing else: Alpine's userland.
 *   The binary is Debian's `busybox` package, unpacked by tests/busybox/setup.sh (or `BUSYBOX`).
 * - `bash`: dash, bash and the utilities, no HTTP client and no timeout(1): a slim Debian or Ubuntu image. The
 *   script starts under dash and goes on under bash (/dev/tcp).
 * - `dash`: dash and the utilities only: the script has no way to reach the agent and says so.
 */

export const DASH = "/bin/dash";

/** Repository root, from dist/tests/support. */
const ROOT = path.resolve(__dirname, "..", "..", "..");

export const BUSYBOX = process.env.BUSYBOX ?? path.join(ROOT, ".busybox", "bin", "busybox");

/** The commands the script runs besides its HTTP client (timeout only with GNU wget). */
export const HELPER_UTILITIES = ["sh", "cat", "tr", "grep", "sed", "awk", "sleep", "id", "mktemp", "rm", "head", "timeout"];

export const TRANSPORTS = ["curl", "wget", "busybox", "bash"] as const;
export type Transport = (typeof TRANSPORTS)[number];
export type UserlandName = Transport | "dash";

export interface Userland {
    /** The shell that runs the script, as an SDK's `sh -c` would find it. */
    shell: string;
    /** The PATH: one directory. */
    path: string;
}

export function which(name: string): string {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
}

/** A directory holding only these commands: symlinks to the system's, plus small scripts given by their text. */
export function binDir(root: string, name: string, commands: string[], extra: Record<string, string> = {}): string {
    const dir = path.join(root, `bin-${name}`);
    mkdirSync(dir);
    for (const command of commands) {
        symlinkSync(which(command), path.join(dir, command));
    }
    for (const [command, text] of Object.entries(extra)) {
        writeFileSync(path.join(dir, command), text);
        chmodSync(path.join(dir, command), 0o755);
    }
    return dir;
}

function busyboxDir(root: string): string {
    if (!existsSync(BUSYBOX)) {
        throw new Error(`no busybox at ${BUSYBOX}: run \`npm run setup:busybox\` (Debian's package, unpacked into .busybox), or set BUSYBOX`);
    }
    const dir = path.join(root, "bin-busybox");
    mkdirSync(dir);
    for (const applet of execFileSync(BUSYBOX, ["--list"], { encoding: "utf8" }).split("\n").filter(Boolean)) {
        symlinkSync(BUSYBOX, path.join(dir, applet));
    }
    return dir;
}

/** Builds every userland under root (a fresh temporary directory). */
export function makeUserlands(root: string): Record<UserlandName, Userland> {
    const withoutTimeout = HELPER_UTILITIES.filter((c) => c !== "timeout");
    const busybox = busyboxDir(root);
    return {
        curl: { shell: DASH, path: binDir(root, "curl", [...HELPER_UTILITIES, "curl"]) },
        wget: { shell: DASH, path: binDir(root, "wget", [...HELPER_UTILITIES, "wget"]) },
        busybox: { shell: path.join(busybox, "sh"), path: busybox },
        bash: { shell: DASH, path: binDir(root, "bash", [...withoutTimeout, "bash"]) },
        dash: { shell: DASH, path: binDir(root, "dash", HELPER_UTILITIES) },
    };
}
