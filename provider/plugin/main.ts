import "./lightweight"; // first: keeps the SDK from loading what a provider does not use
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, routeInputError } from "./provider";

/**
 * Entry point of the `pulumi-resource-eks-pod-identity` plugin: `node main.js [engine address]` prints the port of
 * its gRPC server and serves GetSchema and Construct. Plain precompiled JavaScript from dist/, run by the launcher
 * script next to the sources (a plain bundle was measured slower: it parses every AWS service the SDK links). The
 * release plugin bundles this file with those services left out (provider/tools/release/bundle.ts).
 */

const events = ["unhandledRejection", "uncaughtException"] as const;
type Listener = (...args: any[]) => void;

/**
 * The SDK's provider server reports a process-level error by logging its stack to the engine and failing the calls
 * in flight with it. An input rejected once known (a child's policy document, say) reaches the process that way; it
 * is answered here as an input error instead: to the Construct it belongs to, or as INVALID_ARGUMENT with the
 * property paths, never as a stack trace. Every other error keeps the SDK's handling.
 */
function answerInputErrorsAsInputErrors(sdkListeners: Record<(typeof events)[number], Listener[]>): void {
    for (const event of events) {
        const [logAndRecord, ...failInflight] = sdkListeners[event];
        sdkListeners[event].forEach((listener) => process.off(event as any, listener));
        process.on(event as any, (error: any) => {
            if (pulumi.InputPropertiesError.isInstance(error)) {
                if (!routeInputError(error)) {
                    failInflight.forEach((listener) => listener(invalidArgument(error)));
                }
                return;
            }
            logAndRecord?.(error);
            failInflight.forEach((listener) => listener(error));
        });
    }
}

/** The gRPC status the SDK's server sends for an InputPropertiesError thrown by Construct. */
function invalidArgument(error: pulumi.InputPropertiesError): unknown {
    // Built like the server's own answer (provider/server.js buildInvalidPropertiesError).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const grpc = require("@grpc/grpc-js");
    const anyproto = require("google-protobuf/google/protobuf/any_pb");
    const statusproto = require("@pulumi/pulumi/proto/status_pb");
    const errorproto = require("@pulumi/pulumi/proto/errors_pb");
    /* eslint-enable @typescript-eslint/no-require-imports */
    const status = new statusproto.Status();
    status.setCode(grpc.status.INVALID_ARGUMENT);
    status.setMessage(error.message);
    const details = new errorproto.InputPropertiesError();
    for (const e of error.errors ?? []) {
        const propertyError = new errorproto.InputPropertiesError.PropertyError();
        propertyError.setPropertyPath(e.propertyPath);
        propertyError.setReason(e.reason);
        details.addErrors(propertyError);
    }
    const packed = new anyproto.Any();
    packed.pack(details.serializeBinary(), "pulumirpc.InputPropertiesError");
    status.addDetails(packed);
    const metadata = new grpc.Metadata();
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
    return { code: grpc.status.INVALID_ARGUMENT, details: error.message, metadata };
}

async function main(): Promise<void> {
    const listeners = (event: string) => process.listeners(event as any) as Listener[];
    const before = Object.fromEntries(events.map((e) => [e, listeners(e)]));
    await pulumi.provider.main(new ComponentProvider(), process.argv.slice(2));
    const added = Object.fromEntries(events.map((e) => [e, listeners(e).filter((l) => !before[e].includes(l))])) as Record<(typeof events)[number], Listener[]>;
    answerInputErrorsAsInputErrors(added);
}

main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
