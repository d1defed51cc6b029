/**
 * The AWS config file that chains a pod's Pod Identity credentials into roles of other accounts (seed 002,
 * "Approach 3"). Pure rendering; the component ships the result in a ConfigMap.
 */

/** One role to chain into: a profile of the config file. */
export interface ChainedProfile {
    /** Profile name, as used in `AWS_PROFILE`. */
    name: string;
    /** ARN of the role to assume. */
    roleArn: string;
    /** External id the role's trust policy expects. */
    externalId?: string;
    /** Session name recorded in CloudTrail. */
    roleSessionName?: string;
    /** Session duration in seconds. */
    durationSeconds?: number;
    /** Region of the profile (and of its STS endpoint). */
    region?: string;
}

export interface AwsConfigFileSpec {
    /**
     * How the chain's first credentials are obtained: `process` runs the helper script (works with every SDK that
     * supports `credential_process`); `ecsContainer` lets the SDK read the Pod Identity agent itself (no shell needed
     * in the image; needs an SDK recent enough to send the agent's token).
     */
    credentialSource: "process" | "ecsContainer";
    /** Name of the profile holding the Pod Identity credentials (`process` only). */
    sourceProfileName: string;
    /** Absolute path of the helper script in the container (`process` only). */
    credentialProcessPath: string;
    profiles: ChainedProfile[];
}

/** Characters the SDKs' INI parsers accept in a profile name without ambiguity. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9_.+@-]{1,64}$/;

/**
 * What a value may be to stay one value on one line for every SDK's config parser: visible ASCII, no whitespace
 * (a line break would start a new key or section; the JS, Java and Go SDKs end a value at whitespace followed by
 * `#` or `;`), and not starting with `#` or `;` (a comment there). The inputs are checked against their own, stricter
 * rules first, naming the input; this is the renderer's own guarantee, whatever reaches it.
 */
const SINGLE_INI_VALUE = /^(?![#;])[\x21-\x7E]+$/;

/** Refuses a value that could add structure to the file: a bug upstream of the renderer, never written. */
function iniValue(key: string, value: string | number): string {
    const text = String(value);
    if (!SINGLE_INI_VALUE.test(text)) {
        throw new Error(`refusing to write ${key} = ${JSON.stringify(text)} into an AWS config file: only visible ASCII without whitespace, not starting with # or ;`);
    }
    return `${key} = ${text}`;
}

function sectionHeader(profileName: string): string {
    if (!PROFILE_NAME_PATTERN.test(profileName)) {
        throw new Error(`refusing to write the profile name ${JSON.stringify(profileName)} into an AWS config file`);
    }
    return `[profile ${profileName}]`;
}

function profileLines(profile: ChainedProfile): string[] {
    const lines = [iniValue("role_arn", profile.roleArn)];
    if (profile.externalId !== undefined) {
        lines.push(iniValue("external_id", profile.externalId));
    }
    if (profile.roleSessionName !== undefined) {
        lines.push(iniValue("role_session_name", profile.roleSessionName));
    }
    if (profile.durationSeconds !== undefined) {
        lines.push(iniValue("duration_seconds", profile.durationSeconds));
    }
    if (profile.region !== undefined) {
        lines.push(iniValue("region", profile.region));
    }
    // Regional STS keeps the AssumeRole call in the pod's region (and working when the global endpoint is blocked).
    lines.push("sts_regional_endpoints = regional");
    return lines;
}

export function renderAwsConfigFile(spec: AwsConfigFileSpec): string {
    const sections: string[] = [];
    if (spec.credentialSource === "process") {
        sections.push([sectionHeader(spec.sourceProfileName), iniValue("credential_process", spec.credentialProcessPath)].join("\n"));
    }
    for (const profile of spec.profiles) {
        const source = spec.credentialSource === "process" ? iniValue("source_profile", spec.sourceProfileName) : "credential_source = EcsContainer";
        const [roleArn, ...rest] = profileLines(profile);
        sections.push([sectionHeader(profile.name), roleArn, source, ...rest].join("\n"));
    }
    return `# Rendered by pulumi-eks-pod-identity: Pod Identity credentials chained into other accounts' roles.\n${sections.join("\n\n")}\n`;
}
