/**
 * The privilege-escalation model (provider/iam/privilegeEscalation.ts): actions matched by effect with IAM's wildcard
 * rules, and the warnings PodIdentityWorkload and CrossAccountRole print for statements that allow them.
 */
import test from "ava";
import { CrossAccountRole, PodIdentityWorkload } from "../provider";
import { expandAction } from "../provider/iam/actions";
import { ESCALATION_ACTIONS, coversEveryResource, escalationFindings, escalationWarnings } from "../provider/iam/privilegeEscalation";
import { runWarned } from "./support/harness";
import { clusterArnOf, roleArnOf } from "./support/awsIds";

const serial = test.serial;

const fieldsOf = (statements: Parameters<typeof escalationFindings>[0], options?: Parameters<typeof escalationFindings>[1]) =>
    escalationFindings(statements, options).map((f) => `${f.statement}.${f.field}`);

test("every action of the model is in the catalog, spelt as the catalog spells it", (t) => {
    for (const actions of Object.values(ESCALATION_ACTIONS)) {
        for (const action of actions) t.deepEqual(expandAction(action).map((a) => a.action), [action]);
    }
});

test("actions match by IAM's wildcard rules: *, ?, any case, a whole service, every action", (t) => {
    const statements = [
        { actions: ["s3:GetObject", "iam:Put*", "IAM:attachrolepolicy", "lambda:*", "*", "iam:?ass*", "kms:PutKey*"], resources: ["arn:aws:s3:::orders/*"] },
    ];
    t.deepEqual(fieldsOf(statements), [1, 2, 3, 4, 5, 6].map((j) => `0.actions[${j}]`));
    const [put, , lambda, everything, pass] = escalationFindings(statements);
    t.true(put.actions.includes("iam:PutRolePolicy"));
    t.false(put.actions.includes("iam:PutAccountProperties"), "only the model's actions are named");
    t.true(lambda.actions.includes("lambda:UpdateFunctionCode") && lambda.actions.includes("lambda:CreateFunction"));
    t.deepEqual(lambda.reasons.sort(), ["codeExecution", "passRoleToCompute", "resourcePolicyTakeover"]);
    t.true(everything.reasons.includes("accountControl") && everything.reasons.includes("clusterAdmin"));
    t.deepEqual(pass.actions, ["iam:PassRole"]);
});

test("the reported cases: cluster admin, key policy, function code, commands on instances", (t) => {
    const reasons = (action: string): string[] | undefined => escalationFindings([{ actions: [action], resources: ["*"] }])[0]?.reasons;
    t.deepEqual(reasons("eks:CreateAccessEntry"), ["clusterAdmin"]);
    t.deepEqual(reasons("eks:AssociateAccessPolicy"), ["clusterAdmin"]);
    t.deepEqual(reasons("kms:PutKeyPolicy"), ["resourcePolicyTakeover"]);
    t.deepEqual(reasons("lambda:UpdateFunctionCode"), ["codeExecution"]);
    t.deepEqual(reasons("ssm:SendCommand"), ["codeExecution"]);
    t.deepEqual(reasons("organizations:CreateAccount"), ["accountControl"]);
    t.is(reasons("organizations:DescribeOrganization"), undefined, "reading the organization changes nothing");
    t.is(reasons("s3:GetObject"), undefined);
});

test("sts:AssumeRole counts on every role only; Deny allows nothing; an Allow's notActions leaves the rest allowed", (t) => {
    t.deepEqual(fieldsOf([{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::222233334444:role/reader"] }]), []);
    t.deepEqual(fieldsOf([{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::222233334444:role/*"] }]), ["0.actions[0]"]);
    t.deepEqual(fieldsOf([{ actions: ["sts:AssumeRole"], notResources: ["arn:aws:iam::222233334444:role/reader"] }]), ["0.actions[0]"]);
    t.deepEqual(fieldsOf([{ effect: "Deny", actions: ["*"], resources: ["*"] }]), []);
    t.deepEqual(fieldsOf([{ notActions: ["iam:*"], resources: ["*"] }]), ["0.notActions"]);
});

test("an operator's opt-in leaves out exactly the actions named", (t) => {
    t.deepEqual(fieldsOf([{ actions: ["ssm:SendCommand"], resources: ["*"] }], { allowedActions: ["SSM:sendcommand"] }), []);
    const rest = escalationFindings([{ actions: ["ssm:*"], resources: ["*"] }], { allowedActions: ["ssm:SendCommand"] });
    t.true(rest.length === 1 && !rest[0].actions.includes("ssm:SendCommand") && rest[0].actions.includes("ssm:StartSession"));
});

test("resources covering every resource of their kind", (t) => {
    for (const r of ["*", "arn:aws:s3:::*", "arn:aws:s3:::*/*", "arn:aws:dynamodb:eu-west-1:111122223333:table/*", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*", "arn:aws:sqs:eu-west-1:*:orders"]) {
        t.true(coversEveryResource(r), r);
    }
    for (const r of ["arn:aws:s3:::orders/*", "arn:aws:s3:::orders", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-*", "arn:aws:sqs:eu-west-1:111122223333:orders"]) {
        t.false(coversEveryResource(r), r);
    }
});

test("warnings name the input path, typed or raw, once per statement", (t) => {
    const typed = escalationWarnings("policyStatements", JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" }, { Effect: "Allow", Action: ["s3:GetObject", "kms:PutKeyPolicy", "iam:Put*"], Resource: "*" }] }));
    t.is(typed.length, 1);
    t.true(typed[0].startsWith("policyStatements[1] allows privilege escalation"), typed[0]);
    t.true(typed[0].includes("policyStatements[1].actions[1] \"kms:PutKeyPolicy\"") && typed[0].includes("policyStatements[1].actions[2] \"iam:Put*\""), typed[0]);
    const raw = escalationWarnings("inlinePolicies[0]", JSON.stringify({ Statement: { Effect: "Allow", Action: "ssm:SendCommand", Resource: "*" } }));
    t.deepEqual(raw.map((w) => w.slice(0, w.indexOf(" \""))), ["inlinePolicies[0].policy.Statement allows privilege escalation or administrator-equivalent access: inlinePolicies[0].policy.Statement.Action"]);
});

/** The escalation warnings of the program, which must not fail. */
async function warningsOf(program: () => unknown): Promise<string[]> {
    const r = await runWarned(program);
    if (r.failures.length > 0) throw new Error(`the program failed: ${String(r.failures[0])}`);
    return r.warnings.filter((w) => w.includes("privilege escalation"));
}

serial("PodIdentityWorkload warns once per escalating statement, naming the entry and why", async (t) => {
    const warnings = await warningsOf(
        () =>
            new PodIdentityWorkload("esc", {
                clusterName: "prod",
                namespace: "esc",
                policyStatements: [
                    { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::esc/*"] },
                    { actions: ["eks:CreateAccessEntry", "eks:AssociateAccessPolicy"], resources: ["*"] },
                    { effect: "Deny", actions: ["iam:*"], resources: ["*"] },
                ],
                inlinePolicies: [{ name: "raw", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:UpdateFunctionCode", Resource: "*" }] } }],
            }),
    );
    t.is(warnings.length, 2, warnings.join("\n"));
    t.regex(warnings[0], /^policyStatements\[1\] allows .*policyStatements\[1\]\.actions\[0\] "eks:CreateAccessEntry" allows eks:CreateAccessEntry, which changes who administers the EKS cluster/);
    t.regex(warnings[0], /policyStatements\[1\]\.actions\[1\] "eks:AssociateAccessPolicy"/);
    t.regex(warnings[1], /^inlinePolicies\[0\]\.policy\.Statement\[0\] .*\.Action "lambda:UpdateFunctionCode" .*runs code on other principals' compute/);
});

serial("PodIdentityWorkload with ordinary statements warns of nothing", async (t) => {
    const warnings = await warningsOf(() => new PodIdentityWorkload("calm", { clusterName: "prod", namespace: "calm", policyStatements: [{ actions: ["s3:GetObject", "sqs:SendMessage"], resources: ["*"] }] }));
    t.deepEqual(warnings, []);
});

serial("CrossAccountRole warns the same way", async (t) => {
    const warnings = await warningsOf(
        () =>
            new CrossAccountRole("esc-b", {
                sourceRoleArns: [roleArnOf("esc-source")],
                clusterArns: [clusterArnOf("prod")],
                namespaces: ["esc"],
                serviceAccounts: ["esc"],
                policyStatements: [{ actions: ["iam:PassRole", "ec2:RunInstances"], resources: ["*"] }],
            }),
    );
    t.is(warnings.length, 1, warnings.join("\n"));
    t.regex(warnings[0], /^policyStatements\[0\] .*policyStatements\[0\]\.actions\[0\] "iam:PassRole".*policyStatements\[0\]\.actions\[1\] "ec2:RunInstances"/);
});
