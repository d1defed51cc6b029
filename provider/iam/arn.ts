import type { Problems } from "../validation/problems";

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

const clusterArnPattern = new RegExp(`^arn:(${PARTITION}):eks:(${REGION}):(${ACCOUNT}):cluster/([A-Za-z0-9][A-Za-z0-9_-]{0,99})$`);
const roleArnPattern = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):role(/(?:[\\x21-\\x7E]+/)?)?([\\w+=,.@-]{1,64})$`);
const policyArnPattern = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}|aws):policy(/(?:[\\x21-\\x7E]+/)?)?([\\w+=,.@-]{1,128})$`);
const oidcProviderArnPattern = new RegExp(`^arn:(${PARTITION}):iam::(${ACCOUNT}):oidc-provider/(.+)$`);

export function parseClusterArn(arn: string): ClusterArn | undefined {
    const m = clusterArnPattern.exec(arn);
    return m ? { partition: m[1], region: m[2], accountId: m[3], clusterName: m[4] } : undefined;
}

export function parseRoleArn(arn: string): IamArn | undefined {
    const m = roleArnPattern.exec(arn);
    return m ? { partition: m[1], accountId: m[2], path: m[3] ?? "/", name: m[4] } : undefined;
}

export function parsePolicyArn(arn: string): IamArn | undefined {
    const m = policyArnPattern.exec(arn);
    return m ? { partition: m[1], accountId: m[2], path: m[3] ?? "/", name: m[4] } : undefined;
}

export interface OidcProviderArn {
    partition: string;
    accountId: string;
    /** Issuer host and path without scheme, e.g. `oidc.eks.us-east-1.amazonaws.com/id/ABC`: the prefix of its condition keys. */
    issuer: string;
}

export function parseOidcProviderArn(arn: string): OidcProviderArn | undefined {
    const m = oidcProviderArnPattern.exec(arn);
    return m ? { partition: m[1], accountId: m[2], issuer: m[3] } : undefined;
}

/** A generic ARN check used for policy `Resource` entries: `arn:partition:service:region:account:resource`, or `*`. */
export function isWellFormedResourceArn(value: string): boolean {
    if (value === "*") {
        return true;
    }
    // Policy variables such as ${aws:PrincipalTag/x} may stand anywhere after the service.
    return /^arn:(\*|aws[a-z-]*):[a-z0-9*-]+:[a-z0-9*-]*:(\d{12}|\*|aws|)?:.+$/.test(value);
}

/** An IAM role ARN (a path is allowed). */
export function checkRoleArn(problems: Problems, path: string, value: string): void {
    if (!parseRoleArn(value)) {
        problems.add(path, `"${value}" is not an IAM role ARN: use arn:aws:iam::<12-digit account>:role/<optional path/><name>`);
    }
}

/** An EKS cluster ARN; with `clusterName`, also that it names the same cluster. */
export function checkClusterArn(problems: Problems, path: string, value: string, clusterName?: string): void {
    const arn = parseClusterArn(value);
    if (!arn) {
        problems.add(path, `"${value}" is not an EKS cluster ARN: use arn:aws:eks:<region>:<12-digit account>:cluster/<name>`);
    } else if (clusterName !== undefined && arn.clusterName !== clusterName) {
        problems.add(path, `names cluster "${arn.clusterName}" but clusterName is "${clusterName}": give the ARN of the same cluster`);
    }
}
