/**
 * The portal's HTTP edge without the Pulumi CLI: input handling, identity, audit, ownership and policy refusals are
 * all decided before any stack operation starts, so these tests start the portal with a backend that is never used.
 * Workloads that would need a preview are seeded as records in the state directory (the portal loads them at start).
 */
import test, { ExecutionContext } from "ava";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { Portal, PortalOptions, startPortal } from "../../examples/portal/server";

const CLUSTER_ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
export const ADMIN_TOKEN = "portal-http-admin-token";

interface Reply {
    status: number;
    body: any;
    headers: Headers;
}

/** A portal on a fresh state directory; `seed` writes records before it starts. */
async function withPortal(
    t: ExecutionContext,
    options: Partial<PortalOptions>,
    run: (portal: Portal, stateDir: string) => Promise<void>,
    seed?: (stateDir: string) => void,
): Promise<void> {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    seed?.(stateDir);
    const portal = await startPortal({
        port: 0,
        root: path.resolve(__dirname, "../../.."),
        env: { PULUMI_CONFIG_PASSPHRASE: "unused" },
        stateDir,
        clusters: [{ arn: CLUSTER_ARN }],
        ...options,
    });
    try {
        await run(portal, stateDir);
    } finally {
        await portal.close();
        fs.rmSync(stateDir, { recursive: true, force: true });
    }
    t.pass();
}

async function call(portal: Portal, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(portal.url + route, {
        method,
        headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const fields = (reply: Reply): string[] => (reply.body.problems ?? []).map((p: { field: string }) => p.field);

// ---- input handling ----

test("prototype keys are refused with 400 naming the field, at any depth; inherited names are not fields", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN }, async (portal) => {
        const base = '"team":"payments","cluster":"prod","namespace":"orders","serviceAccount":"api"';
        for (const [raw, field] of [
            [`{${base},"__proto__":{"createNamespace":false}}`, "__proto__"],
            [`{${base},"constructor":{"prototype":{"x":1}}}`, "constructor"],
            [`{${base},"prototype":1}`, "prototype"],
            [`{${base},"workload":{"image":"busybox","env":{"__proto__":"x"}}}`, "workload.env.__proto__"],
            [`{${base},"crossAccount":{"targets":[{"roleArn":"arn:aws:iam::222233334444:role/r","constructor":1}]}}`, "crossAccount.targets[0].constructor"],
        ]) {
            const reply = await call(portal, "POST", "/workloads", raw, admin);
            t.is(reply.status, 400, raw);
            t.true(fields(reply).includes(field), `${raw}: ${JSON.stringify(reply.body)}`);
        }
        // Names inherited from Object.prototype are unknown fields like any other.
        const inherited = await call(portal, "POST", "/workloads", `{${base},"toString":"x","hasOwnProperty":1}`, admin);
        t.is(inherited.status, 400);
        t.deepEqual(fields(inherited).sort(), ["hasOwnProperty", "toString"]);
        t.regex(inherited.body.problems[0].message, /unknown field/);
        // A required field is an own property, never an inherited one.
        const missing = await call(portal, "POST", "/workloads", '{"cluster":"prod","namespace":"orders","serviceAccount":"api","team":null}', admin);
        t.deepEqual(fields(missing), ["team"]);
    });
});

test("a body that stalls gets 408 and its connection closed within the configured bound", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN, bodyTimeoutMs: 300 }, async (portal) => {
        const { port } = new URL(portal.url);
        const started = Date.now();
        const socket = net.connect(Number(port), "127.0.0.1");
        let received = "";
        socket.on("data", (chunk) => (received += chunk.toString()));
        const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now() - started)));
        socket.write(`POST /workloads HTTP/1.1\r\nHost: portal\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"team":`);
        // Never sends the rest.
        const elapsed = await closed;
        t.regex(received, /^HTTP\/1\.1 408 /);
        t.regex(received, /connection: close/i);
        t.true(elapsed >= 250 && elapsed < 2000, `closed after ${elapsed} ms`);
    });
});

test("media type: application/json with at most charset=utf-8; json-seq and other charsets are 415", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN }, async (portal) => {
        for (const type of ["application/json-seq", "application/jsonx", "application/json; charset=latin1", "text/json", "application/json; charset=utf-8; x=1"]) {
            t.is((await call(portal, "POST", "/workloads", "{}", { ...admin, "content-type": type })).status, 415, type);
        }
        for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", 'application/json; charset="utf-8"']) {
            const reply = await call(portal, "POST", "/workloads", "{}", { ...admin, "content-type": type });
            t.is(reply.status, 400, type); // parsed, then refused for missing fields
        }
    });
});

test("the auth scheme is case-insensitive (RFC 9110 §11.1)", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN }, async (portal) => {
        for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
            t.is((await call(portal, "GET", "/workloads", undefined, { authorization: `${scheme} ${ADMIN_TOKEN}` })).status, 200, scheme);
        }
        t.is((await call(portal, "GET", "/workloads", undefined, { authorization: `Basic ${ADMIN_TOKEN}` })).status, 401);
        t.is((await call(portal, "GET", "/workloads", undefined, { authorization: `Bearer ${ADMIN_TOKEN}x` })).status, 401);
    });
});
