import test from "ava";
import fc from "fast-check";
import { checkAction } from "../provider/iam/actions";
import { checkPolicyDocument } from "../provider/iam/validation";
import { Problems, keyPath } from "../provider/validation/problems";
import { WELL_KNOWN_POLICY_KEYS, checkWellKnownPolicies, environmentOf, renderWellKnownPolicies } from "../provider/wellKnownPolicies";
import { ACCOUNT, assumedRoleArnOf, clusterArnOf } from "./support/awsIds";
import { evaluate } from "./support/iamEvaluator";

/**
 * Property-based tests (fast-check) of the policy checks and the well-known policies: on random statements, names and
 * ARNs nothing crashes, every rejection names the field it is about, valid input is accepted, and rendered policies
 * mean what their inputs say.
 */

const RUNS = { numRuns: 300 };

// ---- generators ----

const ACTIONS = ["s3:GetObject", "s3:Get*", "sqs:SendMessage", "ec2:Describe*", "kms:Decrypt", "route53:ChangeResourceRecordSets", "iam:PassRole"];
const BAD_ACTIONS = ["s3:GetObjekt", "s3", "nosuchservice:Do", "s3:Get Object", ":x", "s3:", "*:*"];
const partition = fc.constantFrom("aws", "aws-cn", "aws-us-gov");
const region = fc.constantFrom("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1");
const account = fc.stringMatching(/^\d{12}$/);
const lowerName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/);
const wellFormedArn = fc.oneof(
    fc.tuple(partition, lowerName).map(([p, b]) => `arn:${p}:s3:::${b}/*`),
    fc.tuple(partition, region, account, lowerName).map(([p, r, a, q]) => `arn:${p}:sqs:${r}:${a}:${q}`),
    fc.tuple(partition, account, lowerName).map(([p, a, n]) => `arn:${p}:iam::${a}:role/${n}`),
);
const anyString = fc.oneof(fc.string(), fc.constantFrom("", "*", "arn:", "arn:aws", "arn:aws:s3", "::::", "arn:aws:s3:::"));
const scalarOrList = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { maxLength: 4 }));
const junk = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }));

const conditionBlock = fc.dictionary(
    fc.oneof(fc.constantFrom("StringEquals", "StringLike", "ArnLike", "Bool", "Null", "ForAnyValue:StringEquals", "StringEqualsIfExists", "StringEqualz"), fc.string({ maxLength: 8 })),
    fc.oneof(
        fc.dictionary(fc.oneof(fc.constantFrom("aws:SourceAccount", "aws:PrincipalTag/team", "aws:SourceAcount", "s3:prefix", "nokey"), fc.string({ maxLength: 8 })), scalarOrList(fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), junk)), { maxKeys: 3 }),
        junk,
    ),
    { maxKeys: 3 },
);

/** A random statement: any mixture of valid, malformed and unexpected keys and values. */
const randomStatement = fc.record(
    {
        Sid: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{0,8}$/), anyString, junk),
        Effect: fc.oneof(fc.constantFrom("Allow", "Deny", "allow", "Permit"), junk),
        Action: scalarOrList(fc.oneof(fc.constantFrom(...ACTIONS, ...BAD_ACTIONS, "*"), anyString, junk)),
        NotAction: scalarOrList(fc.oneof(fc.constantFrom(...ACTIONS), anyString)),
        Resource: scalarOrList(fc.oneof(wellFormedArn, fc.constant("*"), anyString, junk)),
        NotResource: scalarOrList(fc.oneof(wellFormedArn, anyString)),
        Condition: fc.oneof(conditionBlock, junk),
        Principal: fc.oneof(fc.constant("*"), junk),
        Unexpected: junk,
    },
    { requiredKeys: [] },
);

/** True when `path` is `prefix` followed by one of `keys` (as `.key` or `["key"]`), possibly followed by more. */
function namesKey(path: string, prefix: string, keys: string[]): boolean {
    return keys.some((k) => [keyPath(prefix, k)].some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)));
}

// ---- properties of the policy checks ----

test("random policy documents: the check never throws, and every problem names a field of the document", (t) => {
    fc.assert(
        fc.property(
            fc.oneof(
                fc.record({ Version: fc.oneof(fc.constant("2012-10-17"), anyString), Statement: fc.oneof(fc.array(fc.oneof(randomStatement, junk), { maxLength: 4 }), randomStatement, junk) }, { requiredKeys: [] }),
                junk,
                anyString,
            ),
            fc.boolean(),
            (document, allowFullAccess) => {
                const problems = new Problems();
                checkPolicyDocument(problems, "doc", document, { kind: "identity", allowFullAccess });
                const raw = (document as any)?.Statement;
                const statements: unknown[] = Array.isArray(raw) ? raw : [raw];
                for (const { propertyPath, reason } of problems.list) {
                    if (typeof reason !== "string" || reason.length < 10) {
                        return false;
                    }
                    const statement = /^doc\.Statement\[(\d+)\]/.exec(propertyPath);
                    if (statement) {
                        // A statement's problem is the statement's, or names one of its keys, or the missing required one.
                        const given = statements[Number(statement[1])];
                        const keys = [...(typeof given === "object" && given !== null ? Object.keys(given) : []), "Effect", "Action", "Resource", "Principal"];
                        if (propertyPath !== statement[0] && !namesKey(propertyPath, statement[0], keys)) {
                            return false;
                        }
                    } else {
                        const keys = typeof document === "object" && document !== null ? Object.keys(document) : [];
                        if (propertyPath !== "doc" && !namesKey(propertyPath, "doc", [...keys, "Version", "Statement"])) {
                            return false;
                        }
                    }
                }
                return true;
            },
        ),
        RUNS,
    );
    t.pass();
});

test("well-formed statements are accepted; Allow of * on * only with allowFullAccess, and then the statement is named", (t) => {
    const validStatement = fc.record({
        Effect: fc.constantFrom("Allow", "Deny"),
        Action: fc.array(fc.constantFrom(...ACTIONS, "*"), { minLength: 1, maxLength: 3 }),
        Resource: fc.array(fc.oneof(wellFormedArn, fc.constant("*")), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
        fc.property(fc.array(validStatement, { minLength: 1, maxLength: 4 }), fc.boolean(), (statements, allowFullAccess) => {
            const problems = new Problems();
            checkPolicyDocument(problems, "doc", { Version: "2012-10-17", Statement: statements }, { kind: "identity", allowFullAccess });
            const fullAccess = statements.map((s, i) => ({ s, i })).filter(({ s }) => s.Effect === "Allow" && s.Action.includes("*") && s.Resource.includes("*"));
            const expected = allowFullAccess ? [] : fullAccess.map(({ i }) => `doc.Statement[${i}]`);
            const actual = problems.list.map((p) => p.propertyPath);
            return JSON.stringify(actual) === JSON.stringify(expected) && problems.list.every((p) => /allowFullAccess/.test(p.reason));
        }),
        RUNS,
    );
    t.pass();
});

test("checkAction: any string gives a verdict, and a rejection explains itself", (t) => {
    fc.assert(
        fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9-]{1,12}:[A-Za-z*?]{0,20}$/), fc.constantFrom(...BAD_ACTIONS)), (action) => {
            const verdict = checkAction(action);
            return verdict.ok || (typeof verdict.reason === "string" && verdict.reason.length > 10);
        }),
        RUNS,
    );
    t.pass();
});

// ---- properties of the well-known policies ----

const INPUT_NAMES = [
    "webAclAndShield", "kmsKeyArns", "fileSystemArns", "dataRepositoryBucketArns", "bucketArns", "readOnly", "ipFamily", "hostedZoneIds",
    "secretsManagerArns", "ssmParameterArns", "clusterNames", "nodeRoleArns", "interruptionQueueArn", "queueArns", "workspaceArns",
    "remoteWrite", "query", "cloudMap", "virtualNodeArns", "certificateArns", "certificateAuthorityArns", "logGroupPrefixes", "xray", "accessLogs",
];
const inputValue = fc.oneof(anyString, wellFormedArn, fc.boolean(), junk, fc.array(fc.oneof(anyString, wellFormedArn, junk), { maxLength: 4 }));

test("random well-known policy inputs: the check never throws, and every problem names the policy and, for list items, the index", (t) => {
    fc.assert(
        fc.property(
            fc.dictionary(fc.oneof(fc.constantFrom(...WELL_KNOWN_POLICY_KEYS), fc.string({ maxLength: 6 })), fc.oneof(fc.dictionary(fc.constantFrom(...INPUT_NAMES), inputValue, { maxKeys: 4 }), junk), { maxKeys: 4 }),
            (policies) => {
                const problems = new Problems();
                checkWellKnownPolicies(problems, "wellKnownPolicies", policies);
                return problems.list.every(({ propertyPath, reason }) => {
                    if (reason.length < 10) {
                        return false;
                    }
                    // The policy the problem is about: the path starts with its key (the longest, should keys prefix each other).
                    const key = Object.keys(policies)
                        .filter((k) => namesKey(propertyPath, "wellKnownPolicies", [k]))
                        .sort((a, b) => b.length - a.length)[0];
                    if (key === undefined) {
                        return false;
                    }
                    const rest = /^(?:\.([A-Za-z]+)(?:\[(\d+)\])?)?$/.exec(propertyPath.slice(keyPath("wellKnownPolicies", key).length));
                    if (!rest) {
                        return false;
                    }
                    const inputs = (policies as Record<string, any>)[key];
                    if (rest[1] !== undefined && !(inputs && rest[1] in inputs)) {
                        return /required/.test(reason); // a missing required input is named though absent
                    }
                    return rest[2] === undefined || (Array.isArray(inputs[rest[1]]) && Number(rest[2]) < inputs[rest[1]].length);
                });
            },
        ),
        RUNS,
    );
    t.pass();
});

const bucketName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$/);
const zoneId = fc.stringMatching(/^Z[A-Z0-9]{8,20}$/);
const queueName = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);

test("random valid inputs render documents that pass the checks and fit a managed policy", (t) => {
    const env = environmentOf(clusterArnOf("prod"))!;
    fc.assert(
        fc.property(fc.array(bucketName, { minLength: 1, maxLength: 5 }), fc.array(zoneId, { minLength: 1, maxLength: 5 }), fc.array(queueName, { minLength: 1, maxLength: 3 }), fc.boolean(), (buckets, zones, queues, readOnly) => {
            const bucketArns = [...new Set(buckets)].map((b) => `arn:aws:s3:::${b}`);
            const problems = new Problems();
            const rendered = renderWellKnownPolicies(
                problems,
                "wellKnownPolicies",
                {
                    mountpointS3CsiDriver: { bucketArns, readOnly },
                    velero: { bucketArns },
                    externalDns: { hostedZoneIds: [...new Set(zones)] },
                    certManager: { hostedZoneIds: [...new Set(zones)] },
                    nodeTerminationHandler: { queueArns: [...new Set(queues)].map((q) => `arn:aws:sqs:us-west-2:${ACCOUNT}:${q}`) },
                },
                env,
            );
            return problems.list.length === 0 && rendered.length === 5;
        }),
        { numRuns: 100 },
    );
    t.pass();
});

test("Mountpoint S3 for a random bucket: its objects are readable, another bucket's are not (IAM evaluator)", async (t) => {
    const env = environmentOf(clusterArnOf("prod"))!;
    await fc.assert(
        fc.asyncProperty(bucketName, bucketName, fc.stringMatching(/^[a-z0-9/._-]{1,30}$/), async (bucket, other, key) => {
            fc.pre(bucket !== other);
            const problems = new Problems();
            const [policy] = renderWellKnownPolicies(problems, "p", { mountpointS3CsiDriver: { bucketArns: [`arn:aws:s3:::${bucket}`], readOnly: true } }, env);
            const request = (b: string, action = "s3:GetObject") => ({
                principal: assumedRoleArnOf("r", "s"),
                action,
                resource: `arn:aws:s3:::${b}/${key}`,
                resourceAccount: ACCOUNT,
                identityPolicies: { p: policy.document as any },
            });
            return (
                (await evaluate(request(bucket))).result === "Allowed" &&
                (await evaluate(request(other))).result === "ImplicitlyDenied" &&
                (await evaluate(request(bucket, "s3:PutObject"))).result === "ImplicitlyDenied"
            );
        }),
        { numRuns: 25 },
    );
    t.pass();
});
