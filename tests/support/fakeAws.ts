import { randomBytes, randomUUID } from "node:crypto";

/**
 * What the fake Pod Identity agent and the fake STS share: the temporary credentials issued so far, each with the
 * role session it belongs to and that session's transitive tags, so STS can check a signature with the secret that
 * was issued for an access key id and know who the caller is.
 */

export interface RoleSession {
    account: string;
    /** IAM role ARN, e.g. `arn:aws:iam::111111111111:role/source` (what `aws:PrincipalArn` holds). */
    roleArn: string;
    roleName: string;
    sessionName: string;
    /** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`. */
    sessionArn: string;
    /** `AROA…:<session name>` (GetCallerIdentity's UserId). */
    userId: string;
}

export interface IssuedCredentials {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
    session: RoleSession;
    /** Session tags marked transitive: passed on to every chained AssumeRole. */
    transitiveTags: Record<string, string>;
    /** Who issued them. */
    issuer: "agent" | "sts";
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function randomFrom(alphabet: string, length: number): string {
    const bytes = randomBytes(length);
    return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

/** Parses `arn:<partition>:iam::<account>:role/<path/><name>`. */
export function parseRoleArn(roleArn: string): { partition: string; account: string; roleName: string } {
    const match = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(roleArn);
    if (!match) {
        throw new Error(`not a role ARN: ${roleArn}`);
    }
    return { partition: match[1], account: match[2], roleName: match[3] };
}

export function roleSession(roleArn: string, sessionName: string): RoleSession {
    const { partition, account, roleName } = parseRoleArn(roleArn);
    // A stable role id per role ARN, shaped like IAM's.
    const roleId = `AROA${Buffer.from(roleArn).toString("hex").toUpperCase().slice(-17)}`;
    return {
        account,
        roleArn,
        roleName,
        sessionName,
        sessionArn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`,
        userId: `${roleId}:${sessionName}`,
    };
}

export class CredentialStore {
    private readonly byKey = new Map<string, IssuedCredentials>();

    issue(session: RoleSession, transitiveTags: Record<string, string>, issuer: IssuedCredentials["issuer"], lifetimeSeconds = 3600): IssuedCredentials {
        const credentials: IssuedCredentials = {
            accessKeyId: `ASIA${randomFrom(UPPER_ALNUM, 16)}`,
            // Real secrets and session tokens are base64-like: `/` and `+` included, which JSON may write as `\/`.
            secretAccessKey: randomBytes(30).toString("base64"),
            sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(180).toString("base64")}`,
            expiration: new Date(Math.floor(Date.now() / 1000) * 1000 + lifetimeSeconds * 1000),
            session,
            transitiveTags: { ...transitiveTags },
            issuer,
        };
        this.byKey.set(credentials.accessKeyId, credentials);
        return credentials;
    }

    lookup(accessKeyId: string): IssuedCredentials | undefined {
        return this.byKey.get(accessKeyId);
    }

    all(): IssuedCredentials[] {
        return [...this.byKey.values()];
    }
}

export function requestId(): string {
    return randomUUID();
}

/** Every secret a store has handed out: access keys, secret keys and session tokens. */
export function secretsOf(store: CredentialStore): string[] {
    return store.all().flatMap((c) => [c.secretAccessKey, c.sessionToken]);
}
