import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkWellKnownPolicies, environmentOf, renderWellKnownPolicies, WellKnownPolicies, WellKnownPolicyKey, wellKnownPolicyNames } from "../wellKnownPolicies";
import { checkClusterArn } from "../iam/arn";
import { checkIamPath } from "../iam/validation";
import { InputRules } from "../validation/inputRules";
import { checkAwsTags } from "../validation/awsTags";
import { checkShapeFirst } from "../validation/shape";

export const WELLKNOWNPOLICYSET_TYPE = "eks-pod-identity:index:WellKnownPolicySet";

export interface WellKnownPolicySetArgs {
    /**
     * ARN of the EKS cluster the add-ons run in (`arn:aws:eks:<region>:<account>:cluster/<name>`): account, region,
     * partition and cluster name of every policy come from it.
     */
    clusterArn: pulumi.Input<string>;
    /** The well-known add-on policies to create, by key, with their typed inputs; at least one. */
    policies: WellKnownPolicies;
    /** IAM path of the managed policies. Default `/`. */
    path?: string;
    /** Tags of the managed policies (at most 50; keys must not start with `aws:`). Default: none. */
    tags?: Record<string, string>;
}

/** How the component names and describes one managed policy; shared with PodIdentityWorkload. */
export interface WellKnownManagedPolicy {
    key: WellKnownPolicyKey;
    /** `well-known-<key>[-<part>]`, the suffix of the resource name. */
    name: string;
    policy: aws.iam.Policy;
}

/**
 * The documents of the enabled well-known policies by policy name, rendered once through the component's InputRules:
 * now when the policies and the cluster ARN (already checked by its rule) are plain, before the component registers;
 * else as they resolve (problems fail the Output, and so every policy reading it). Problems name `<inputPath>.<key>`.
 */
export function prepareWellKnownDocuments(
    rules: InputRules,
    inputPath: string,
    policies: WellKnownPolicies,
    clusterArn: pulumi.Input<string>,
): pulumi.Input<Record<string, string>> {
    return rules.whenKnown({ policies, clusterArn }, (check, resolved) => {
        const environment = environmentOf(resolved.clusterArn);
        if (!environment) {
            // Only a cluster ARN that passed its rule gets here; say so rather than render from a wrong one.
            checkClusterArn(check, "clusterArn", resolved.clusterArn);
            return {};
        }
        const rendered = renderWellKnownPolicies(check, inputPath, resolved.policies as pulumi.Unwrap<WellKnownPolicies>, environment);
        return Object.fromEntries(rendered.map((r) => [r.name, JSON.stringify(r.document, null, 2)]));
    }) as pulumi.Input<Record<string, string>>;
}

/**
 * Creates one customer-managed policy per enabled well-known policy (Karpenter: two), children of `parent` named
 * `<prefix>-<policy name>`, from the documents `prepareWellKnownDocuments` rendered.
 */
export function createWellKnownManagedPolicies(
    parent: pulumi.Resource,
    prefix: string,
    settings: {
        policies: WellKnownPolicies;
        documents: pulumi.Input<Record<string, string>>;
        path?: string;
        tags?: Record<string, string>;
        description: (policyName: string, key: WellKnownPolicyKey) => pulumi.Input<string>;
    },
): { managed: WellKnownManagedPolicy[]; documents: pulumi.Output<Record<string, string>> } {
    const documents = pulumi.output(settings.documents);
    const managed = wellKnownPolicyNames(settings.policies).map(({ key, name }) => ({
        key,
        name,
        policy: new aws.iam.Policy(
            `${prefix}-${name}`,
            { path: settings.path, description: settings.description(name, key), policy: documents.apply((d) => d[name]), tags: settings.tags },
            { parent },
        ),
    }));
    return { managed, documents };
}

/**
 * The well-known add-on policies on their own, as customer-managed policies to attach to any role: a role made by
 * another tool, an IRSA role, or several workloads' roles sharing one policy.
 */
export class WellKnownPolicySet extends pulumi.ComponentResource {
    /** ARNs of the managed policies, by policy name (`well-known-<key>`; Karpenter's two end in `-node-lifecycle` and `-integration`). */
    public readonly policyArns: pulumi.Output<Record<string, string>>;
    /** The rendered policy documents (JSON), by the same names. */
    public readonly policyDocuments: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: WellKnownPolicySetArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = `WellKnownPolicySet "${name}"`;
        // Types first: the rules below assume well-typed values (values known later are type-checked as they resolve).
        const shape = checkShapeFirst(component, WELLKNOWNPOLICYSET_TYPE, args);
        // From here on the args as the shape check hands them on: every Output wrapped in its type check.
        args = shape.args;
        const rules = new InputRules(component);
        const problems = rules.problems;
        const clusterArn = rules.check("clusterArn", args.clusterArn, (p, path, value) => checkClusterArn(p, path, value));
        if (args.clusterArn === undefined || args.clusterArn === null) {
            problems.add("clusterArn", "required: the ARN of the cluster the add-ons run in, e.g. cluster.eksCluster.arn");
        }
        if (args.policies === undefined || args.policies === null || typeof args.policies !== "object" || Array.isArray(args.policies)) {
            problems.add("policies", "required: an object of well-known policies by key, e.g. { externalDns: { hostedZoneIds: [...] } }");
        } else if (wellKnownPolicyNames(args.policies).length === 0) {
            problems.add("policies", "enables no policy: give at least one key, e.g. { ebsCsiDriver: {} }");
        } else {
            // Plain values are checked now; values from other resources once known, when the documents render.
            checkWellKnownPolicies(problems, "policies", args.policies);
        }
        if (args.path !== undefined) {
            checkIamPath(problems, "path", args.path);
        }
        checkAwsTags(problems, "tags", args.tags, "iam");
        shape.addMissing(problems);
        // Rendered once, here: with plain inputs every document is checked before the component registers.
        const prepared = problems.list.length === 0 ? prepareWellKnownDocuments(rules, "policies", args.policies, clusterArn!) : {};
        rules.throwIfAny();
        super(WELLKNOWNPOLICYSET_TYPE, name, {}, opts);

        const { managed, documents } = createWellKnownManagedPolicies(this, name, {
            policies: args.policies,
            documents: prepared,
            path: args.path,
            tags: args.tags,
            description: (policyName, key) => `${policyName} (pulumi-eks-pod-identity WellKnownPolicySet "${name}", policies.${key})`,
        });
        this.policyDocuments = documents;
        this.policyArns = pulumi.all(Object.fromEntries(managed.map((m) => [m.name, m.policy.arn])));
        this.registerOutputs({ policyArns: this.policyArns, policyDocuments: this.policyDocuments });
    }
}
