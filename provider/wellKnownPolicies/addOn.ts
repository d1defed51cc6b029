import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../validation/problems";
import { PolicyEnvironment, WellKnownDocument } from "./common";

/** An input interface with every `pulumi.Input` resolved: what the render functions take. */
export type Unwrapped<T> = pulumi.Unwrap<T>;

/**
 * What each module under `addons/` provides for its add-on. Typed by the add-on's own args interface, not by its key,
 * so an add-on module needs nothing from the registry that lists it.
 */
export interface WellKnownAddOn<Args> {
    /** The add-on, for documentation. */
    title: string;
    /** Names of the documents when the policy renders several (each becomes its own managed policy). Default: one. */
    parts?: string[];
    /** Upstream source and version the policy follows. */
    source: string;
    check(problems: Problems, path: string, inputs: Args): void;
    render(inputs: Unwrapped<Args>, env: PolicyEnvironment): WellKnownDocument[];
}
