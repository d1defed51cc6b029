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
import { performance } from "perf_hooks";
import { spawn, spawnSync } from "child_process";
import { WorkloadRequest, workloadId } from "../../examples/portal/api";
import { localBackendFiles } from "../../examples/portal/backendFiles";
import { AuditLog } from "../../examples/portal/audit";
import { systemClock } from "../../examples/portal/clock";
import { checkTokenEntries, hashToken } from "../../examples/portal/identity";
import { descendantsOf, stopProcessTree } from "../../examples/portal/processTree";
import { DEFAULT_ALLOWED_MANAGED_POLICY_ARNS, allowlistFromEnvironment, checkAllowlist } from "../../examples/portal/managedPolicies";
import { Claim, Ownership } from "../../examples/portal/ownership";
import { PROJECT, Portal, PortalOptions, startPortal } from "../../examples/portal/server";
import { isRunning, liveLockHolders } from "../../examples/portal/stackLock";
import { ManualClock } from "./manualClock";
import { sleep, within } from "../support/waits";

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
    options: Partial<PortalOptions> | ((stateDir: string) => Partial<PortalOptions>),
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
        ...(typeof options === "function" ? options(stateDir) : options),
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

test("a body that stalls gets 408 and the portal closes its connection once the configured time has passed", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN, bodyTimeoutMs: 300 }, async (portal) => {
        const { port } = new URL(portal.url);
        const started = performance.now();
        const socket = net.connect(Number(port), "127.0.0.1");
        let received = "";
        socket.on("data", (chunk) => (received += chunk.toString()));
        const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(performance.now() - started)));
        socket.write(`POST /workloads HTTP/1.1\r\nHost: portal\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"team":`);
        // Never sends the rest, nor closes.
        const elapsed = await within(30_000, closed);
        socket.destroy();
        t.not(elapsed, undefined, "the portal closed the connection");
        t.regex(received, /^HTTP\/1\.1 408 /);
        t.regex(received, /connection: close/i);
        // The body's time starts after `started`, and a timer does not fire early however loaded the machine (libuv
        // counts whole milliseconds: hence 299).
        t.true(elapsed! >= 299, `closed after ${elapsed} ms, not before the configured 300 ms`);
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

// ---- identity and roles ----

const TOKENS = { alice: "alice-token-payments-0123456789abcdef", bob: "bob-token-growth-0123456789abcdef", root: "root-token-platform-0123456789abcdef" };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A workload record as the portal keeps it, for a workload that was applied (or previewed `minutesAgo`). */
function seedWorkload(stateDir: string, request: WorkloadRequest, status: "applied" | "previewed" = "applied", minutesAgo = 0): string {
    const id = workloadId(request);
    const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const record = {
        id,
        status,
        team: request.team,
        cluster: request.cluster,
        namespace: request.namespace,
        serviceAccount: request.serviceAccount,
        request,
        createdAt: at,
        updatedAt: at,
        lastOperation: { operation: status === "applied" ? "apply" : "preview", result: "succeeded", startedAt: at, finishedAt: at },
        ...(status === "applied" ? { appliedAt: at } : {}),
    };
    fs.mkdirSync(path.join(stateDir, "workloads"), { recursive: true });
    fs.writeFileSync(path.join(stateDir, "workloads", `${id}.json`), JSON.stringify(record));
    return id;
}

const workload = (team: string, namespace: string, extra: Partial<WorkloadRequest> = {}): WorkloadRequest => ({ team, cluster: "prod", namespace, serviceAccount: "api", ...extra });

/** A YAML tokens file: digests only. */
function writeTokensFile(stateDir: string): string {
    const file = path.join(stateDir, "tokens.yaml");
    const entry = (name: string, team: string, role: string, token: string) => `  - name: ${name}\n    team: ${team}\n    role: ${role}\n    sha256: ${hashToken(token)}\n`;
    fs.writeFileSync(file, `tokens:\n${entry("alice", "payments", "member", TOKENS.alice)}${entry("bob", "growth", "member", TOKENS.bob)}${entry("root", "platform", "admin", TOKENS.root)}`);
    return file;
}

test("per-principal tokens: a member sees and changes only its team's workloads (others' are 404); an admin sees all", async (t) => {
    let ids: string[] = [];
    const seed = (stateDir: string) => {
        ids = [seedWorkload(stateDir, workload("payments", "orders")), seedWorkload(stateDir, workload("growth", "signup"))];
    };
    await withPortal(
        t,
        (stateDir) => ({ tokensFile: path.join(stateDir, "tokens.yaml") }),
        async (portal, stateDir) => {
            const [payments, growth] = ids;
            const list = async (token: string) => (await call(portal, "GET", "/workloads", undefined, bearer(token))).body.workloads.map((w: { id: string }) => w.id).sort();
            t.deepEqual(await list(TOKENS.alice), [payments]);
            t.deepEqual(await list(TOKENS.bob), [growth]);
            t.deepEqual(await list(TOKENS.root), [...ids].sort());
            t.is((await call(portal, "GET", `/workloads/${payments}`, undefined, bearer(TOKENS.alice))).status, 200);
            // Another team's workload answers exactly like a missing one.
            const missing = await call(portal, "GET", "/workloads/nothing-here-000000", undefined, bearer(TOKENS.alice));
            for (const [method, route] of [["GET", `/workloads/${growth}`], ["DELETE", `/workloads/${growth}`], ["POST", `/workloads/${growth}/apply`], ["GET", `/workloads/${growth}/events`]]) {
                const reply = await call(portal, method, route, undefined, bearer(TOKENS.alice));
                t.is(reply.status, 404, `${method} ${route}`);
                t.is(reply.body.error.replace(growth, "X"), missing.body.error.replace("nothing-here-000000", "X"));
            }
            t.is((await call(portal, "GET", `/workloads/${growth}`, undefined, bearer(TOKENS.root))).status, 200, "an admin reads any team's");
            // The team is the caller's: a body naming another is refused; one naming none is the caller's.
            const forged = await call(portal, "POST", "/workloads", { ...workload("growth", "orders"), serviceAccount: "x" }, bearer(TOKENS.alice));
            t.is(forged.status, 403);
            t.deepEqual(fields(forged), ["team"]);
            const { team: _team, ...teamless } = workload("payments", "orders");
            const own = await call(portal, "POST", "/workloads", teamless, bearer(TOKENS.alice));
            t.is(own.status, 409, JSON.stringify(own.body));
            t.is(own.body.id, payments, "the id is computed with the caller's team");
            // An admin acts for a team it names.
            const adminTeamless = await call(portal, "POST", "/workloads", teamless, bearer(TOKENS.root));
            t.is(adminTeamless.status, 400);
            t.deepEqual(fields(adminTeamless), ["team"]);
            t.is((await call(portal, "GET", "/workloads", undefined, bearer("not-a-token"))).status, 401);
            // The file holds digests, never the tokens.
            const file = fs.readFileSync(path.join(stateDir, "tokens.yaml"), "utf8");
            for (const token of Object.values(TOKENS)) t.false(file.includes(token));
        },
        (stateDir) => {
            seed(stateDir);
            writeTokensFile(stateDir);
        },
    );
});

test("tokens: the file must hold digests; entries with anything else are refused without echoing the value", (t) => {
    const error = t.throws(() => checkTokenEntries([{ name: "alice", team: "payments", role: "member", token: "plain-secret-value" }]));
    t.regex(error!.message, /unexpected field\(s\) token/);
    t.false(error!.message.includes("plain-secret-value"));
    t.throws(() => checkTokenEntries([{ name: "a", team: "payments", role: "owner", sha256: hashToken("x") }]), { message: /role/ });
    t.throws(() => checkTokenEntries([{ name: "a", team: "payments", role: "member", sha256: "abc" }]), { message: /sha256/ });
    t.throws(() => checkTokenEntries([{ name: "a", team: "Payments!", role: "member", sha256: hashToken("x") }]), { message: /team/ });
});

test("hash-token prints the digest of the token on stdin, never the token", (t) => {
    const token = "0123456789abcdef0123456789abcdef-secret";
    const run = spawnSync(process.execPath, [path.resolve(__dirname, "../../examples/portal/hash-token.js")], { input: `${token}\n`, encoding: "utf8" });
    t.is(run.status, 0, run.stderr);
    t.is(run.stdout, `sha256: ${hashToken(token)}\n`);
    t.false(run.stdout.includes(token) || run.stderr.includes(token));
    t.is(spawnSync(process.execPath, [path.resolve(__dirname, "../../examples/portal/hash-token.js")], { input: "short" }).status, 1);
});

test("identity headers are believed only with the proxy's secret (constant-time compare)", async (t) => {
    const secret = "proxy-shared-secret-0123456789abcdef";
    let ids: string[] = [];
    const proxied = (user: string, team: string, role?: string, proof = secret) => ({
        "x-portal-proxy-secret": proof,
        "x-portal-user": user,
        "x-portal-team": team,
        ...(role ? { "x-portal-role": role } : {}),
    });
    await withPortal(
        t,
        { proxySecret: secret, token: ADMIN_TOKEN },
        async (portal) => {
            const list = async (headers: Record<string, string>) => {
                const reply = await call(portal, "GET", "/workloads", undefined, headers);
                return reply.status === 200 ? reply.body.workloads.map((w: { id: string }) => w.id).sort() : reply.status;
            };
            t.deepEqual(await list(proxied("carol", "payments")), [ids[0]], "a proxied member sees its team's");
            t.deepEqual(await list(proxied("dave", "platform", "admin")), [...ids].sort(), "a proxied admin sees all");
            t.is(await list(proxied("carol", "growth", undefined, "wrong-secret")), 401);
            const { "x-portal-proxy-secret": _s, ...unproven } = proxied("carol", "growth", "admin");
            t.is(await list(unproven), 401, "identity headers without the secret");
            t.is(await list({ ...unproven, ...admin }), 401, "…are refused, not ignored in favour of a bearer token");
            t.is(await list(proxied("carol", "growth", "owner")), 401, "unknown role");
            t.is(await list(proxied("carol", "Growth!")), 401, "invalid team");
            t.deepEqual(await list(admin), [...ids].sort(), "bearer tokens still work");
        },
        (stateDir) => {
            ids = [seedWorkload(stateDir, workload("payments", "orders")), seedWorkload(stateDir, workload("growth", "signup"))];
        },
    );
    await withPortal(t, { token: ADMIN_TOKEN }, async (portal) => {
        const reply = await call(portal, "GET", "/workloads", undefined, proxied("carol", "payments", "admin"));
        t.is(reply.status, 401, "without a configured proxy secret, identity headers are never believed");
    });
});

test("the portal refuses to start without an identity source", async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    await t.throwsAsync(startPortal({ port: 0, root: ".", env: { PULUMI_CONFIG_PASSPHRASE: "x" }, stateDir, clusters: [{ arn: CLUSTER_ARN }] }), { message: /identity source/ });
    fs.rmSync(stateDir, { recursive: true, force: true });
});

test("a replica lease too short to renew in is refused at start, naming the setting and its minimum", async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    for (const replicaLeaseMs of [500, Number("30s"), 2999, 3000.5]) {
        await t.throwsAsync(startPortal({ port: 0, root: ".", env: { PULUMI_CONFIG_PASSPHRASE: "x" }, stateDir, clusters: [{ arn: CLUSTER_ARN }], token: ADMIN_TOKEN, replicaLeaseMs }), {
            message: /replicaLeaseMs \(PORTAL_REPLICA_LEASE_MS\) must be a whole number of milliseconds, at least 3000 \(got (500|NaN|2999|3000\.5)\); the default is 30000/,
        });
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
});

test("an AWS_ENDPOINT_URL_EKS that is not an http(s) URL is refused at start, naming the variable", async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    for (const endpoint of ["eks.local:4566", "ftp://127.0.0.1", "http://user:secret@127.0.0.1", "http://127.0.0.1/?x=1", "not a url"]) {
        await t.throwsAsync(startPortal({ port: 0, root: ".", env: { PULUMI_CONFIG_PASSPHRASE: "x", AWS_ENDPOINT_URL_EKS: endpoint }, stateDir, clusters: [{ arn: CLUSTER_ARN }], token: ADMIN_TOKEN }), {
            message: /^AWS_ENDPOINT_URL_EKS must be an absolute http\(s\) URL without credentials, query or fragment/,
        });
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
});

// ---- audit log ----

test("audit log: refused changes are appended as JSON lines naming principal, team, role, action, workload and status; never tokens", async (t) => {
    let ids: string[] = [];
    await withPortal(
        t,
        (stateDir) => ({ tokensFile: path.join(stateDir, "tokens.yaml") }),
        async (portal, stateDir) => {
            const [, growth] = ids;
            t.is((await call(portal, "POST", `/workloads/${growth}/apply`, undefined, bearer(TOKENS.alice))).status, 404);
            t.is((await call(portal, "DELETE", `/workloads/${growth}`, undefined, bearer(TOKENS.alice))).status, 404);
            t.is((await call(portal, "POST", "/workloads", workload("growth", "x"), bearer(TOKENS.alice))).status, 403);
            t.is((await call(portal, "POST", "/workloads", workload("payments", "x"), bearer("stolen-or-wrong-token"))).status, 401);
            t.is((await call(portal, "GET", "/workloads", undefined, bearer(TOKENS.alice))).status, 200, "reads are not audited");
            // Each line is written before its reply is sent: nothing to wait for.
            const text = fs.readFileSync(path.join(stateDir, "audit.log"), "utf8");
            const lines = text.trimEnd().split("\n");
            t.is(lines[0], '{"earlier":"line"}', "the file is appended to, never rewritten");
            const entries = lines.slice(1).map((line) => JSON.parse(line));
            const pick = ({ principal, team, role, action, workload: w, result, httpStatus }: any) => ({ principal, team, role, action, workload: w, result, httpStatus });
            t.deepEqual(entries.map(pick), [
                { principal: "alice", team: "payments", role: "member", action: "apply", workload: growth, result: "refused", httpStatus: 404 },
                { principal: "alice", team: "payments", role: "member", action: "destroy", workload: growth, result: "refused", httpStatus: 404 },
                { principal: "alice", team: "payments", role: "member", action: "create", workload: null, result: "refused", httpStatus: 403 },
                { principal: null, team: null, role: null, action: "create", workload: null, result: "refused", httpStatus: 401 },
            ]);
            for (const entry of entries) t.regex(entry.time, /^\d{4}-\d\d-\d\dT/);
            t.regex(entries[2].error, /you act for team payments/);
            for (const token of [...Object.values(TOKENS), "stolen-or-wrong-token"]) t.false(text.includes(token));
            t.is(fs.statSync(path.join(stateDir, "audit.log")).mode & 0o777, 0o600);
        },
        (stateDir) => {
            ids = [seedWorkload(stateDir, workload("payments", "orders")), seedWorkload(stateDir, workload("growth", "signup"))];
            writeTokensFile(stateDir);
            fs.writeFileSync(path.join(stateDir, "audit.log"), '{"earlier":"line"}\n', { mode: 0o600 });
        },
    );
});

// ---- namespace ownership ----

test("system namespaces are refused with 400 (Kubernetes reserves kube-*)", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN }, async (portal) => {
        for (const namespace of ["kube-system", "kube-public", "kube-node-lease", "default", "kube-anything"]) {
            const reply = await call(portal, "POST", "/workloads", { ...workload("payments", namespace), createNamespace: false }, admin);
            t.is(reply.status, 400, namespace);
            t.deepEqual(fields(reply), ["namespace"], namespace);
            t.regex(reply.body.problems[0].message, /system namespace/);
        }
    });
});

test("a namespace belongs to the team that applied there first; fresh previews hold it; other teams get 409 naming the owner", async (t) => {
    let ids: Record<string, string> = {};
    await withPortal(
        t,
        (stateDir) => ({ tokensFile: path.join(stateDir, "tokens.yaml") }),
        async (portal) => {
            // growth joining payments' namespace without creating it: the finding's way in.
            const join = await call(portal, "POST", "/workloads", { ...workload("growth", "orders", { serviceAccount: "spy" }), createNamespace: false }, bearer(TOKENS.bob));
            t.is(join.status, 409, JSON.stringify(join.body));
            t.deepEqual(fields(join), ["namespace"]);
            t.regex(join.body.problems[0].message, /belongs to team payments/);
            // A preview of payments not yet applied holds "carts" for its TTL.
            const held = await call(portal, "POST", "/workloads", workload("growth", "carts", { serviceAccount: "web" }), bearer(TOKENS.bob));
            t.is(held.status, 409);
            t.regex(held.body.problems[0].message, /held by a preview of team payments until/);
            // The admin is bound by ownership too: it acts for a team.
            t.is((await call(portal, "POST", "/workloads", { ...workload("growth", "orders", { serviceAccount: "x" }), createNamespace: false }, bearer(TOKENS.root))).status, 409);
            // growth's preview of "shop" expired; payments applied there since: applying the stale preview is refused.
            const stale = await call(portal, "POST", `/workloads/${ids.staleGrowth}/apply`, undefined, bearer(TOKENS.bob));
            t.is(stale.status, 409, JSON.stringify(stale.body));
            t.regex(stale.body.error, /belongs to team payments/);
        },
        (stateDir) => {
            writeTokensFile(stateDir);
            ids = {
                orders: seedWorkload(stateDir, workload("payments", "orders")),
                carts: seedWorkload(stateDir, workload("payments", "carts"), "previewed", 1),
                staleGrowth: seedWorkload(stateDir, workload("growth", "shop"), "previewed", 30),
                shop: seedWorkload(stateDir, workload("payments", "shop", { serviceAccount: "web" })),
            };
        },
    );
});

test("a preview's claim expires after previewClaimTtlMs; applied workloads hold theirs (Ownership rules)", (t) => {
    const ttlMs = 15 * 60_000;
    const clock = new ManualClock();
    const ownership = new Ownership(ttlMs, clock);
    const claim = (team: string, status: string, extra: Partial<Claim> = {}): Claim => ({
        id: `${team}-${status}`, team, cluster: "prod", namespace: "orders", serviceAccount: "api", status, createdAt: new Date(clock.now()).toISOString(), request: {}, ...extra,
    });
    const preview = claim("payments", "previewed");
    const running = claim("payments", "previewing");
    const applied = claim("payments", "previewed", { appliedAt: new Date(clock.now()).toISOString() });
    const failed = claim("payments", "failed");
    const wanted = claim("growth", "previewing", { serviceAccount: "web" });

    clock.advance(ttlMs - 1);
    const held = ownership.conflict(wanted, [preview]);
    t.is(held?.problem.field, "namespace", "a preview holds its namespace to the last millisecond of its TTL");
    t.true(held?.problem.message.includes(`until it is applied or ${new Date(clock.now() + 1).toISOString()}`), held?.problem.message);
    t.is(ownership.conflict(wanted, [preview], true), undefined, "at apply, previews of others do not count: the first apply takes it");
    clock.advance(1);
    t.is(ownership.conflict(wanted, [preview]), undefined, "an expired preview blocks nobody");
    t.is(ownership.conflict({ ...wanted, serviceAccount: "api" }, [preview]), undefined, "nor its service account");

    clock.advance(100 * ttlMs);
    t.is(ownership.conflict(wanted, [applied])?.problem.field, "namespace", "an applied one always does");
    t.is(ownership.conflict(wanted, [failed])?.problem.field, "namespace", "failed means applied");
    t.is(ownership.conflict(wanted, [running])?.problem.field, "namespace", "a preview still running holds it");
});

test("DELETE of the workload that created a namespace others still use is refused with 409 naming them", async (t) => {
    let ids: Record<string, string> = {};
    await withPortal(
        t,
        (stateDir) => ({ tokensFile: path.join(stateDir, "tokens.yaml") }),
        async (portal) => {
            const refused = await call(portal, "DELETE", `/workloads/${ids.creator}`, undefined, bearer(TOKENS.alice));
            t.is(refused.status, 409, JSON.stringify(refused.body));
            t.deepEqual(refused.body.workloads, [ids.joiner]);
            t.regex(refused.body.error, new RegExp(`${ids.joiner} \\(team payments\\) still uses`));
        },
        (stateDir) => {
            writeTokensFile(stateDir);
            ids = {
                creator: seedWorkload(stateDir, workload("payments", "orders")),
                joiner: seedWorkload(stateDir, workload("payments", "orders", { serviceAccount: "worker", createNamespace: false })),
            };
        },
    );
});

// ---- managed policies ----

test("managed policies: an allowlist of exact ARNs, deny by default (customer-managed, job-function, unlisted AWS ones)", async (t) => {
    const allowed = ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"];
    await withPortal(t, { token: ADMIN_TOKEN, policy: { allowedManagedPolicyArns: allowed } }, async (portal) => {
        const reply = await call(
            portal,
            "POST",
            "/workloads",
            workload("payments", "orders", {
                managedPolicyArns: [
                    "arn:aws:iam::111122223333:policy/team-managed",
                    "arn:aws:iam::aws:policy/job-function/SystemAdministrator",
                    "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                ],
            }),
            admin,
        );
        t.is(reply.status, 400);
        t.deepEqual(fields(reply), [0, 1, 2, 3].map((i) => `managedPolicyArns[${i}]`));
        for (const problem of reply.body.problems) t.true(problem.message.includes(`the portal allows ${allowed[0]}`), problem.message);
    });
    // The default allowlist is read-only policies; nothing privileged can be configured onto it.
    for (const arn of ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/job-function/SystemAdministrator", "not-an-arn"]) {
        t.throws(() => checkAllowlist([arn]), undefined, arn);
        const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
        await t.throwsAsync(startPortal({ port: 0, root: ".", env: { PULUMI_CONFIG_PASSPHRASE: "x" }, stateDir, clusters: [{ arn: CLUSTER_ARN }], token: ADMIN_TOKEN, policy: { allowedManagedPolicyArns: [arn] } }));
        fs.rmSync(stateDir, { recursive: true, force: true });
    }
    for (const arn of DEFAULT_ALLOWED_MANAGED_POLICY_ARNS) t.regex(arn, /ReadOnlyAccess$/);
    // From the environment: a comma-separated list, or a policy file.
    t.deepEqual(allowlistFromEnvironment({ PORTAL_ALLOWED_MANAGED_POLICIES: ` ${allowed[0]} ,` }), allowed);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-policy-"));
    fs.writeFileSync(path.join(dir, "policy.yaml"), `allowedManagedPolicyArns:\n  - ${allowed[0]}\n`);
    t.deepEqual(allowlistFromEnvironment({ PORTAL_POLICY_FILE: path.join(dir, "policy.yaml") }), allowed);
    fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify({ allowedManagedPolicyArns: ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"] }));
    t.throws(() => allowlistFromEnvironment({ PORTAL_POLICY_FILE: path.join(dir, "policy.json") }), { message: /job-function/ });
    t.is(allowlistFromEnvironment({}), undefined);
    fs.rmSync(dir, { recursive: true, force: true });
});

// ---- crash safety ----

/** Children of `pid` whose command line contains `text`, from /proc. */
function childrenOf(pid: number, text: string): number[] {
    const found: number[] = [];
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (ppid === pid && fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) found.push(Number(entry));
        } catch {
            // gone meanwhile
        }
    }
    return found;
}

test("a worker dies with its portal: SIGKILL of the portal ends the running operation's worker, which would otherwise wait on", async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    const main = path.resolve(__dirname, "../../examples/portal/main.js");
    // The CLI reads the passphrase when it creates the stack: from a FIFO nobody writes, it waits for good, and so does
    // the operation's worker unless the portal's death ends it.
    const passphrase = path.join(stateDir, "passphrase.fifo");
    t.is(spawnSync("mkfifo", [passphrase]).status, 0);
    const { PULUMI_CONFIG_PASSPHRASE: _passphrase, ...inherited } = process.env;
    const portal = spawn(process.execPath, [main], {
        env: { ...inherited, PORTAL_CLUSTERS: CLUSTER_ARN, PORTAL_TOKEN: ADMIN_TOKEN, PORTAL_PORT: "0", PORTAL_STATE_DIR: stateDir, PULUMI_CONFIG_PASSPHRASE_FILE: passphrase },
        stdio: ["ignore", "pipe", "inherit"],
    });
    let workers: number[] = [];
    try {
        const url = await new Promise<string>((resolve, reject) => {
            let out = "";
            portal.stdout!.on("data", (chunk) => {
                out += chunk;
                const match = /listening on (\S+)/.exec(out);
                if (match) resolve(match[1]);
            });
            portal.once("exit", () => reject(new Error(`the portal exited: ${out}`)));
        });
        // A preview: its worker validates with the component, then runs the CLI; the reply waits for it.
        void fetch(`${url}/workloads`, { method: "POST", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify(workload("payments", "orders")) }).catch(() => undefined);
        for (const until = performance.now() + 30_000; workers.length === 0 && performance.now() < until; ) {
            await sleep(50);
            workers = childrenOf(portal.pid!, "worker.js");
        }
        t.is(workers.length, 1, "the preview's worker runs");
        portal.kill("SIGKILL");
        const killedAt = performance.now();
        // About a second on a quiet machine (loading the component blocks the worker's event loop meanwhile).
        while (isRunning(workers[0]) && performance.now() - killedAt < 30_000) await sleep(20);
        t.false(isRunning(workers[0]), "the worker outlived its portal");
        t.log(`worker ended ${Math.round(performance.now() - killedAt)} ms after the portal's SIGKILL`);
    } finally {
        portal.kill("SIGKILL");
        for (const worker of workers.filter(isRunning)) process.kill(-worker, "SIGKILL"); // its process group: the CLI too
        fs.rmSync(stateDir, { recursive: true, force: true });
    }
});

test("fence: no operation starts on a stack whose backend lock a running process of a previous run holds", async (t) => {
    let id = "";
    const holder = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
        await withPortal(
            t,
            { token: ADMIN_TOKEN },
            async (portal) => {
                for (const [method, route] of [["POST", `/workloads/${id}/apply`], ["DELETE", `/workloads/${id}`]]) {
                    const reply = await call(portal, method, route, undefined, admin);
                    t.is(reply.status, 409, `${method} ${route}: ${JSON.stringify(reply.body)}`);
                    t.true(reply.body.error.includes(`pid ${holder.pid} on ${os.hostname()}`), reply.body.error);
                }
                t.is((await call(portal, "GET", `/workloads/${id}`, undefined, admin)).body.status, "failed", "the record is untouched");
            },
            (stateDir) => {
                id = seedWorkload(stateDir, workload("payments", "orders"));
                const file = path.join(stateDir, "workloads", `${id}.json`);
                fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), status: "failed", recoverable: true }));
                const locks = path.join(stateDir, "backend", ".pulumi", "locks", "organization", PROJECT, id);
                fs.mkdirSync(locks, { recursive: true });
                fs.writeFileSync(path.join(locks, "0b1c.json"), JSON.stringify({ pid: holder.pid, username: "portal", hostname: os.hostname(), timestamp: new Date().toISOString() }));
            },
        );
    } finally {
        holder.kill("SIGKILL");
    }
    // A lock whose process is gone is stale: the fence lets the recovery (which removes it) run.
    const dead = spawnSync("true").pid;
    const stale = path.join(os.tmpdir(), `portal-lock-${process.pid}`);
    fs.mkdirSync(path.join(stale, ".pulumi", "locks", "organization", PROJECT, "w"), { recursive: true });
    fs.writeFileSync(path.join(stale, ".pulumi", "locks", "organization", PROJECT, "w", "a.json"), JSON.stringify({ pid: dead, hostname: os.hostname() }));
    t.deepEqual(await liveLockHolders(localBackendFiles(stale), PROJECT, "w"), []);
    fs.writeFileSync(path.join(stale, ".pulumi", "locks", "organization", PROJECT, "w", "b.json"), JSON.stringify({ pid: dead, hostname: "another-host" }));
    t.deepEqual((await liveLockHolders(localBackendFiles(stale), PROJECT, "w")).map((h) => h.hostname), ["another-host"], "another host's lock cannot be probed: it counts");
    fs.rmSync(stale, { recursive: true, force: true });
});

// ---- issue 24: a bounded audit log, an end line for every operation, identity headers, settings, paths ----

/** Sends one raw HTTP/1.1 request (headers exactly as given, repeated ones too) and returns the reply's status. */
function rawStatus(portal: Portal, head: string): Promise<number> {
    const { port } = new URL(portal.url);
    return new Promise((resolve, reject) => {
        let received = "";
        const socket = net.connect(Number(port), "127.0.0.1", () => socket.write(`${head}Host: portal\r\nConnection: close\r\n\r\n`));
        socket.on("data", (chunk) => (received += chunk.toString()));
        socket.on("error", reject);
        socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1])));
    });
}

const auditLines = (stateDir: string): any[] =>
    fs.readFileSync(path.join(stateDir, "audit.log"), "utf8").trimEnd().split("\n").filter(Boolean).map((line) => JSON.parse(line));

test("audit log: request data is checked before it is logged, lines are bounded, unauthenticated refusals past a burst are one summary line per window", async (t) => {
    const clock = new ManualClock();
    await withPortal(t, { token: ADMIN_TOKEN, clock, auditLimits: { unauthenticatedBurst: 3, unauthenticatedWindowMs: 60_000 } }, async (portal, stateDir) => {
        const long = "A".repeat(7000);
        for (let i = 0; i < 10; i++) t.is((await call(portal, "DELETE", `/workloads/${long}${i}`)).status, 401);
        // Authenticated, with a path segment that is no workload id (and a forged line in it).
        const forged = encodeURIComponent('x"}\n{"principal":"root"');
        t.is((await call(portal, "DELETE", `/workloads/${forged}${long}`, undefined, admin)).status, 404);
        const text = fs.readFileSync(path.join(stateDir, "audit.log"), "utf8");
        t.false(text.includes("AAAAAAAA"), "a path segment is never echoed into the log");
        for (const line of text.trimEnd().split("\n")) t.true(Buffer.byteLength(line) < 2048, `a line of ${Buffer.byteLength(line)} bytes`);
        let entries = auditLines(stateDir);
        t.is(entries.length, 4, "3 unauthenticated refusals one by one (the burst), then the admin's");
        t.deepEqual(entries.slice(0, 3).map((e) => [e.principal, e.workload, e.httpStatus]), Array(3).fill([null, "<invalid>", 401]));
        t.deepEqual([entries[3].principal, entries[3].workload, entries[3].httpStatus, entries[3].error], ["portal-token", "<invalid>", 404, "no such workload"]);
        // The window ends: the 7 counted ones are one line.
        clock.advance(60_000);
        entries = auditLines(stateDir);
        t.is(entries.length, 5);
        t.like(entries[4], { principal: null, action: null, result: "refused", unauthenticatedRefused: 7, windowSeconds: 60 });
        t.regex(entries[4].error, /^7 more unauthenticated requests refused in the last 60 s/);
        // The next window logs its burst one by one again.
        t.is((await call(portal, "POST", "/workloads", workload("payments", "x"))).status, 401);
        t.is(auditLines(stateDir).length, 6);
    });
});

test("audit log: rotated to audit.log.1 … at its size cap, keeping the configured number; lines stay whole", (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-audit-"));
    const file = path.join(dir, "audit.log");
    const log = new AuditLog(file, { maxBytes: 1000, keep: 2 }, new ManualClock());
    for (let i = 0; i < 40; i++) log.record({ name: "alice", team: "payments", role: "member" }, { action: "apply", workload: null, result: "refused", httpStatus: 404, error: `attempt ${i}` });
    log.close();
    t.deepEqual(fs.readdirSync(dir).sort(), ["audit.log", "audit.log.1", "audit.log.2"]);
    const all: any[] = [];
    for (const name of ["audit.log.2", "audit.log.1", "audit.log"]) {
        const text = fs.readFileSync(path.join(dir, name), "utf8");
        t.true(Buffer.byteLength(text) <= 1000, `${name}: ${Buffer.byteLength(text)} bytes`);
        t.is(fs.statSync(path.join(dir, name)).mode & 0o777, 0o600);
        all.push(...text.trimEnd().split("\n").map((line) => JSON.parse(line)));
    }
    // The newest lines, in order, none torn; the oldest were dropped with the oldest file.
    t.is(all[all.length - 1].error, "attempt 39");
    t.deepEqual(all.map((e) => Number(e.error.split(" ")[1])), all.map((_, i) => 40 - all.length + i));
    fs.rmSync(dir, { recursive: true, force: true });
});

test("a repeated identity header is refused (401), never joined into a principal; a principal name with a comma is refused", async (t) => {
    const secret = "proxy-secret-0123456789abcdef";
    await withPortal(t, { token: ADMIN_TOKEN, proxySecret: secret }, async (portal, stateDir) => {
        const proxy = `X-Portal-Proxy-Secret: ${secret}\r\nX-Portal-Team: payments\r\n`;
        t.is(await rawStatus(portal, `GET /workloads HTTP/1.1\r\n${proxy}X-Portal-User: victim\r\n`), 200, "one user header is believed");
        t.is(await rawStatus(portal, `GET /workloads HTTP/1.1\r\n${proxy}X-Portal-User: victim\r\nX-Portal-User: eve\r\n`), 401);
        t.is(await rawStatus(portal, `GET /workloads HTTP/1.1\r\n${proxy}X-Portal-User: victim, eve\r\n`), 401);
        t.is(await rawStatus(portal, `GET /workloads HTTP/1.1\r\n${proxy}X-Portal-Team: growth\r\nX-Portal-User: eve\r\n`), 401, "a repeated team");
        t.is(await rawStatus(portal, `GET /workloads HTTP/1.1\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nAuthorization: Bearer other\r\n`), 401, "a repeated Authorization");
        t.is(await rawStatus(portal, `DELETE /workloads/x HTTP/1.1\r\n${proxy}X-Portal-User: victim\r\nX-Portal-User: eve\r\n`), 401);
        const entries = auditLines(stateDir);
        t.is(entries.length, 1);
        t.like(entries[0], { principal: null, httpStatus: 401 });
        t.regex(entries[0].error, /x-portal-user header is repeated/);
    });
    t.throws(() => checkTokenEntries([{ name: "victim,eve", team: "payments", role: "member", sha256: hashToken("t") }]), { message: /no commas/ });
});

test("every numeric setting is checked at start: a bad PORTAL_* value stops main.js naming the variable", (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    const main = path.resolve(__dirname, "../../examples/portal/main.js");
    for (const [name, value] of [
        ["PORTAL_PREVIEW_CLAIM_TTL_MS", "15m"],
        ["PORTAL_PREVIEW_CLAIM_TTL_MS", "-5"],
        ["PORTAL_PORT", "http"],
        ["PORTAL_PORT", "70000"],
        ["PORTAL_REPLICA_LEASE_MS", "30s"],
        ["PORTAL_AUDIT_MAX_BYTES", "64MiB"],
        ["PORTAL_AUDIT_KEEP", "0"],
        ["PORTAL_AUDIT_UNAUTHENTICATED_WINDOW_MS", "1e3"],
        ["PORTAL_AUDIT_UNAUTHENTICATED_BURST", "lots"],
        ["PORTAL_SHUTDOWN_GRACE_MS", "2.5"],
    ]) {
        // Before the check, a NaN TTL started a portal that held no namespace: it would listen until the timeout.
        const run = spawnSync(process.execPath, [main], {
            env: { PATH: process.env.PATH, PORTAL_CLUSTERS: CLUSTER_ARN, PORTAL_TOKEN: ADMIN_TOKEN, PORTAL_PORT: "0", PORTAL_STATE_DIR: stateDir, PULUMI_CONFIG_PASSPHRASE: "x", [name]: value },
            encoding: "utf8",
            timeout: 20_000,
        });
        t.is(run.status, 1, `${name}=${value}: ${run.stdout}`);
        t.regex(run.stderr, new RegExp(`^${name} must be a whole number`), `${name}=${value}`);
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
});

test("startPortal refuses a preview-claim TTL that is not a whole number of at least 1000 ms", async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-http-"));
    for (const previewClaimTtlMs of [Number("15m"), -1, 0.5]) {
        await t.throwsAsync(startPortal({ port: 0, root: ".", env: { PULUMI_CONFIG_PASSPHRASE: "x" }, stateDir, clusters: [{ arn: CLUSTER_ARN }], token: ADMIN_TOKEN, previewClaimTtlMs }), {
            message: /^previewClaimTtlMs \(PORTAL_PREVIEW_CLAIM_TTL_MS\) must be a whole number at least 1000/,
        });
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
});

/** A stack's checkpoint in the portal's file backend (`<stateDir>/backend`), holding `resources`. */
function seedStack(stateDir: string, id: string, resources: unknown[] = []): string {
    const dir = path.join(stateDir, "backend", ".pulumi", "stacks", PROJECT);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${id}.json`);
    fs.writeFileSync(file, JSON.stringify({ version: 3, checkpoint: { stack: `organization/${PROJECT}/${id}`, latest: { resources } } }));
    fs.mkdirSync(path.join(stateDir, "stacks", id), { recursive: true });
    return file;
}

/** A record whose operation was running in a portal that is gone (a pid that no longer runs, on this host). */
function seedInterrupted(stateDir: string, request: WorkloadRequest, operation: "apply" | "preview"): string {
    const id = seedWorkload(stateDir, request, operation === "apply" ? "applied" : "previewed");
    const file = path.join(stateDir, "workloads", `${id}.json`);
    const record = JSON.parse(fs.readFileSync(file, "utf8"));
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    Object.assign(record, {
        status: operation === "apply" ? "applying" : "previewing",
        lastOperation: { operation, result: "running", startedAt: record.createdAt },
        runner: { replica: `${os.hostname()}:${dead}:gone`, host: os.hostname(), pid: dead },
        startedBy: { name: "alice", team: request.team, role: "member" },
    });
    fs.writeFileSync(file, JSON.stringify(record));
    return id;
}

test("an operation cut short gets its end line when a restarted portal settles it; a killed preview's stack is removed, and so is any stack no record owns that holds nothing", async (t) => {
    let applying = "", previewing = "", orphan = "", kept = "";
    await withPortal(
        t,
        { token: ADMIN_TOKEN },
        async (portal, stateDir) => {
            const ends = auditLines(stateDir).filter((e) => e.result === "succeeded" || e.result === "failed");
            t.deepEqual(
                ends.map(({ principal, team, action, workload: w, result, settledAtStart }) => ({ principal, team, action, workload: w, result, settledAtStart })).sort((a, b) => a.action.localeCompare(b.action)),
                [
                    { principal: "alice", team: "payments", action: "apply", workload: applying, result: "failed", settledAtStart: true },
                    { principal: "alice", team: "payments", action: "create", workload: previewing, result: "failed", settledAtStart: true },
                ],
            );
            t.is((await call(portal, "GET", `/workloads/${applying}`, undefined, admin)).body.status, "failed");
            t.is((await call(portal, "GET", `/workloads/${previewing}`, undefined, admin)).status, 404, "a killed preview created nothing");
            const stacks = path.join(stateDir, "backend", ".pulumi", "stacks", PROJECT);
            t.deepEqual(fs.readdirSync(stacks).sort(), [`${applying}.json`, `${kept}.json`].sort(), "the killed preview's stack and the empty orphan are gone");
            t.false(fs.existsSync(path.join(stateDir, "stacks", previewing)));
            t.false(fs.existsSync(path.join(stateDir, "stacks", orphan)));
        },
        (stateDir) => {
            applying = seedInterrupted(stateDir, workload("payments", "orders"), "apply");
            previewing = seedInterrupted(stateDir, workload("payments", "ledger"), "preview");
            seedStack(stateDir, applying, [{ urn: "urn:pulumi:x::y::aws:iam/role:Role::r", custom: true, type: "aws:iam/role:Role" }]);
            seedStack(stateDir, previewing);
            orphan = workloadId(workload("payments", "gone"));
            seedStack(stateDir, orphan);
            kept = workloadId(workload("payments", "held"));
            seedStack(stateDir, kept, [{ urn: "urn:pulumi:x::y::aws:iam/role:Role::r", custom: true, type: "aws:iam/role:Role" }]);
        },
    );
});

test("no absolute server path reaches a member: hints, errors and diagnostics name placeholders", async (t) => {
    let id = "";
    await withPortal(
        t,
        { token: ADMIN_TOKEN, env: { PULUMI_CONFIG_PASSPHRASE: "unused", PULUMI_HOME: "/srv/portal/.pulumi-home" } },
        async (portal, stateDir) => {
            const reply = await call(portal, "GET", `/workloads/${id}`, undefined, admin);
            const text = JSON.stringify(reply.body);
            for (const leaked of [stateDir, "/srv/portal", "/home/runner", os.tmpdir() + "/", "/usr/lib/"]) t.false(text.includes(leaked), `${leaked} in ${text}`);
            t.regex(reply.body.lastOperation.diagnostics[0], /<work-dirs>\/.+\/Pulumi\.yaml/);
            t.regex(reply.body.lastOperation.diagnostics[1], /<pulumi-home>\/plugins/);
            t.true(reply.body.lastOperation.diagnostics[2].includes("arn:aws:s3:::bucket/home/x and https://example.com/usr/lib"), "ARNs and URLs are kept");
            t.is(reply.body.outputs.awsConfigFile, "credential_process = /etc/aws-pod-identity/credential-process.sh", "the workload's own paths are its data");
        },
        (stateDir) => {
            id = seedWorkload(stateDir, workload("payments", "orders"));
            const file = path.join(stateDir, "workloads", `${id}.json`);
            const record = JSON.parse(fs.readFileSync(file, "utf8"));
            Object.assign(record, {
                status: "failed",
                outputs: { awsConfigFile: "credential_process = /etc/aws-pod-identity/credential-process.sh" },
                recoverable: false,
                hint: `inspect it with pulumi stack export in ${path.join(stateDir, "stacks", id)}`,
                lastOperation: {
                    operation: "apply",
                    result: "failed",
                    startedAt: record.createdAt,
                    error: `open ${path.join(stateDir, "stacks", id, "Pulumi.yaml")}: permission denied`,
                    diagnostics: [
                        `reading ${path.join(stateDir, "stacks", id, "Pulumi.yaml")}`,
                        "loading /srv/portal/.pulumi-home/plugins/resource-kubernetes-v4/pulumi-resource-kubernetes",
                        "at /usr/lib/node_modules/x.js and /home/runner/.aws/credentials, arn:aws:s3:::bucket/home/x and https://example.com/usr/lib",
                    ],
                },
            });
            fs.writeFileSync(file, JSON.stringify(record));
        },
    );
});

test("on shutdown every process descended from a worker ends, also one in a session of its own that ignores SIGTERM", async (t) => {
    // A worker-like tree: a shell (its own process group) whose child starts a plugin-like process in a new session
    // that ignores SIGTERM, as the CLI's plugins (process groups of their own) outlived the portal's SIGTERM.
    const script = "setsid sh -c 'trap \"\" TERM; while true; do sleep 1; done' & wait";
    const root = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
    let plugin: number[] = [];
    for (const until = performance.now() + 30_000; plugin.length === 0 && performance.now() < until; ) {
        await sleep(20);
        plugin = descendantsOf(root.pid!).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("trap"));
    }
    t.is(plugin.length, 1, "the plugin-like process runs");
    const seen = await stopProcessTree(root.pid!, 200, systemClock, 20);
    t.true(seen.includes(plugin[0]), "recorded before the kill");
    // Killed is enough: a zombie whose new parent (the container's init) does not reap it runs nothing.
    const runs = (pid: number) => {
        try {
            return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
        } catch {
            return false;
        }
    };
    for (const pid of [root.pid!, ...seen]) t.false(runs(pid), `pid ${pid} still runs: ${runs(pid) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8") : ""} (root ${root.pid})`);
});

test("a client that goes away while its create's preview runs is not logged as refused (499): the line carries the reply the preview decided", async (t) => {
    await withPortal(t, { token: ADMIN_TOKEN }, async (portal, stateDir) => {
        // Passes the portal's checks; the component's validation (in the preview's worker, no CLI) rejects the action.
        const body = workload("payments", "orders", { policyStatements: [{ actions: ["s3:GetObjekt"], resources: ["arn:aws:s3:::orders-data/*"] }] });
        const abort = new AbortController();
        const reply = fetch(`${portal.url}/workloads`, { method: "POST", headers: { ...admin, "content-type": "application/json" }, body: JSON.stringify(body), signal: abort.signal }).catch(() => undefined);
        // Gone once the preview has started (its record is written first), not before.
        const records = path.join(stateDir, "workloads");
        for (const until = performance.now() + 20_000; !(fs.existsSync(records) && fs.readdirSync(records).length > 0) && performance.now() < until; ) await sleep(10);
        abort.abort();
        await reply;
        const lines = () => auditLines(stateDir).filter((e) => e.action === "create");
        for (const until = performance.now() + 30_000; lines().length < 2 && performance.now() < until; ) await sleep(50);
        // The end line is written as the preview ends, the request's as its reply would have been sent: just after.
        const request = lines().find((e) => e.httpStatus !== undefined);
        const end = lines().find((e) => e.httpStatus === undefined);
        t.like(request, { principal: "portal-token", result: "refused", httpStatus: 400, clientGone: true, workload: workloadId(body) });
        t.like(end, { principal: "portal-token", result: "failed", workload: workloadId(body) });
        t.is(lines().length, 2, "one request line, one end line");
    });
});
