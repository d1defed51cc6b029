import * as pulumi from "@pulumi/pulumi";
import { Integer } from "../types";

/* Settings shared by the components that create an IAM role (PodIdentityWorkload, CrossAccountRole). */

/** Settings of the IAM role the workload creates. Ignored (and rejected) when `roleArn` names an existing role. */
export interface RoleSettings {
    /** Exact role name, 1–64 characters of `[A-Za-z0-9+=,.@_-]`. Default: generated from the component name. Conflicts with `namePrefix`. */
    name?: string;
    /** Prefix of a generated role name, 1–38 characters. Conflicts with `name`. */
    namePrefix?: string;
    /** IAM path, starting and ending with `/`, at most 512 characters. Default `/`. */
    path?: string;
    /** Role description, at most 1000 characters. Default: names the cluster, namespace and service account. */
    description?: string;
    /** ARN of a managed policy used as the role's permissions boundary. Default: none. */
    permissionsBoundary?: pulumi.Input<string>;
    /**
     * Maximum session duration in seconds, 3600–43200. Default 3600. Pod Identity sessions last 6 hours regardless;
     * this bounds role chaining and console sessions only.
     */
    maxSessionDuration?: Integer;
    /** Tags on the role. Merged over `tags`; with them at most 50, keys 1–128 and values up to 256 letters, digits, spaces and `_ . : / = + - @`, no `aws:` prefix. */
    tags?: Record<string, string>;
}

/** A raw policy document attached inline to the role. */
export interface InlinePolicy {
    /** Policy name, 1–128 characters of `[A-Za-z0-9+=,.@_-]`; unique within the workload. */
    name: string;
    /** The policy document, as JSON text or an object with Version `2012-10-17` and Statement. */
    policy: pulumi.Input<string | Record<string, unknown>>;
}
