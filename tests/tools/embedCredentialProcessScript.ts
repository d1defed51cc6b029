import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * Embeds provider/credential-process.sh (the readable source of the helper script) into
 * provider/credentialProcessScript.ts, between the BEGIN/END markers, one JSON string per line.
 *
 *   npm run generate:credential-process          rewrite the embedded copy
 *   node dist/tests/tools/embedCredentialProcessScript.js --check   exit 1 when it is stale
 *
 * tests/credential-process.test.ts also fails when the two differ.
 */

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const SCRIPT_SOURCE = path.join(ROOT, "provider", "credential-process.sh");
export const SCRIPT_MODULE = path.join(ROOT, "provider", "credentialProcessScript.ts");
const BEGIN = "// BEGIN EMBEDDED credential-process.sh (generated: edit the .sh and run `npm run generate:credential-process`)";
const END = "// END EMBEDDED credential-process.sh";

export function renderModule(moduleText: string, script: string): string {
    const start = moduleText.indexOf(BEGIN);
    const end = moduleText.indexOf(END);
    if (start < 0 || end < start) {
        throw new Error(`${SCRIPT_MODULE}: the markers of the embedded script are missing`);
    }
    if (!script.endsWith("\n")) {
        throw new Error(`${SCRIPT_SOURCE} must end with a newline`);
    }
    const lines = script.slice(0, -1).split("\n").map((line) => `    ${JSON.stringify(line)},`);
    const block = [BEGIN, "const LINES: readonly string[] = [", ...lines, "];", ""].join("\n");
    return moduleText.slice(0, start) + block + moduleText.slice(end);
}

function main(): void {
    const check = process.argv.includes("--check");
    const current = readFileSync(SCRIPT_MODULE, "utf8");
    const wanted = renderModule(current, readFileSync(SCRIPT_SOURCE, "utf8"));
    if (current === wanted) {
        console.log(`${path.relative(ROOT, SCRIPT_MODULE)} embeds the current ${path.relative(ROOT, SCRIPT_SOURCE)}`);
        return;
    }
    if (check) {
        console.error(`${path.relative(ROOT, SCRIPT_MODULE)} is stale: run npm run generate:credential-process`);
        process.exit(1);
    }
    writeFileSync(SCRIPT_MODULE, wanted);
    console.log(`rewrote ${path.relative(ROOT, SCRIPT_MODULE)}`);
}

if (require.main === module) {
    main();
}
