import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement } from "../iam/policyDocument";
import { InlinePolicy, RoleSettings } from "./roleArgs";

/** Settings of a `CrossAccountRole`: a role in account B that Pod Identity roles of account A chain into. */
export interface CrossAccountRoleArgs {
    /** ARNs of the Pod Identity roles (account A) allowed to assume this role. Required. */
    sourceRoleArns: pulumi.Input<string>[];
    /**
     * How callers are pinned: `sessionTags` (default) requires the transitive Pod Identity session tags of the given
     * clusters, namespaces and service accounts; `externalId` requires `sts:ExternalId` (for associations with
     * session tags disabled, e.g. the association's `externalId` in native mode).
     */
    trustMode?: "sessionTags" | "externalId";
    /** `eks-cluster-arn` values allowed (`sessionTags` mode). Required there. */
    clusterArns?: pulumi.Input<string>[];
    /** `kubernetes-namespace` values allowed (`sessionTags` mode). Required there. */
    namespaces?: string[];
    /** `kubernetes-service-account` values allowed (`sessionTags` mode). Required there. */
    serviceAccounts?: string[];
    /** The external id callers must present (`externalId` mode). Required there. */
    externalId?: pulumi.Input<string>;
    /** Settings of the role (name, path, boundary, session duration, tags). */
    role?: RoleSettings;
    /** Managed policies to attach. Default: none. */
    managedPolicyArns?: pulumi.Input<string>[];
    /** Typed statements rendered into one inline policy `permissions`. Default: none. */
    policyStatements?: PolicyStatement[];
    /** Raw inline policy documents. Default: none. */
    inlinePolicies?: InlinePolicy[];
    /** Tags on every resource created. */
    tags?: Record<string, string>;
    /**
     * Accept policy statements that allow every action (`*`) on every resource (`*`), i.e. administrator access.
     * Default `false`: such a statement is rejected at preview.
     */
    allowFullAccess?: boolean;
}
