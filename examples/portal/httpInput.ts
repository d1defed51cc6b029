/**
 * What the portal accepts of a request before it reads it as JSON: the media type, the body's size and how long it
 * may take to arrive; and the error that carries an HTTP status out of a handler.
 */
import type * as http from "http";

export const MAX_BODY = 64 * 1024;

export class HttpError extends Error {
    /** `closeConnection`: the request's body was not read to its end, so the connection cannot carry another request. */
    constructor(readonly status: number, readonly body: Record<string, unknown>, readonly closeConnection = false) {
        super(String(body.error));
    }
}

/**
 * `application/json`, with at most a `charset=utf-8` parameter (RFC 8259 §8.1: JSON exchanged between systems is
 * UTF-8). Other types, `application/json-seq` (RFC 7464) and other charsets included, are not what the portal parses.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
    const [type, ...parameters] = (contentType ?? "").split(";").map((part) => part.trim().toLowerCase());
    if (type !== "application/json") return false;
    return parameters.every((parameter) => /^charset=("?)utf-8\1$/.test(parameter)) && parameters.length <= 1;
}

/**
 * Reads a request body of at most MAX_BODY bytes within `timeoutMs` of being called. Rejects with `413` (too large)
 * or `408` (too slow); both leave the body unread, so they ask for the connection to be closed.
 */
export function readBody(req: http.IncomingMessage, timeoutMs: number): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const settle = (error?: HttpError) => {
            clearTimeout(timer);
            req.off("data", onData).off("end", onEnd).off("error", onError);
            if (error) {
                req.pause();
                reject(error);
            } else {
                resolve(chunks);
            }
        };
        const onData = (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_BODY) settle(new HttpError(413, { error: `the request body exceeds ${MAX_BODY} bytes` }, true));
            else chunks.push(chunk);
        };
        const onEnd = () => settle();
        const onError = () => settle(new HttpError(400, { error: "the request body could not be read" }, true));
        const timer = setTimeout(() => settle(new HttpError(408, { error: `the request body did not arrive within ${timeoutMs} ms` }, true)), timeoutMs);
        req.on("data", onData).on("end", onEnd).on("error", onError);
    });
}
