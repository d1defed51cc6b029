import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkWellKnownPolicies, environmentOf, renderWellKnownPolicies, WellKnownPolicies, WellKnownPolicyKey, wellKnownPolicyNames } from "../wellKnownPolicies";
import { checkClusterArn } from "../iam/arn";
import { checkIamPath } from "../iam/validation";
import { Problems, checkAwsTags } from "../validation/problems";
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
 * Creates one customer-managed policy per enabled well-known policy (Karpenter: two), children of `parent` named
 * `<prefix>-<policy name>`. The documents are rendered and checked once the inputs are known; a problem fails the
 * preview naming `<inputPath>.<key>`.
 */
export function createWellKnownManagedPolicies(
    parent: pulumi.Resource,
    prefix: string,
    component: string,
    inputPath: string,
    settings: {
        policies: WellKnownPolicies;
        clusterArn: pulumi.Input<string>;
        path?: string;
        tags?: Record<string, string>;
        description: (policyName: string, key: WellKnownPolicyKey) => pulumi.Input<string>;
    },
): { managed: WellKnownManagedPolicy[]; documents: pulumi.Output<Record<string, string>> } {
    const documents = pulumi.all([settings.policies, settings.clusterArn]).apply(([policies, clusterArn]) => {
        const check = new Problems();
        checkClusterArn(check, "clusterArn", clusterArn);
        check.throwIfAny(component);
        const rendered = renderWellKnownPolicies(check, inputPath, policies, environmentOf(clusterArn)!);
        check.throwIfAny(component);
        return Object.fromEntries(rendered.map((r) => [r.name, JSON.stringify(r.document, null, 2)]));
    });
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
        const problems = new Problems();
        // Types first: the rules below assume well-typed values.
        const addMissing = checkShapeFirst(component, WELLKNOWNPOLICYSET_TYPE, args);
        if (typeof args.clusterArn === "string") {
            checkClusterArn(problems, "clusterArn", args.clusterArn);
        } else if (args.clusterArn === undefined || args.clusterArn === null) {
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
        checkAwsTags(problems, "tags", args.tags);
        addMissing(problems);
        problems.throwIfAny(component);
        super(WELLKNOWNPOLICYSET_TYPE, name, {}, opts);

        const { managed, documents } = createWellKnownManagedPolicies(this, name, component, "policies", {
            policies: args.policies,
            clusterArn: args.clusterArn,
            path: args.path,
            tags: args.tags,
            description: (policyName, key) => `${policyName} (pulumi-eks-pod-identity WellKnownPolicySet "${name}", policies.${key})`,
        });
        this.policyDocuments = documents;
        this.policyArns = pulumi.all(Object.fromEntries(managed.map((m) => [m.name, m.policy.arn])));
        this.registerOutputs({ policyArns: this.policyArns, policyDocuments: this.policyDocuments });
    }
}
