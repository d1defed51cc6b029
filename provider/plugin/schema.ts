/**
 * The shape of the package schema the plugin serves (`schema.json` beside this module): what the provider reads at
 * run time, and what the build-time generator (`provider/tools/schema`) writes.
 */

import * as path from "path";

export const PACKAGE_NAME = "eks-pod-identity";

/**
 * The committed schema, read from the package sources (this file runs from dist/provider/plugin): served by the
 * plugin, and read by the components' shape check (`validation/shape.ts`).
 */
export function schemaPath(): string {
    return path.join(__dirname, "..", "..", "..", "provider", "plugin", "schema.json");
}

export interface TypeSpec {
    type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
    $ref?: string;
    items?: TypeSpec;
    additionalProperties?: TypeSpec;
    oneOf?: TypeSpec[];
    plain?: boolean;
}

export interface PropertySpec extends TypeSpec {
    description: string;
}

export interface ObjectTypeSpec {
    description: string;
    type: "object";
    properties: Record<string, PropertySpec>;
    required?: string[];
}

export interface EnumTypeSpec {
    description: string;
    type: "string";
    enum: { value: string }[];
}

export interface ResourceSpec {
    description: string;
    isComponent: true;
    inputProperties: Record<string, PropertySpec>;
    requiredInputs: string[];
    properties: Record<string, PropertySpec>;
    required: string[];
}

export interface PackageSchema {
    name: string;
    displayName: string;
    version: string;
    description: string;
    keywords: string[];
    license: string;
    repository: string;
    meta: { moduleFormat: string };
    language: Record<string, unknown>;
    config: Record<string, never>;
    provider: { description: string; type: "object" };
    resources: Record<string, ResourceSpec>;
    types: Record<string, ObjectTypeSpec | EnumTypeSpec>;
}

