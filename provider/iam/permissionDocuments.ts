import * as pulumi from "@pulumi/pulumi";
import type { InlinePolicy } from "../components/roleArgs";
import { Problems, describe } from "../validation/problems";
import { InputRules } from "../validation/inputRules";
import { PartitionReference } from "./partition";
import { PolicyDocumentJson, PolicyStatement, ResolvedStatement } from "./policyDocument";
import { IAM_LIMITS, checkPolicyDocument, checkTypedStatement, policySize } from "./validation";

/**
 * A role's identity-policy documents (`policyStatements`, `inlinePolicies`) and the association's session policy,
 * rendered once and checked where they are given: a plain document in the component's validate step, before anything
 * is registered; a document holding Outputs as it resolves, before the resource carrying it can register.
 */

export interface DocumentOptions {
    sessionTagsDisabled: boolean;
    allowFullAccess?: boolean;
    /** The partition resource ARNs must be in, when known. */
    partition?: PartitionReference;
}

/** One inline policy of the role: its name, the input it comes from (for blame), and its JSON text. */
export interface PreparedDocument {
    name: string;
    /** The input the document is rendered from, e.g. `policyStatements` or `inlinePolicies[1]`. */
    input: string;
    text: pulumi.Input<string>;
}

export function renderStatements(problems: Problems, statements: ResolvedStatement[], options: DocumentOptions): string {
    const rendered = statements.map((s, i) => {
        if (typeof s !== "object" || s === null || Array.isArray(s)) {
            problems.add(`policyStatements[${i}]`, `a statement must be an object, got ${describe(s)}`);
            return undefined;
        }
        return checkTypedStatement(problems, `policyStatements[${i}]`, s, options);
    });
    const document: PolicyDocumentJson = { Version: "2012-10-17", Statement: rendered.filter((s) => s !== undefined) };
    return JSON.stringify(document, null, 2);
}

/** The role's inline policies from the user's inputs, in creation order: `permissions` first, then `inlinePolicies`. */
export function preparePermissionDocuments(
    rules: InputRules,
    args: { policyStatements?: PolicyStatement[]; inlinePolicies?: InlinePolicy[] },
    options: DocumentOptions,
): PreparedDocument[] {
    const documents: PreparedDocument[] = [];
    // Rendered now when plain (problems join the component's), else as they resolve (see validation/inputRules.ts).
    if (Array.isArray(args.policyStatements) && args.policyStatements.length > 0) {
        const text = rules.whenKnown(args.policyStatements, (check, statements) => renderStatements(check, statements as ResolvedStatement[], options));
        documents.push({ name: "permissions", input: "policyStatements", text });
    }
    (Array.isArray(args.inlinePolicies) ? args.inlinePolicies : []).forEach((inline, i) => {
        if (inline?.policy === undefined) {
            return; // reported by checkPermissionInputs
        }
        const text = rules.whenKnown(inline.policy, (check, policy) =>
            JSON.stringify(checkPolicyDocument(check, `inlinePolicies[${i}].policy`, policy, { kind: "identity", allowFullAccess: options.allowFullAccess, partition: options.partition }) ?? null),
        );
        documents.push({ name: inline.name, input: `inlinePolicies[${i}]`, text });
    });
    // The plain documents alone over the budget is already final: what resolves later only adds to it.
    checkInlineBudget(rules.problems, documents.filter((d) => typeof d.text === "string").map((d) => ({ input: d.input, text: d.text as string })));
    return documents;
}

/**
 * IAM limits the sum of a role's inline policies (IAM User Guide, "IAM and AWS STS quotas": role policy size, 10,240
 * characters, whitespace excluded). The problem names every input that contributes, at the largest one's path.
 */
export function checkInlineBudget(problems: Problems, documents: { input: string; text: string }[]): void {
    const sizes = documents.map((d) => ({ input: d.input, size: safeSize(d.text) }));
    const total = sizes.reduce((sum, d) => sum + d.size, 0);
    if (total <= IAM_LIMITS.inlinePoliciesPerRole) {
        return;
    }
    const byInput = new Map<string, number>();
    for (const { input, size } of sizes) {
        const key = input.replace(/\[\d+\]$/, "");
        byInput.set(key, (byInput.get(key) ?? 0) + size);
    }
    const largest = [...byInput.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const parts = [...byInput.entries()].map(([input, size]) => `${input} ${size}`).join(", ");
    problems.add(
        largest,
        `the role's inline policies add up to ${total} characters (${parts}); IAM allows ${IAM_LIMITS.inlinePoliciesPerRole} in all: move statements into a managed policy (managedPolicyArns or wellKnownPolicies)`,
    );
}

function safeSize(text: string): number {
    try {
        return policySize(text);
    } catch {
        return text.replace(/\s+/g, "").length;
    }
}

/**
 * The association's session policy (EKS API, CreatePodIdentityAssociation `policy`; STS passes it to AssumeRole, whose
 * packed policy size is limited: "IAM and AWS STS quotas", session policies at most 2,048 characters).
 */
export function prepareSessionPolicy(rules: InputRules, policy: pulumi.Input<string | Record<string, unknown>>, partition?: PartitionReference): pulumi.Input<string> {
    return rules.whenKnown(policy, (check, resolved) => {
        const parsed = checkPolicyDocument(check, "association.sessionPolicy", resolved, { kind: "identity", allowFullAccess: true, partition });
        if (parsed && policySize(parsed) > IAM_LIMITS.sessionPolicy) {
            check.add("association.sessionPolicy", `is ${policySize(parsed)} characters; STS accepts at most ${IAM_LIMITS.sessionPolicy}: shorten it`);
        }
        return JSON.stringify(parsed ?? null);
    });
}
