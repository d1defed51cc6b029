/**
 * The shape of the package schema the plugin serves (`schema.json` beside this module): what the provider reads at
 * run time, and what the build-time generator (`provider/tools/schema`) writes.
 */

import { packageFilePath, readPackageFile } from "../packageFiles";

export const PACKAGE_NAME = "eks-pod-identity";

const SCHEMA_FILE = "provider/plugin/schema.json";

/** Where the committed schema is in the package folder (this file runs from dist/provider/plugin). */
export function schemaPath(): string {
    return packageFilePath(SCHEMA_FILE);
}

/**
 * The committed schema's text: served by the plugin, and read by the components' shape check
 * (`validation/shape.ts`); embedded in the release plugin's single executable.
 */
export function schemaText(): string {
    return readPackageFile(SCHEMA_FILE);
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
    /** The engine keeps the value encrypted; SDKs wrap it as a secret. */
    secret?: boolean;
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
    /** Where the CLI downloads the plugin from (GitHub releases of the repository). */
    pluginDownloadURL: string;
    meta: { moduleFormat: string };
    language: Record<string, unknown>;
    config: Record<string, never>;
    provider: { description: string; type: "object" };
    resources: Record<string, ResourceSpec>;
    types: Record<string, ObjectTypeSpec | EnumTypeSpec>;
}

