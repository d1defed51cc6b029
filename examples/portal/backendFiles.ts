/**
 * The files of a Pulumi DIY backend, read where they are kept: a local folder (`file://`) or an S3 bucket (`s3://`).
 * The portal reads two kinds, never writes them: the CLI's stack locks (stackLock.ts) and checkpoints (checkpoint.ts).
 * Both backends keep the same layout under `.pulumi/` (Pulumi docs, "State and backends": the DIY backend stores
 * checkpoints and locks as plain objects, whatever the storage).
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import { S3Bucket, s3Location } from "./s3";

export interface BackendFiles {
    /** Names of the files directly in `dir` (relative to the backend's root, `/`-separated). */
    list(dir: string): Promise<string[]>;
    /** The file's text, or undefined when it does not exist. */
    read(file: string): Promise<string | undefined>;
}

export function localBackendFiles(root: string): BackendFiles {
    return {
        async list(dir) {
            try {
                return fs.readdirSync(path.join(root, dir));
            } catch {
                return [];
            }
        },
        async read(file) {
            try {
                return fs.readFileSync(path.join(root, file), "utf8");
            } catch {
                return undefined;
            }
        },
    };
}

export function bucketBackendFiles(bucket: S3Bucket): BackendFiles {
    return {
        async list(dir) {
            const prefix = dir.endsWith("/") ? dir : `${dir}/`;
            return (await bucket.list(prefix)).map((key) => key.slice(prefix.length)).filter((name) => name && !name.includes("/"));
        },
        async read(file) {
            return (await bucket.get(file))?.body;
        },
    };
}

/** The backend's files for `file://` and `s3://` URLs; undefined for others (the Pulumi service keeps its own). */
export function backendFiles(backendUrl: string, env: Record<string, string | undefined>): BackendFiles | undefined {
    if (backendUrl.startsWith("file://")) return localBackendFiles(fileURLToPath(backendUrl.split("?")[0]));
    const location = s3Location(backendUrl, env);
    return location ? bucketBackendFiles(new S3Bucket(location, env)) : undefined;
}
