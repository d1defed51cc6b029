import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { readable } from "../../provider/tools/plan/engine";

/* eslint-disable @typescript-eslint/no-require-imports */
// The gRPC stubs every Pulumi SDK speaks, as shipped in @pulumi/pulumi (google-protobuf 3.x messages).
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourceProto = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const engineProto = require("@pulumi/pulumi/proto/engine_pb");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
const statusProto = require("@pulumi/pulumi/proto/status_pb");
const errorsProto = require("@pulumi/pulumi/proto/errors_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A double of the Pulumi engine for a component provider: the ResourceMonitor and Engine gRPC services on loopback,
 * recording every registration a provider's Construct makes (type, name, parent, inputs, dependencies, providers)
 * and answering like AWS would (ids, ARNs), plus a client that spawns the provider plugin and calls it over the
 * same wire format every Pulumi language SDK uses.
 */

export const SIG = pulumi.runtime.specialSigKey;

/** Wire values: what an SDK sends for values that are not plain JSON. */
export const wire = {
    unknown: pulumi.runtime.unknownValue,
    secret: (value: unknown) => ({ [SIG]: pulumi.runtime.specialSecretSig, value }),
    resourceReference: (urn: string, packageVersion = "") => ({ [SIG]: pulumi.runtime.specialResourceSig, urn, packageVersion }),
    output: (value: unknown, dependencies: string[] = [], secret = false) => ({
        [SIG]: pulumi.runtime.specialOutputValueSig,
        ...(value === undefined ? {} : { value }),
        ...(secret ? { secret: true } : {}),
        dependencies,
    }),
};

export interface Registration {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    remote: boolean;
    parent?: string;
    /** Inputs as received, made readable: unknowns `<known after apply>`, secrets `<secret>`, references URNs. */
    inputs: Record<string, any>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Provider reference (`urn::id`) of a custom resource. */
    provider?: string;
    /** Provider references of a component, by package. */
    providers: Record<string, string>;
    /** Outputs a component registered, or the state of a custom resource. */
    outputs?: Record<string, any>;
    /** Id of a custom resource. */
    id?: string;
}

export interface LogEntry {
    severity: number;
    message: string;
    urn: string;
}

export interface EngineDoubleOptions {
    project?: string;
    stack?: string;
    /** Answer for a custom resource in an update: its id and the state it gets (inputs plus computed values). */
    answer?: (registration: { type: string; name: string; inputs: Record<string, any> }) => { id: string; state: Record<string, any> };
    /** Answer for a data-source invoke, e.g. `aws:eks/getCluster:getCluster`. */
    invoke?: (token: string, args: Record<string, any>) => Record<string, any>;
}

export type Handler = (call: any, callback: (error: any, response?: any) => void) => void;

export class EngineDouble {
    readonly registrations: Registration[] = [];
    readonly invokes: { token: string; args: Record<string, any> }[] = [];
    readonly logs: LogEntry[] = [];
    readonly project: string;
    readonly stack: string;
    private preview = false;
    private rootResource = "";

    private constructor(
        private readonly server: grpc.Server,
        readonly address: string,
        private readonly options: EngineDoubleOptions,
    ) {
        this.project = options.project ?? "project";
        this.stack = options.stack ?? "stack";
    }

    /** Starts the ResourceMonitor and Engine services on one loopback port. */
    static async start(options: EngineDoubleOptions = {}): Promise<EngineDouble> {
        const server = new grpc.Server({ "grpc.max_receive_message_length": 1 << 30, "grpc.max_send_message_length": 1 << 30 });
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
        );
        const double = new EngineDouble(server, `127.0.0.1:${port}`, options);
        server.addService(resourceGrpc.ResourceMonitorService, withUnimplemented(resourceGrpc.ResourceMonitorService, double.monitorHandlers()));
        server.addService(engineGrpc.EngineService, withUnimplemented(engineGrpc.EngineService, double.engineHandlers()));
        return double;
    }

    /** Whether the calls that follow are a preview (values AWS assigns stay unknown). */
    setPreview(preview: boolean): void {
        this.preview = preview;
    }

    get isPreview(): boolean {
        return this.preview;
    }

    stackUrn(): string {
        return `urn:pulumi:${this.stack}::${this.project}::pulumi:pulumi:Stack::${this.project}-${this.stack}`;
    }

    urnOf(type: string, name: string, parent?: string): string {
        const parentType = parent ? parent.split("::")[2] : undefined;
        const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
        return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    }

    /**
     * Records a resource that exists before the Construct calls (registered earlier by the program, e.g. a provider
     * or a cluster), so that references to it can be read back; returns its URN.
     */
    existing(type: string, name: string, outputs: Record<string, any> = {}, id = `${name}-id`): string {
        const urn = this.urnOf(type, name);
        this.registrations.push({ urn, type, name, custom: true, remote: false, inputs: outputs, dependencies: [], propertyDependencies: {}, providers: {}, outputs, id });
        return urn;
    }

    /** The registration with this name; fails loudly when absent. */
    get(name: string): Registration {
        const found = this.registrations.find((r) => r.name === name);
        if (!found) {
            throw new Error(`no registration named ${name}; have ${this.registrations.map((r) => r.name).join(", ")}`);
        }
        return found;
    }

    has(name: string): boolean {
        return this.registrations.some((r) => r.name === name);
    }

    childrenOf(name: string): string[] {
        const urn = this.get(name).urn;
        return this.registrations.filter((r) => r.parent === urn).map((r) => r.name);
    }

    /** Names of the resources the named one depends on (explicitly and through inputs), its parent excluded. */
    dependenciesOf(name: string): string[] {
        const r = this.get(name);
        const all = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
        all.delete(r.parent ?? "");
        return [...all].map((urn) => this.registrations.find((x) => x.urn === urn)?.name ?? urn).sort();
    }

    async close(): Promise<void> {
        await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    }

    // ---- ResourceMonitor ----

    private monitorHandlers(): Record<string, Handler> {
        const supported = new Set(["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"]);
        return {
            supportsFeature: (call, callback) => {
                const response = new resourceProto.SupportsFeatureResponse();
                response.setHassupport(supported.has(call.request.getId()));
                callback(null, response);
            },
            registerResource: (call, callback) => {
                try {
                    callback(null, this.register(call.request));
                } catch (e) {
                    callback({ code: grpc.status.INTERNAL, details: (e as Error).message });
                }
            },
            registerResourceOutputs: (call, callback) => {
                const record = this.registrations.find((r) => r.urn === call.request.getUrn());
                if (record) {
                    record.outputs = readable(call.request.getOutputs()?.toJavaScript() ?? {});
                }
                callback(null, new emptyproto.Empty());
            },
            invoke: (call, callback) => {
                const token: string = call.request.getTok();
                const args = call.request.getArgs()?.toJavaScript() ?? {};
                const response = new providerProto.InvokeResponse();
                try {
                    let result: Record<string, any>;
                    if (token === "pulumi:pulumi:getResource") {
                        // How a component passed by reference is read back: its URN and registered outputs.
                        const record = this.registrations.find((r) => r.urn === args.urn);
                        if (!record) {
                            throw new Error(`unknown resource ${args.urn}`);
                        }
                        result = { urn: record.urn, id: record.id ?? "", state: record.outputs ?? {} };
                    } else {
                        this.invokes.push({ token, args });
                        if (!this.options.invoke) {
                            throw new Error(`the engine double has no answer for ${token}`);
                        }
                        result = this.options.invoke(token, args);
                    }
                    response.setReturn(structproto.Struct.fromJavaScript(result));
                    callback(null, response);
                } catch (e) {
                    callback({ code: grpc.status.UNKNOWN, details: (e as Error).message });
                }
            },
            signalAndWaitForShutdown: (_call, callback) => callback(null, new emptyproto.Empty()),
        };
    }

    private register(request: any): any {
        const type: string = request.getType();
        const name: string = request.getName();
        const parent: string = request.getParent() || undefined;
        const custom: boolean = request.getCustom();
        const urn = this.urnOf(type, name, parent);
        const wireInputs: Record<string, any> = request.getObject()?.toJavaScript() ?? {};
        const inputs = readable(wireInputs);
        this.registrations.push({
            urn,
            type,
            name,
            custom,
            remote: request.getRemote(),
            parent,
            inputs,
            dependencies: request.getDependenciesList(),
            propertyDependencies: Object.fromEntries(
                request
                    .getPropertydependenciesMap()
                    .toArray()
                    .map(([key, deps]: [string, any]) => [key, deps[0] ?? []]),
            ),
            provider: request.getProvider() || undefined,
            providers: Object.fromEntries(request.getProvidersMap().toArray()),
        });
        const response = new resourceProto.RegisterResourceResponse();
        response.setUrn(urn);
        if (custom) {
            let state = wireInputs;
            if (!this.preview && this.options.answer) {
                const answer = this.options.answer({ type, name, inputs });
                response.setId(answer.id);
                // Computed values on top of the inputs as sent (secrets and the like keep their wire form).
                state = { ...wireInputs };
                for (const [key, value] of Object.entries(answer.state)) {
                    if (JSON.stringify(value) !== JSON.stringify(inputs[key])) {
                        state[key] = value;
                    }
                }
            } else if (!this.preview) {
                response.setId(`${name}-id`);
            }
            response.setObject(structproto.Struct.fromJavaScript(state));
        }
        return response;
    }

    // ---- Engine ----

    private engineHandlers(): Record<string, Handler> {
        return {
            log: (call, callback) => {
                this.logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
                callback(null, new emptyproto.Empty());
            },
            getRootResource: (_call, callback) => {
                const response = new engineProto.GetRootResourceResponse();
                response.setUrn(this.rootResource);
                callback(null, response);
            },
            setRootResource: (call, callback) => {
                this.rootResource = call.request.getUrn();
                callback(null, new engineProto.SetRootResourceResponse());
            },
            requirePulumiVersion: (_call, callback) => callback(null, new emptyproto.Empty()),
        };
    }
}

/**
 * Every RPC of `service`: the given handlers, and UNIMPLEMENTED for the rest, as a server lacking a feature would
 * answer (`${name} is not implemented by ${who}`).
 */
export function withUnimplemented(
    service: Record<string, { originalName?: string }>,
    handlers: Record<string, Handler>,
    who = "the engine double",
): Record<string, Handler> {
    const all: Record<string, Handler> = {};
    for (const [key, method] of Object.entries(service)) {
        const name = method.originalName ?? key;
        all[name] = handlers[name] ?? ((_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: `${name} is not implemented by ${who}` }));
    }
    return all;
}

// ---- the provider, spawned and called over gRPC ----

export interface ConstructOptions {
    parent?: string;
    /** Per-input dependencies (URNs), as an SDK sends them. */
    inputDependencies?: Record<string, string[]>;
    /** Provider references (`urn::id`) by package, from the `providers` resource option. */
    providers?: Record<string, string>;
    dependencies?: string[];
    preview?: boolean;
    config?: Record<string, string>;
}

export interface ConstructResult {
    urn: string;
    /** The returned state, readable (unknowns `<known after apply>`). */
    state: Record<string, any>;
    /** The state as it came over the wire. */
    wireState: Record<string, any>;
    stateDependencies: Record<string, string[]>;
}

/** A failed call: the gRPC status and, for input errors, the property paths and reasons. */
export class ProviderCallError extends Error {
    constructor(
        readonly code: number,
        readonly details: string,
        readonly inputErrors: { propertyPath: string; reason: string }[],
    ) {
        super(`${grpc.status[code]}: ${details}`);
    }
}

export const LAUNCHER = path.join(__dirname, "..", "..", "..", "provider", "plugin", "pulumi-resource-eks-pod-identity");

export interface ProviderTimings {
    /** Milliseconds from spawn to the port printed on stdout. */
    portMs: number;
}

export class ProviderProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        readonly port: number,
        readonly timings: ProviderTimings,
        private readonly stderr: string[],
    ) {}

    /** Spawns the plugin as the engine does: `<command> <engine address>`; resolves once it prints its port. */
    static async spawn(engine: EngineDouble, command: string[] = [LAUNCHER], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProviderProcess> {
        const started = process.hrtime.bigint();
        const child = spawn(command[0], [...command.slice(1), engine.address], { stdio: ["ignore", "pipe", "pipe"], cwd: options.cwd, env: options.env ?? process.env });
        const stderr: string[] = [];
        child.stderr!.on("data", (chunk) => stderr.push(String(chunk)));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const onData = (chunk: Buffer) => {
                out += String(chunk);
                const line = out.split("\n")[0];
                if (out.includes("\n")) {
                    child.stdout!.off("data", onData);
                    const value = Number(line.trim());
                    if (Number.isInteger(value) && value > 0) {
                        resolve(value);
                    } else {
                        reject(new Error(`the provider printed ${JSON.stringify(line)} instead of its port; stderr:\n${stderr.join("")}`));
                    }
                }
            };
            child.stdout!.on("data", onData);
            child.once("exit", (code) => reject(new Error(`the provider exited (${code}) before printing its port; stderr:\n${stderr.join("")}`)));
        });
        const portMs = Number(process.hrtime.bigint() - started) / 1e6;
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 1 << 30,
        });
        return new ProviderProcess(child, client, port, { portMs }, stderr);
    }

    get pid(): number {
        return this.child.pid!;
    }

    /** Resident memory of the provider process in MB (Linux). */
    rssMb(): number {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const status: string = require("fs").readFileSync(`/proc/${this.child.pid}/status`, "utf8");
        return Number(status.match(/VmRSS:\s+(\d+)/)![1]) / 1024;
    }

    get stderrText(): string {
        return this.stderr.join("");
    }

    async getSchema(): Promise<string> {
        const request = new providerProto.GetSchemaRequest();
        request.setVersion(0);
        const response = await this.unary("getSchema", request);
        return response.getSchema();
    }

    async getPluginInfo(): Promise<string> {
        const response = await this.unary("getPluginInfo", new emptyproto.Empty());
        return (response as { getVersion(): string }).getVersion();
    }

    async construct(engine: EngineDouble, type: string, name: string, inputs: Record<string, unknown>, options: ConstructOptions = {}): Promise<ConstructResult> {
        engine.setPreview(options.preview ?? false);
        const request = new providerProto.ConstructRequest();
        request.setProject(engine.project);
        request.setStack(engine.stack);
        request.setDryrun(options.preview ?? false);
        request.setParallel(16);
        request.setMonitorendpoint(engine.address);
        request.setType(type);
        request.setName(name);
        request.setParent(options.parent ?? engine.stackUrn());
        request.setInputs(structproto.Struct.fromJavaScript(inputs));
        request.setAcceptsOutputValues(true);
        request.setDependenciesList(options.dependencies ?? []);
        for (const [key, urns] of Object.entries(options.inputDependencies ?? {})) {
            const deps = new providerProto.ConstructRequest.PropertyDependencies();
            deps.setUrnsList(urns);
            request.getInputdependenciesMap().set(key, deps);
        }
        for (const [pkg, ref] of Object.entries(options.providers ?? {})) {
            request.getProvidersMap().set(pkg, ref);
        }
        for (const [key, value] of Object.entries(options.config ?? {})) {
            request.getConfigMap().set(key, value);
        }
        const response = await this.unary("construct", request);
        const wireState = response.getState()?.toJavaScript() ?? {};
        return {
            urn: response.getUrn(),
            state: readable(wireState),
            wireState,
            stateDependencies: Object.fromEntries(
                response
                    .getStatedependenciesMap()
                    .toArray()
                    .map(([key, deps]: [string, any]) => [key, deps[0] ?? []]),
            ),
        };
    }

    async kill(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill();
            await exited;
        }
    }

    private unary(method: string, request: unknown): Promise<any> {
        return new Promise((resolve, reject) =>
            this.client[method](request, (error: grpc.ServiceError | null, response: unknown) => (error ? reject(callError(error)) : resolve(response))),
        );
    }
}

/** Decodes a gRPC error, with the InputPropertiesError details an SDK would show as per-property errors. */
function callError(error: grpc.ServiceError): ProviderCallError {
    const inputErrors: { propertyPath: string; reason: string }[] = [];
    for (const raw of error.metadata?.get("grpc-status-details-bin") ?? []) {
        const status = statusProto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
        for (const detail of status.getDetailsList()) {
            if (detail.getTypeName() === "pulumirpc.InputPropertiesError") {
                const parsed = errorsProto.InputPropertiesError.deserializeBinary(detail.getValue_asU8());
                for (const e of parsed.getErrorsList()) {
                    inputErrors.push({ propertyPath: e.getPropertyPath(), reason: e.getReason() });
                }
            }
        }
    }
    return new ProviderCallError(error.code, error.details, inputErrors);
}
