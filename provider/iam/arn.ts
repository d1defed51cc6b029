import { Problems, describe } from "../validation/problems";

/**
 * ARN parsing for the handful of ARN kinds the component accepts. Parsing is strict on purpose:
 * a malformed ARN caught here is a clear preview error instead of an AWS error minutes into `pulumi up`.
 */

/** The AWS partitions (`aws`, `aws-cn`, `aws-us-gov`, the ISO partitions and the European Sovereign Cloud), as a regular-expression source. */
export const PARTITION = "aws(?:-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?";
/** An AWS account id: 12 digits. */
export const ACCOUNT = "\\d{12}";
/** A region name such as `us-west-2` or `us-gov-east-1`. */
export const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";

const accountIdPattern = new RegExp(`^${ACCOUNT}$`);
/** True for a 12-digit AWS account id. */
export function isAccountId(value: string): boolean {
    return accountIdPattern.test(value);
}

export interface ClusterArn {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
}

export interface IamArn {
    partition: string;
    accountId: string;
    /** The path including leading and trailing slash, e.g. `/` or `/platform/`. */
    path: string;
    name: string;
}

/*
 * The resource part of each kind, as AWS documents it (Service Authorization Reference, "Actions, resources, and
 * condition keys for AWS Identity and Access Management" and "... for Amazon Elastic Kubernetes Service"):
 * - role `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}` and policy `...:policy/${PolicyNameWithPath}`:
 *   the path is `/` or `/…/` of characters U+0021 to U+007E, at most 512 characters; a role name is 1 to 64, a policy
 *   name 1 to 128 characters of letters, digits and `+=,.@_-` (IAM API Reference, CreateRole and CreatePolicy: Path,
 *   RoleName, PolicyName). The `/` after `role` and `policy` is part of the form, not optional.
 * - oidc-provider `arn:${Partition}:iam::${Account}:oidc-provider/${OidcProviderName}`: the provider's URL without its
 *   `https://` (IAM User Guide, "Create an OpenID Connect (OIDC) identity provider in IAM"; IAM API Reference,
 *   CreateOpenIDConnectProvider `Url`: it begins with https://, path components are allowed but query parameters are
 *   not, it has no port number, 1 to 255 characters). So: a host name, then an optional path; no scheme, no port, no
 *   query or fragment, nothing outside a URL's path characters.
 * - cluster `arn:${Partition}:eks:${Region}:${Account}:cluster/${ClusterName}` (EKS API Reference, CreateCluster
 *   `name`: 1 to 100 characters, `^[0-9A-Za-z][A-Za-z0-9\-_]*$`).
 */
const clusterArnPattern = new RegExp(`^arn:(${PARTITION}):eks:(${REGION}):(${ACCOUNT}):cluster/([A-Za-z0-9][A-Za-z0-9_-]{0,99})$`);
/** `/`, or `/…/` of U+0021 to U+007E: 1 to 512 characters. */
const IAM_PATH = "/|/[\\x21-\\x7E]{1,510}/";
const roleArnPattern = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):role(${IAM_PATH})([\\w+=,.@-]{1,64})$`);
const policyArnPattern = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}|aws):policy(${IAM_PATH})([\\w+=,.@-]{1,128})$`);
/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";
/** A URL path (RFC 3986 `path-abempty`): `/`-separated segments of unreserved, sub-delimiter, `:` and `@` characters, or %-escapes. */
const URL_PATH = "(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*";
const oidcProviderArnPattern = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):oidc-provider/(${HOST}${URL_PATH})$`);
/** IAM's 255 characters of `Url`, less the `https://` the ARN leaves out. */
const OIDC_ISSUER_MAX = 255 - "https://".length;

export function parseClusterArn(arn: string): ClusterArn | undefined {
    const m = typeof arn === "string" ? clusterArnPattern.exec(arn) : null;
    return m ? { partition: m[1], region: m[2], accountId: m[3], clusterName: m[4] } : undefined;
}

export function parseRoleArn(arn: string): IamArn | undefined {
    const m = typeof arn === "string" ? roleArnPattern.exec(arn) : null;
    return m ? { partition: m[1], accountId: m[2], path: m[3], name: m[4] } : undefined;
}

export function parsePolicyArn(arn: string): IamArn | undefined {
    const m = typeof arn === "string" ? policyArnPattern.exec(arn) : null;
    return m ? { partition: m[1], accountId: m[2], path: m[3], name: m[4] } : undefined;
}

export interface OidcProviderArn {
    partition: string;
    accountId: string;
    /** Issuer host and path without scheme, e.g. `oidc.eks.us-east-1.amazonaws.com/id/ABC`: the prefix of its condition keys. */
    issuer: string;
}

export function parseOidcProviderArn(arn: string): OidcProviderArn | undefined {
    const m = typeof arn === "string" ? oidcProviderArnPattern.exec(arn) : null;
    return m && m[3].length <= OIDC_ISSUER_MAX ? { partition: m[1], accountId: m[2], issuer: m[3] } : undefined;
}

/** A generic ARN check used for policy `Resource` entries: `arn:partition:service:region:account:resource`, or `*`. */
export function isWellFormedResourceArn(value: string): boolean {
    if (value === "*") {
        return true;
    }
    // Policy variables such as ${aws:PrincipalTag/x} may stand anywhere after the service.
    return /^arn:(\*|aws[a-z-]*):[a-z0-9*-]+:[a-z0-9*-]*:(\d{12}|\*|aws|)?:.+$/.test(value);
}

/**
 * Why a value is not the ARN kind expected, in words, for the messages below: whitespace around an otherwise good
 * value, or an ARN of another service or resource type (`it names iam:policy, not iam:role`).
 */
function whyNot(value: string, parse: (v: string) => unknown, expected: { service: string; type: string }): string {
    if (value.trim() !== value && parse(value.trim())) {
        return " (it has whitespace around it: remove the whitespace)";
    }
    const generic = /^arn:[^:]*:([^:]*):[^:]*:[^:]*:([^/:]*)/.exec(value);
    if (generic && (generic[1] !== expected.service || generic[2] !== expected.type)) {
        return ` (it names ${generic[1]}:${generic[2]}, not ${expected.service}:${expected.type})`;
    }
    return "";
}

/** An IAM role ARN (a path is allowed). Returns it parsed, for what is derived from it (name, account). */
export function checkRoleArn(problems: Problems, path: string, value: string): IamArn | undefined {
    const arn = parseRoleArn(value);
    if (!arn) {
        problems.add(path, `${shown(value)} is not an IAM role ARN${whyNot(value, parseRoleArn, { service: "iam", type: "role" })}: use arn:aws:iam::<12-digit account>:role/<optional path/><name>`);
    }
    return arn;
}

/** An IAM managed policy ARN: a customer managed policy (12-digit account) or an AWS managed one (`aws`). */
export function checkPolicyArn(problems: Problems, path: string, value: string): IamArn | undefined {
    const arn = parsePolicyArn(value);
    if (!arn) {
        problems.add(
            path,
            `${shown(value)} is not an IAM policy ARN${whyNot(value, parsePolicyArn, { service: "iam", type: "policy" })}: use arn:aws:iam::aws:policy/<name> or arn:aws:iam::<12-digit account>:policy/<name>`,
        );
    }
    return arn;
}

/** An EKS cluster ARN; with `clusterName`, also that it names the same cluster. */
export function checkClusterArn(problems: Problems, path: string, value: string, clusterName?: string): ClusterArn | undefined {
    const arn = parseClusterArn(value);
    if (!arn) {
        problems.add(path, `${shown(value)} is not an EKS cluster ARN${whyNot(value, parseClusterArn, { service: "eks", type: "cluster" })}: use arn:aws:eks:<region>:<12-digit account>:cluster/<name>`);
    } else if (clusterName !== undefined && arn.clusterName !== clusterName) {
        problems.add(path, `names cluster "${arn.clusterName}" but clusterName is "${clusterName}": give the ARN of the same cluster`);
        return undefined;
    }
    return arn;
}

/**
 * An IAM OIDC identity provider ARN: `arn:<partition>:iam::<account>:oidc-provider/<the provider's URL without
 * https://>`. Said precisely what is wrong where a URL was pasted whole: the scheme, a port, a query or fragment.
 */
export function checkOidcProviderArn(problems: Problems, path: string, value: string): OidcProviderArn | undefined {
    const arn = parseOidcProviderArn(value);
    if (arn) {
        return arn;
    }
    const fix = "use arn:aws:iam::<12-digit account>:oidc-provider/<issuer host and path, without https://>, e.g. arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    const provider = typeof value === "string" ? /^arn:[^:]*:iam::[^:]*:oidc-provider\/(.*)$/s.exec(value) : null;
    const resource = provider?.[1];
    let why = typeof value === "string" ? whyNot(value, parseOidcProviderArn, { service: "iam", type: "oidc-provider" }) : "";
    if (resource !== undefined && why === "") {
        const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(resource);
        if (scheme) {
            const withoutScheme = value.replace(`oidc-provider/${scheme[0]}`, "oidc-provider/");
            why = ` (its resource part starts with the URL scheme "${scheme[0]}", which the provider's ARN leaves out${parseOidcProviderArn(withoutScheme) ? `: use ${JSON.stringify(withoutScheme)}` : ""})`;
        } else if (resource === "") {
            why = " (the provider's host is missing)";
        } else if (/^[^/]*:\d*(\/|$)/.test(resource)) {
            why = " (it has a port number: IAM's OIDC provider URLs have none)";
        } else if (/[?#]/.test(resource)) {
            why = " (it has a query or fragment: IAM's OIDC provider URLs have only a host and a path)";
        } else if (/\s/.test(resource)) {
            why = " (it has whitespace)";
        } else if (resource.length > OIDC_ISSUER_MAX) {
            why = ` (its URL would be ${resource.length + "https://".length} characters; IAM allows 255)`;
        }
    }
    problems.add(path, `${shown(value)} is not an IAM OIDC provider ARN${why}: ${fix}`);
    return undefined;
}

/** A string as written (escaped, so a line break shows as `\n`), anything else by its kind. */
function shown(value: unknown): string {
    return typeof value === "string" ? JSON.stringify(value) : describe(value);
}
