import * as pulumi from "@pulumi/pulumi";
import { Integer } from "../types";

/** A role in another account that the workload's pods chain into. */
export interface CrossAccountTarget {
    /** ARN of the role to assume, e.g. `arn:aws:iam::222233334444:role/reader`. Required. */
    roleArn: pulumi.Input<string>;
    /**
     * Name of its profile in the rendered config file (what `AWS_PROFILE` selects): 1–64 letters, digits and
     * `_ . + @ -`. Default: the role's name (a role name with `=` or `,` then needs an explicit profile name).
     * `configFile` mode only.
     */
    profileName?: string;
    /**
     * External id the target role's trust policy requires: 2–1224 characters of `[A-Za-z0-9_+=,.@:/-]` (STS's rule),
     * checked once known when it comes from another resource. Default: none. `configFile` mode only.
     */
    externalId?: pulumi.Input<string>;
    /** Session name recorded in CloudTrail, 2–64 characters of `[A-Za-z0-9+=,.@_-]`. Default: chosen by the SDK. `configFile` mode only. */
    roleSessionName?: string;
    /** Session duration in seconds, 900–3600: STS caps chained role sessions at one hour. Default: the SDK's (3600). `configFile` mode only. */
    durationSeconds?: Integer;
    /**
     * Region of the profile and of its STS endpoint, e.g. `eu-west-1`. Default: the cluster's region (from its ARN),
     * so every SDK calls the regional STS endpoint. `configFile` mode only.
     */
    region?: string;
    /** Select this profile through `AWS_PROFILE`. Default: the first target. At most one target may set it. */
    default?: boolean;
    /**
     * A target in the source role's own account is usually a mistake (grant the permissions to the source role
     * instead); give the reason here to allow it. Default: rejected.
     */
    sameAccountReason?: string;
}

/**
 * Cross-account access by role chaining. `configFile` (default) renders an AWS config file whose source profile
 * reads the Pod Identity agent and whose target profiles assume roles in other accounts, mounts it with its helper
 * script, and points `AWS_CONFIG_FILE`/`AWS_PROFILE` at it. `native` sets the association's `targetRoleArn` so EKS
 * performs the chaining itself (one target).
 */
export interface CrossAccountSettings {
    /** `configFile` or `native`. Default `configFile`. */
    mode?: "configFile" | "native";
    /** The roles to chain into: one or more in `configFile` mode, exactly one in `native` mode. */
    targets: CrossAccountTarget[];
    /**
     * How the chain obtains the Pod Identity credentials, `configFile` mode: `process` (default) runs the mounted helper
     * script through `credential_process` and works with every SDK that supports it; `ecsContainer` uses
     * `credential_source = EcsContainer`, for images without a shell (needs an SDK that sends the agent's token).
     */
    credentialSource?: "process" | "ecsContainer";
    /**
     * Absolute directory where the config file (and script) are mounted read-only: segments of letters, digits and
     * `. _ -` (it is part of the `credential_process` command line). Default `/etc/aws-pod-identity`.
     */
    mountPath?: string;
    /** Name of the profile holding the Pod Identity credentials. Default `pod-identity`. */
    sourceProfileName?: string;
}
