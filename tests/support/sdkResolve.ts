import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromIni, fromNodeProviderChain } from "@aws-sdk/credential-providers";

/**
 * Run as a child process (`node dist/tests/support/sdkResolve.js ini|chain`) with the environment a pod would have:
 * resolves credentials with the AWS SDK for JavaScript v3 the way an application does (a fresh provider, so nothing
 * is cached), then calls STS GetCallerIdentity with them. Prints one JSON line: `{ok, arn, account, accessKeyId, ms}`
 * or `{ok: false, name, message}`. Never prints a secret.
 */

export interface SdkResult {
    ok: boolean;
    arn?: string;
    account?: string;
    accessKeyId?: string;
    /** Milliseconds spent resolving the credentials. */
    ms?: number;
    name?: string;
    message?: string;
}

async function main(): Promise<void> {
    const mode = process.argv[2];
    const provider = mode === "ini" ? fromIni() : mode === "chain" ? fromNodeProviderChain() : undefined;
    if (!provider) {
        throw new Error("usage: sdkResolve ini|chain");
    }
    let result: SdkResult;
    try {
        const started = process.hrtime.bigint();
        const credentials = await provider();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const sts = new STSClient({ credentials });
        const identity = await sts.send(new GetCallerIdentityCommand({}));
        result = { ok: true, arn: identity.Arn, account: identity.Account, accessKeyId: credentials.accessKeyId, ms };
    } catch (e) {
        const error = e as Error;
        result = { ok: false, name: error.name, message: error.message };
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
    main().catch((e) => {
        process.stderr.write(`${(e as Error).stack}\n`);
        process.exit(1);
    });
}
