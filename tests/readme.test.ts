import test from "ava";
import * as fs from "fs";
import * as path from "path";
import { WELL_KNOWN_POLICIES } from "../provider/wellKnownPolicies";

const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");

test("the README's well-known policy table lists every policy, in order, with the upstream source its code cites", (t) => {
    const rows = new Map<string, string>();
    for (const line of readme.split("\n")) {
        const match = line.match(/^\| `(\w+)` \|/);
        if (match && match[1] in WELL_KNOWN_POLICIES) rows.set(match[1], line);
    }
    t.deepEqual([...rows.keys()], Object.keys(WELL_KNOWN_POLICIES), "one row per policy, in the registry's order");
    for (const [key, definition] of Object.entries(WELL_KNOWN_POLICIES)) {
        t.true(rows.get(key)?.trimEnd().endsWith(`| ${definition.source} |`), `${key}: the README cites "${definition.source}"`);
    }
});
