import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_NAME, PackageSchema, schemaPath, schemaText as committedSchema } from "./packageSchema";
import { normalizeInputs } from "./inputs";

/**
 * The component provider: serves the committed schema and constructs the package's components from Construct
 * calls. Nothing is inferred at run time: the schema was generated from the TypeScript sources at build time, and
 * the component classes are loaded on the first Construct only (GetSchema needs none of them).
 */

export { schemaPath };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkSettings = () => require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

type ComponentClass = new (name: string, args: any, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

let components: Record<string, unknown> | undefined;
/** The component classes, by class name; loaded (with @pulumi/aws and @pulumi/kubernetes) on first use. */
function componentModule(): Record<string, unknown> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    components ??= require("../index") as Record<string, unknown>;
    return components;
}

/**
 * Parts of a component that other components use besides its outputs, rebuilt for a resource reference (a
 * component constructed by an earlier Construct call and passed as an input): a workload's `agent.waitFor` makes
 * its Deployment depend on the agent (`installation`); `addon` is the agent's child `<name>-addon`.
 */
const referenceParts: Record<string, (urn: string, name: string) => Record<string, unknown>> = {
    // `installation` is the agent itself, whatever its install method (add-on or Helm chart, not known from a
    // reference): its Construct answered before this reference could exist, and it answers only once its children
    // (the add-on, or the chart's objects) are registered, so depending on it orders the Deployment after them.
    [`${PACKAGE_NAME}:index:PodIdentityAgent`]: (urn, name) => ({
        addon: new (pulumi as any).DependencyResource(childUrn(urn, "aws:eks/addon:Addon", `${name}-addon`)),
        installation: new (pulumi as any).DependencyResource(urn),
    }),
};

/** The URN of a child of `parent`: the parent's type chain, then the child's type and name. */
export function childUrn(parent: string, type: string, name: string): string {
    const [stack, project, qualifiedType] = parent.split("::");
    return `${stack}::${project}::${qualifiedType}$${type}::${name}`;
}

/** Constructs in flight, by component name, to hand errors raised outside their own promise chain. */
const inflight = new Map<(error: Error) => void, string>();
/** Components whose Construct already answered with an input error: later copies of it are not news. */
const answered = new Set<string>();

/** The component an input error names (`PodIdentityWorkload "orders" has invalid inputs: ...`), and its owner test. */
function belongsTo(error: Error, name: string): boolean {
    // The SDK prefixes the message on the way (`error serializing property "policy": PodIdentityWorkload "x" ...`).
    const named = /\b\w+ "([^"]+)" has invalid inputs/.exec(error.message)?.[1];
    // Children are named after their component (`orders-agent` for a workload's agent).
    return named !== undefined && (named === name || named.startsWith(`${name}-`));
}

/**
 * Hands an input error raised outside a Construct's promise chain (a child's rejected input, reported as an
 * unhandled rejection) to the Construct it belongs to. True when it was delivered or was already answered.
 */
export function routeInputError(error: Error): boolean {
    for (const [fail, name] of inflight) {
        if (belongsTo(error, name)) {
            fail(error);
            return true;
        }
    }
    return [...answered].some((name) => belongsTo(error, name));
}

export class ComponentProvider implements pulumi.provider.Provider {
    readonly version: string;
    /** The committed schema, as read (served as is by GetSchema). */
    readonly schema: string;
    private readonly spec: PackageSchema;

    constructor(schemaText = committedSchema()) {
        this.schema = schemaText;
        this.spec = JSON.parse(schemaText);
        this.version = this.spec.version;
        // Resource references to this package's components arrive before any Construct code runs: register how to
        // rebuild them now; the classes load only when a reference is actually deserialized.
        pulumi.runtime.registerResourceModule(PACKAGE_NAME, "index", {
            version: this.version,
            construct: (name: string, type: string, urn: string) => this.reference(name, type, urn),
        });
    }

    async getSchema(): Promise<string> {
        return this.schema;
    }

    async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions): Promise<pulumi.provider.ConstructResult> {
        const resource = this.spec.resources[type];
        if (!resource) {
            throw new Error(`unknown resource type ${type}: this provider constructs ${Object.keys(this.spec.resources).join(", ")}`);
        }
        const className = type.split(":")[2];
        const label = `${className} "${name}"`;
        let routed: Error | undefined;
        let fail!: (error: Error) => void;
        const failed = new Promise<never>((_, reject) => {
            fail = (error) => {
                routed ??= error;
                reject(error);
            };
        });
        failed.catch(() => undefined);
        inflight.set(fail, name);
        try {
            const args = await normalizeInputs(label, resource, this.spec, inputs);
            const Component = componentModule()[className] as ComponentClass;
            const instance = new Component(name, args, options) as unknown as Record<string, unknown> & pulumi.ComponentResource;
            const state: Record<string, unknown> = {};
            for (const output of Object.keys(resource.properties)) {
                state[output] = instance[output];
            }
            // Inputs checked once known (policy documents, names from other resources) reject the outputs that
            // depend on them: wait for every output so such an error is answered as an input error.
            await Promise.race([Promise.all(Object.values(state).map((o) => (pulumi.Output.isInstance(o) ? (o as any).promise() : o))), failed]);
            // A child whose input was rejected (an inline policy, the role's policy budget) fails outside these
            // outputs, as an unhandled rejection routed here; its registration never completes. So wait for this
            // Construct's registrations (the SDK tracks them per call) or that error, whichever comes first.
            await Promise.race([sdkSettings().waitForRPCs(), failed]);
            if (routed) {
                throw routed;
            }
            return { urn: instance.urn, state };
        } catch (error) {
            if (pulumi.InputPropertiesError.isInstance(error)) {
                answered.add(name);
            }
            throw error;
        } finally {
            inflight.delete(fail);
        }
    }

    private reference(name: string, type: string, urn: string): pulumi.Resource {
        const Component = componentModule()[type.split(":")[2]] as ComponentClass | undefined;
        if (!Component || !this.spec.resources[type]) {
            throw new Error(`unknown resource type ${type} in a resource reference`);
        }
        // Only the base constructor runs: it reads the existing resource by URN instead of creating children.
        const instance = Reflect.construct(pulumi.ComponentResource, [type, name, {}, { urn }], Component) as pulumi.ComponentResource;
        return Object.assign(instance, referenceParts[type]?.(urn, name) ?? {});
    }
}
