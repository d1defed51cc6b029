import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, PARTITION, REGION, parseClusterArn, parseRoleArn } from "../iam/arn";
import { ConditionBlock, PolicyDocumentJson, StatementJson } from "../iam/policyDocument";
import { Problems, describe } from "../validation/problems";

/** Where the policy applies: taken from the workload's cluster ARN. */
export interface PolicyEnvironment {
    partition: string;
    region: string;
    accountId: string;
    clusterName: string;
}

export function environmentOf(clusterArn: string): PolicyEnvironment | undefined {
    const arn = parseClusterArn(clusterArn);
    return arn ? { partition: arn.partition, region: arn.region, accountId: arn.accountId, clusterName: arn.clusterName } : undefined;
}

/** The DNS suffix of service principals in the partition. */
export function dnsSuffix(partition: string): string {
    return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/** One rendered managed policy of a well-known policy; `part` distinguishes the documents of one split policy. */
export interface WellKnownDocument {
    part?: string;
    document: PolicyDocumentJson;
}

export function statement(sid: string, actions: string[], resources: string | string[], condition?: ConditionBlock): StatementJson {
    const json: StatementJson = { Sid: sid, Effect: "Allow", Action: actions, Resource: resources };
    if (condition) {
        json.Condition = condition;
    }
    return json;
}

export function document(...statements: (StatementJson | undefined | false)[]): PolicyDocumentJson {
    return { Version: "2012-10-17", Statement: statements.filter((s): s is StatementJson => !!s) };
}

/** The shape of one kind of input value (an ARN kind, a hosted zone id, a cluster name). */
export interface ValueShape {
    /** What it is, for messages: "a KMS key ARN". */
    what: string;
    /** Checks one value. */
    test: (value: string) => boolean;
    /** A well-formed example. */
    example: string;
}

const arnShape = (what: string, service: string, resource: string, example: string, regional = true): ValueShape => {
    const pattern = new RegExp(`^arn:${PARTITION}:${service}:${regional ? REGION : ""}:${regional ? ACCOUNT : ""}:${resource}$`);
    return { what, test: (v) => pattern.test(v), example };
};

export const SHAPES = {
    kmsKey: arnShape("a KMS key ARN", "kms", "key/(?:mrk-)?[0-9a-f-]{32,36}", "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    s3Bucket: arnShape("an S3 bucket ARN", "s3", "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "arn:aws:s3:::my-bucket", false),
    efsFileSystem: arnShape(
        "an EFS or S3 Files file system ARN",
        "(?:elasticfilesystem|s3files)",
        "file-system/fs-[0-9a-f]{8,40}",
        "arn:aws:elasticfilesystem:us-west-2:123456789012:file-system/fs-0123456789abcdef0",
    ),
    secret: arnShape("a Secrets Manager secret ARN", "secretsmanager", "secret:[\\w/+=.@-]+\\*?", "arn:aws:secretsmanager:us-west-2:123456789012:secret:prod/orders-*"),
    ssmParameter: arnShape("an SSM parameter ARN", "ssm", "parameter/[\\w./-]+\\*?", "arn:aws:ssm:us-west-2:123456789012:parameter/prod/orders/*"),
    sqsQueue: arnShape("an SQS queue ARN", "sqs", "[\\w-]{1,80}(?:\\.fifo)?", "arn:aws:sqs:us-west-2:123456789012:node-termination"),
    apsWorkspace: arnShape("an Amazon Managed Prometheus workspace ARN", "aps", "workspace/ws-[A-Za-z0-9-]+", "arn:aws:aps:us-west-2:123456789012:workspace/ws-12345678-abcd-1234-abcd-123456789012"),
    appMeshNode: arnShape("an App Mesh virtual node or gateway ARN", "appmesh", "mesh/[\\w-]+/(?:virtualNode|virtualGateway)/[\\w-]+", "arn:aws:appmesh:us-west-2:123456789012:mesh/apps/virtualNode/orders"),
    acmCertificate: arnShape("an ACM certificate ARN", "acm", "certificate/[0-9a-f-]{36}", "arn:aws:acm:us-west-2:123456789012:certificate/12345678-1234-1234-1234-123456789012"),
    privateCa: arnShape("an ACM Private CA ARN", "acm-pca", "certificate-authority/[0-9a-f-]{36}", "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012"),
    role: { what: "an IAM role ARN", test: (v: string) => parseRoleArn(v) !== undefined, example: "arn:aws:iam::123456789012:role/KarpenterNodeRole-prod" } as ValueShape,
    hostedZoneId: { what: "a Route 53 hosted zone id", test: (v: string) => /^[A-Z0-9]{1,32}$/.test(v), example: "Z0123456789ABCDEFGHIJ" } as ValueShape,
    clusterName: { what: "an EKS cluster name", test: (v: string) => /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(v), example: "prod" } as ValueShape,
    logGroupPrefix: { what: "a log group name prefix", test: (v: string) => /^[\w./#-]{1,511}$/.test(v), example: "/aws/containerinsights/prod/" } as ValueShape,
};

/**
 * Checks a list input. Values not known yet (Outputs) are skipped: the same check runs again once they resolve.
 * `required`: the list must be given and non-empty.
 */
export function checkList(problems: Problems, path: string, values: unknown, shape: ValueShape, required: boolean): void {
    if (values === undefined) {
        if (required) {
            problems.add(path, `required: give at least one ${shape.what.replace(/^an? /, "")}, e.g. "${shape.example}"`);
        }
        return;
    }
    if (pulumi.Output.isInstance(values)) {
        return;
    }
    if (!Array.isArray(values)) {
        problems.add(path, `expected a list of ${shape.what.replace(/^an? /, "")}s, got ${describe(values)}`);
        return;
    }
    if (values.length === 0 && required) {
        problems.add(path, `must not be empty: give at least one ${shape.what.replace(/^an? /, "")}, e.g. "${shape.example}"`);
    }
    const seen = new Set<string>();
    values.forEach((value, i) => checkValue(problems, `${path}[${i}]`, value, shape, seen));
}

export function checkValue(problems: Problems, path: string, value: unknown, shape: ValueShape, seen?: Set<string>): void {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return;
    }
    if (typeof value !== "string") {
        problems.add(path, `expected ${shape.what}, got ${describe(value)}`);
        return;
    }
    if (value === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(value)) {
        problems.add(path, `a wildcard would grant every resource of the kind: name ${shape.what.replace(/^an? /, "the ")}s, e.g. "${shape.example}"`);
        return;
    }
    if (shape === SHAPES.hostedZoneId && /^\/?hostedzone\//.test(value)) {
        problems.add(path, `give the bare id without "/hostedzone/", e.g. "${value.replace(/^\/?hostedzone\//, "")}"`);
        return;
    }
    if (!shape.test(value)) {
        problems.add(path, `${JSON.stringify(value)} is not ${shape.what}: use e.g. "${shape.example}"`);
        return;
    }
    if (seen?.has(value)) {
        problems.add(path, `${JSON.stringify(value)} is listed twice: remove the duplicate`);
    }
    seen?.add(value);
}

export function checkFlag(problems: Problems, path: string, value: unknown): void {
    if (value !== undefined && typeof value !== "boolean") {
        problems.add(path, `expected true or false, got ${describe(value)}`);
    }
}

/** `<arn>/*`: the objects of S3 buckets. */
export const objectsOf = (bucketArns: string[]) => bucketArns.map((arn) => `${arn}/*`);

/** The Route 53 hosted zones with these ids. */
export const hostedZones = (env: PolicyEnvironment, ids: string[]) => ids.map((id) => `arn:${env.partition}:route53:::hostedzone/${id}`);

/** Encrypt/decrypt with the keys, and grants for AWS services only (EBS attaching encrypted volumes). */
export function kmsStatements(sidPrefix: string, keys: string[], grants: boolean) {
    return keys.length === 0
        ? []
        : [
              grants && statement(`${sidPrefix}KmsGrants`, ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], keys, { Bool: { "kms:GrantIsForAWSResource": "true" } }),
              statement(`${sidPrefix}KmsUse`, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], keys),
          ];
}
