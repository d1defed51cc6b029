/**
 * The one AWS account and region the tests live in, and the shapes of the ARNs and resource ids AWS (and the
 * Pulumi AWS provider) hand out. Every double that plays AWS (the unit harness, the e2e cloud double, the
 * benchmark's engine) and every test that writes an example ARN builds it here, so the doubles cannot drift apart
 * in what an ARN looks like. What differs between the doubles is only how they pick the unique part of a name or
 * id (fixed in the unit harness so tests can name results; fresh per create in the cloud double, as in AWS).
 */

export const ACCOUNT = "123456789012";
export const REGION = "us-west-2";

export const clusterArnOf = (name: string, account = ACCOUNT) => `arn:aws:eks:${REGION}:${account}:cluster/${name}`;

/** `path` as IAM stores it: "/" or "/a/b/". */
export const roleArnOf = (name: string, path = "/", account = ACCOUNT) => `arn:aws:iam::${account}:role${path}${name}`;

export const policyArnOf = (name: string, path = "/", account = ACCOUNT) => `arn:aws:iam::${account}:policy${path}${name}`;

export const accountRootArnOf = (account = ACCOUNT) => `arn:aws:iam::${account}:root`;

/** The session principal STS reports for a role session. */
export const assumedRoleArnOf = (roleName: string, sessionName: string, account = ACCOUNT) => `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;

export const secretArnOf = (name: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}`;

export const podIdentityAssociationArnOf = (clusterName: string, associationId: string) =>
    `arn:aws:eks:${REGION}:${ACCOUNT}:podidentityassociation/${clusterName}/${associationId}`;

/** The trailing segment is a per-install uuid in AWS; the doubles use a fixed one. */
export const addonArnOf = (clusterName: string, addonName: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:addon/${clusterName}/${addonName}/x`;

/** EKS association ids are "a-" and 17 lowercase alphanumerics; `unique` supplies them (extra characters are cut). */
export const podIdentityAssociationIdOf = (unique: string) => `a-${unique.slice(0, 17)}`;

/** Pulumi AWS provider ids of resources that AWS identifies by more than one part. */
export const providerIdOf = {
    podIdentityAssociation: (clusterName: string, associationId: string) => `${clusterName},${associationId}`,
    addon: (clusterName: string, addonName: string) => `${clusterName}:${addonName}`,
};

/** Route 53 ARNs carry no account or region. */
export const hostedZoneArnOf = (zoneId: string) => `arn:aws:route53:::hostedzone/${zoneId}`;
