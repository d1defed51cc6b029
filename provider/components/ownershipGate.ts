import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../validation/problems";
import { ClusterAccess, ObjectReader, clusterReader } from "../kubernetes/liveObjects";
import { PlannedObject, ownershipConflict } from "../kubernetes/ownership";
import { runsUnderMocks } from "./mockedEngine";

/** One Kubernetes object a component is about to create, its name possibly known later. */
export type PlannedInput = Omit<PlannedObject, "name" | "namespace"> & { name: pulumi.Input<string>; namespace?: pulumi.Input<string> };

export interface OwnershipGateInputs {
    /** The component, whose Kubernetes provider decides where the cluster is read from. */
    parent: pulumi.Resource;
    /** `PodIdentityWorkload "name"`, for errors. */
    component: string;
    /** This component's owner annotation (ownership.ts `ownerName`). */
    owner: string;
    /** The cluster's name, for messages. */
    cluster: pulumi.Input<string>;
    /** The objects, the namespace first when it is created here (nothing else exists in a namespace that does not). */
    objects: PlannedInput[];
    /** The component's `kubeconfig` input. */
    kubeconfig?: pulumi.Input<string>;
}

/**
 * `opts` with a transformation that makes every resource registered under the component (children and their children)
 * depend on the gate `current()` returns once the component has made it. A refused gate then fails each of them
 * before it reads any other resource's output: none waits for a sibling that will never register, so the program
 * ends with the refusal instead of waiting for good.
 */
export function behindOwnershipGate(opts: pulumi.ComponentResourceOptions | undefined, current: () => pulumi.Output<true> | undefined): pulumi.ComponentResourceOptions {
    const waitForGate: pulumi.ResourceTransformation = (args) => {
        const gate = current();
        if (gate === undefined) {
            return undefined;
        }
        const given = args.opts.dependsOn;
        // Resources stay as they are: an Output of a resource list is resolved by the SDK, a resource never lifted.
        const dependsOn = gate.apply(() => given ?? []) as pulumi.Input<pulumi.Input<pulumi.Resource>[]>;
        return { props: args.props, opts: { ...args.opts, dependsOn } };
    };
    return { ...opts, transformations: [...(opts?.transformations ?? []), waitForGate] };
}

/**
 * `outputs` released only once the gate passed: a refused gate fails each at once instead of leaving it waiting for a
 * child that never registered (the stack's outputs and the component's own would wait for good).
 */
export function afterGate<T extends Record<string, pulumi.Output<unknown>>>(gate: pulumi.Output<true> | undefined, outputs: T): T {
    if (gate === undefined) {
        return outputs;
    }
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, gate.apply(() => output)])) as T;
}

/** Reads the cluster; a test's reader replaces the client. */
export type ReaderFactory = (access: ClusterAccess) => ObjectReader;

/**
 * Resolves once none of `objects` exists in the cluster unless this component created it (or adopts it); fails with
 * the component's input error, naming the input of each conflicting object and the ways out, otherwise. Whatever
 * the component registers waits for it, so a refused component changes nothing. Undefined when there is nothing to
 * read: no object to create, or a mocked engine without `kubeconfig` (unit tests and the offline plan have no cluster).
 */
export function ownershipGate(inputs: OwnershipGateInputs, readerFor: ReaderFactory = clusterReader, mocked = runsUnderMocks): pulumi.Output<true> | undefined {
    // Mocks (unit tests, the offline plan) have no cluster, unless a kubeconfig is given to read one.
    if (inputs.objects.length === 0 || (inputs.kubeconfig === undefined && mocked())) {
        return undefined;
    }
    const access = clusterAccess(inputs);
    if (access === undefined) {
        // Fails the gate, not the constructor: the component has registered, its children wait for the gate.
        return pulumi.output(inputs.cluster).apply(() => {
            const problems = new Problems();
            problems.add(
                "kubeconfig",
                "required with a Kubernetes provider of your own: pass that provider's kubeconfig here (for an eks.Cluster, its kubeconfigJson). The component reads the cluster before it creates a Kubernetes object, so that it never takes over one it did not create",
            );
            problems.throwIfAny(inputs.component);
            return true as const;
        });
    }
    const names = inputs.objects.map((object) => ({ name: object.name, namespace: object.namespace }));
    // The kubeconfig is only read here; unwrapped so the names and documents derived after the gate stay plain.
    return pulumi.output({ access: pulumi.unsecret(pulumi.output(access)), cluster: inputs.cluster, names }).apply(async (known) => {
        const planned = inputs.objects.map((object, i) => ({ ...object, ...known.names[i] }) as PlannedObject);
        const problems = new Problems();
        try {
            const read = readerFor(known.access);
            const conflicts = await conflictsOf(planned, read, inputs.owner, known.cluster);
            for (const [object, reason] of conflicts) problems.add(object.path, reason);
        } catch (error) {
            problems.add("kubeconfig", `${error instanceof Error ? error.message : String(error)}. The component reads the cluster before it creates a Kubernetes object, so that it never takes over one it did not create: give kubeconfig, or fix the Kubernetes configuration`);
        }
        problems.throwIfAny(inputs.component);
        return true as const;
    });
}

/** Each planned object that exists and is not this component's, with why. */
async function conflictsOf(planned: PlannedObject[], read: ObjectReader, owner: string, cluster: string): Promise<[PlannedObject, string][]> {
    const [first, ...rest] = planned;
    const found: [PlannedObject, string][] = [];
    const check = async (object: PlannedObject) => {
        const reason = ownershipConflict(object, await read(object), owner, cluster);
        if (reason) found.push([object, reason]);
    };
    if (first.kind === "Namespace") {
        const live = await read(first);
        const reason = ownershipConflict(first, live, owner, cluster);
        if (reason) found.push([first, reason]);
        // A namespace that does not exist holds nothing yet.
        if (live === undefined) return found;
        await Promise.all(rest.map(check));
    } else {
        await Promise.all(planned.map(check));
    }
    return found;
}

/**
 * Where the cluster is read from: the `kubeconfig` input, else the default Kubernetes provider's configuration. A
 * Kubernetes provider of the user's own is opaque to a component (its kubeconfig cannot be read back), so it needs
 * `kubeconfig`: reading the ambient cluster instead could approve an object in another cluster. Undefined then.
 */
function clusterAccess(inputs: OwnershipGateInputs): pulumi.Input<ClusterAccess> | undefined {
    if (inputs.kubeconfig !== undefined) {
        return pulumi.output(inputs.kubeconfig).apply((kubeconfig) => ({ kubeconfig }));
    }
    if (inputs.parent.getProvider("kubernetes:core/v1:Namespace") !== undefined) {
        return undefined;
    }
    const config = new pulumi.Config("kubernetes");
    return { kubeconfig: config.get("kubeconfig"), context: config.get("context") };
}
