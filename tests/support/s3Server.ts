/**
 * moto's S3-compatible server on loopback (installed by tests/s3/setup.sh into .venv-moto): a real S3 API (SigV4,
 * ListObjectsV2, conditional PutObject) for the portal's shared DIY backend, with one bucket made for the test. Served
 * one request at a time by tests/s3/serve.py, so that conditional writes are atomic as in S3 (see there).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { S3Bucket, s3Location } from "../../examples/portal/s3";

const ROOT = path.resolve(__dirname, "../../..");
const PYTHON = path.join(ROOT, ".venv-moto", "bin", "python");
const SERVE = path.join(ROOT, "tests", "s3", "serve.py");

/** Credentials moto accepts (any): given to the CLI and the portal as the AWS SDKs' usual variables. */
export const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: "portal-test", AWS_SECRET_ACCESS_KEY: "portal-test-secret", AWS_REGION: "us-east-1" };

export interface S3Server {
    /** The Pulumi backend URL of the bucket, in the form the CLI's gocloud s3 driver reads. */
    backendUrl: string;
    bucket: S3Bucket;
    stop(): Promise<void>;
}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

export async function startS3Server(bucketName: string): Promise<S3Server> {
    if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`npm run setup:s3\``);
    const port = await freePort();
    const child: ChildProcess = spawn(PYTHON, [SERVE, "127.0.0.1", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    await new Promise<void>((resolve, reject) => {
        let err = "";
        child.stderr!.on("data", (chunk) => {
            err += chunk;
            if (err.includes("Running on")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`moto's server exited (${code}): ${err}`)));
    });
    child.stderr!.resume();
    const backendUrl = `s3://${bucketName}?endpoint=http://127.0.0.1:${port}&use_path_style=true&region=${S3_CREDENTIALS.AWS_REGION}`;
    const bucket = new S3Bucket(s3Location(backendUrl)!, S3_CREDENTIALS);
    await bucket.createBucket();
    return {
        backendUrl,
        bucket,
        stop: () =>
            new Promise<void>((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}
