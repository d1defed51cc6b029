import test from "ava";
import * as fs from "fs";
import { ActionCheck, actionCatalogSource, checkAction, checkGlobalConditionKey } from "../provider/iam/actions";
import { ActionCatalogFile, buildActionCatalog, defaultCatalogPath, renderActionCatalog } from "../provider/tools/catalog/generate-action-catalog";

function reasonOf(check: ActionCheck): string | undefined {
    return check.ok ? undefined : check.reason;
}

const known = [
    "s3:GetObject",
    "secretsmanager:GetSecretValue",
    "sts:AssumeRole",
    "sts:TagSession",
    "eks:DescribeCluster",
    "kms:Decrypt",
    "dynamodb:Query",
    // The one hyphenated action name in the data.
    "vpc-lattice:AssociateViaAWSService-EventsAndStates",
];

for (const action of known) {
    test(`known action ${action} is accepted`, (t) => {
        t.deepEqual(checkAction(action), { ok: true });
    });
}

test("action names are case-insensitive", (t) => {
    for (const action of ["s3:getobject", "s3:GETOBJECT", "secretsmanager:getSecretValue", "sts:assumerole"]) {
        t.deepEqual(checkAction(action), { ok: true }, action);
    }
});

test("service prefixes are case-insensitive, as in IAM", (t) => {
    for (const action of ["S3:GetObject", "Sts:AssumeRole", "EKS:describecluster", "SecretsManager:Get*"]) {
        t.deepEqual(checkAction(action), { ok: true }, action);
    }
});

test("wildcards matching at least one action are accepted", (t) => {
    for (const action of ["s3:Get*", "s3:*", "ec2:Describe*", "s3:get*", "s3:*Object", "s3:GetObjec?", "s3:?etObject", "sts:Assume*", "eks:*Cluster*", "s3:**"]) {
        t.deepEqual(checkAction(action), { ok: true }, action);
    }
});

test('"*" is accepted', (t) => {
    t.deepEqual(checkAction("*"), { ok: true });
});

test("wildcards matching nothing are rejected", (t) => {
    t.is(reasonOf(checkAction("s3:Gett*")), '"s3:Gett*" matches no s3 action');
    t.is(reasonOf(checkAction("s3:GetObject?")), '"s3:GetObject?" matches no s3 action');
    t.is(reasonOf(checkAction("sts:*Bucket")), '"sts:*Bucket" matches no sts action');
    t.is(reasonOf(checkAction("S3:Gett*")), '"S3:Gett*" matches no s3 action');
});

test("pathological wildcard patterns finish", (t) => {
    // Against every ec2 action, a backtracking matcher that retries each `*` takes exponential time in the number of
    // stars (2^60 steps here, centuries); the linear one takes milliseconds. ava's per-test timeout is the bound, so
    // the verdict does not depend on how busy the machine is, only on the algorithm's order.
    t.false(checkAction(`ec2:${"*a".repeat(60)}*z`).ok);
    t.true(checkAction(`ec2:${"*e".repeat(3)}*s`).ok, "the same shape that matches still matches");
});

test("an unknown service prefix is rejected with the closest known prefix", (t) => {
    t.is(reasonOf(checkAction("s4:GetObject")), 'unknown service prefix "s4" (did you mean "s3"?)');
    t.is(reasonOf(checkAction("ekz:DescribeCluster")), 'unknown service prefix "ekz" (did you mean "eks"?)');
    t.is(reasonOf(checkAction("secretmanager:GetSecretValue")), 'unknown service prefix "secretmanager" (did you mean "secretsmanager"?)');
    t.is(reasonOf(checkAction("S4:GetObject")), 'unknown service prefix "s4" (did you mean "s3"?)');
});

test("an unknown service prefix far from every known one gets no suggestion", (t) => {
    t.is(reasonOf(checkAction("notaservice:GetObject")), 'unknown service prefix "notaservice"');
    // A suggestion must not be a complete rewrite of a short input.
    t.is(reasonOf(checkAction("xx:Get")), 'unknown service prefix "xx"');
});

test("names of Object.prototype members are not service prefixes", (t) => {
    t.is(reasonOf(checkAction("constructor:GetObject")), 'unknown service prefix "constructor"');
    t.is(checkAction("tostring:Get*").ok, false);
    t.is(checkAction("hasownproperty:Get").ok, false);
});

test("an unknown action is rejected with the closest action of the service", (t) => {
    t.is(reasonOf(checkAction("s3:GetObjectz")), 'unknown action "GetObjectz" for service "s3" (did you mean "GetObject"?)');
    t.is(reasonOf(checkAction("sts:AssumeRoel")), 'unknown action "AssumeRoel" for service "sts" (did you mean "AssumeRole"?)');
    t.is(reasonOf(checkAction("secretsmanager:getsecretvalues")), 'unknown action "getsecretvalues" for service "secretsmanager" (did you mean "GetSecretValue"?)');
    t.is(reasonOf(checkAction("eks:DescribeClusters")), 'unknown action "DescribeClusters" for service "eks" (did you mean "DescribeCluster"?)');
});

test("an unknown action far from every action of the service gets no suggestion", (t) => {
    t.is(reasonOf(checkAction("s3:LaunchRockets")), 'unknown action "LaunchRockets" for service "s3"');
    // A real action of another service.
    t.is(reasonOf(checkAction("sts:GetSecretValue")), 'unknown action "GetSecretValue" for service "sts"');
});

test("malformed strings are rejected", (t) => {
    const malformed = ["", "s3", "s3:", ":GetObject", ":", "s3:Get Object", " s3:GetObject", "s3:GetObject ", "s3:Get:Object",
        "s_3:GetObject", "*:GetObject", "s3*:GetObject", "arn:aws:s3:::bucket", "s3:Get.Object", "**"];
    for (const action of malformed) {
        const reason = reasonOf(checkAction(action));
        t.truthy(reason, JSON.stringify(action));
        t.true(reason!.startsWith(`malformed action ${JSON.stringify(action)}:`), reason);
    }
    t.regex(reasonOf(checkAction("s3"))!, /expected "<service>:<Action>"/);
    t.regex(reasonOf(checkAction(":GetObject"))!, /service prefix before ':' is missing/);
    t.regex(reasonOf(checkAction("s3:"))!, /action name after ':' is missing/);
    t.regex(reasonOf(checkAction("s3:Get Object"))!, /action name may contain only/);
    t.regex(reasonOf(checkAction("s_3:GetObject"))!, /service prefix may contain only/);
});

test("non-string input from JavaScript callers is rejected, not thrown", (t) => {
    t.is(reasonOf(checkAction(42 as unknown as string)), "expected an IAM action string, got number");
});

test("the catalog names its iam-data source", (t) => {
    t.regex(actionCatalogSource(), /^@cloud-copilot\/iam-data@\d+\.\d+\.\d+/);
});

test("lookups read the catalog once, not per call", (t) => {
    // What keeps a lookup cheap is that the 510 KB catalog is parsed once and each service's actions indexed once;
    // counting file reads checks that without timing anything (timings belong in `npm run bench`).
    checkAction("s3:GetObject");
    // The fs module itself (the one Node.js's loader reads JSON with), not the namespace copy an import makes.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeFs: { readFileSync: typeof fs.readFileSync } = require("fs");
    const readFileSync = nodeFs.readFileSync;
    let reads = 0;
    nodeFs.readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
        reads++;
        return readFileSync(...args);
    }) as typeof fs.readFileSync;
    try {
        for (let i = 0; i < 1000; i++) {
            t.true(checkAction("s3:GetObject").ok);
            t.true(checkAction("ec2:DescribeInstances").ok);
            t.false(checkAction("s3:Gett*").ok);
        }
    } finally {
        nodeFs.readFileSync = readFileSync;
    }
    t.is(reads, 0);
});

test("the committed catalog matches the installed iam-data (drift)", (t) => {
    const started = Date.now();
    const generated = buildActionCatalog();
    const rendered = renderActionCatalog(generated);
    t.log(`regenerated from ${generated.source} in ${Date.now() - started} ms`);
    const committedPath = defaultCatalogPath();
    if (fs.existsSync(committedPath)) {
        t.is(fs.readFileSync(committedPath, "utf8"), rendered,
            "provider/iam/action-catalog.json is stale: run `npx tsc -p . && node dist/provider/tools/catalog/generate-action-catalog.js`");
    } else {
        t.log(`no committed catalog at ${committedPath}; comparing with the copy the runtime loads`);
    }
    // The copy next to the compiled runtime (tsc re-indents it, so compare contents rather than text).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- exactly what the library's own require loads
    const loaded = require("../provider/iam/action-catalog.json") as ActionCatalogFile;
    t.deepEqual(loaded, JSON.parse(rendered));
    t.is(actionCatalogSource(), generated.source);
});

test("global condition keys: known ones pass in any case, tag keys by prefix, typos are named with a suggestion", (t) => {
    for (const key of ["aws:SourceAccount", "aws:sourcearn", "AWS:PrincipalArn", "aws:RequestTag/kubernetes-namespace", "aws:PrincipalTag/team", "aws:TagKeys", "sts:ExternalId", "oidc.eks.us-west-2.amazonaws.com/id/X:sub"]) {
        t.deepEqual(checkGlobalConditionKey(key), { ok: true }, key);
    }
    t.deepEqual(checkGlobalConditionKey("aws:SourceAcount"), { ok: false, reason: '"aws:SourceAcount" is not a global condition key (did you mean "aws:SourceAccount"?)' });
    t.false(checkGlobalConditionKey("aws:RequestTag/").ok, "a tag key needs a tag name");
    t.false(checkGlobalConditionKey("aws:NoSuchKeyAtAll").ok);
});
