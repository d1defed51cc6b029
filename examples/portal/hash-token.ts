/**
 * Prints the tokens-file digest of a bearer token read from standard input, so that the token itself appears in no
 * command line, shell history or process list, and is never printed:
 *
 *   token=$(openssl rand -hex 32)      # hand it to the principal over your secret channel
 *   printf %s "$token" | node dist/examples/portal/hash-token.js
 *   sha256: 5e8f…                      # paste into the tokens file with the principal's name, team and role
 */
import { hashToken } from "./identity";

const chunks: Buffer[] = [];
process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
process.stdin.on("end", () => {
    // A trailing newline (echo, a file) is not part of the token clients send.
    const token = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
    if (token.length < 32) {
        process.stderr.write("read fewer than 32 characters: use a random token, e.g. openssl rand -hex 32\n");
        process.exit(1);
    }
    process.stdout.write(`sha256: ${hashToken(token)}\n`);
});
