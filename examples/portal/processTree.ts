import * as fs from "fs";

/** Processes descended from `root`, from /proc (none where there is no /proc: the process group still ends). */
export function descendantsOf(root: number): number[] {
    const children = new Map<number, number[]>();
    let entries: string[];
    try {
        entries = fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
    } catch {
        return [];
    }
    for (const entry of entries) {
        try {
            // "<pid> (<comm>) <state> <ppid> …": the command may contain spaces and parentheses.
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // ended meanwhile
        }
    }
    const found: number[] = [];
    for (let queue = [root]; queue.length > 0; ) {
        const next = children.get(queue.shift() as number) ?? [];
        found.push(...next);
        queue = queue.concat(next);
    }
    return found;
}

/**
 * SIGKILLs `root`'s descendants, then `root`'s process group (`root` leads it: forked detached). Descendants first:
 * the CLI starts its plugins in process groups of their own, which the group's kill would miss.
 */
export function killProcessTree(root: number): void {
    for (const pid of descendantsOf(root)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    process.kill(-root, "SIGKILL");
}
