import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { RecordedResource, UNKNOWN } from "./engine";

/**
 * Turns recorded registrations into what a person reviews before `pulumi up`: a tree of components and their
 * children with dependencies, and the rendered documents (policies, Kubernetes manifests) as files.
 */

export function planTree(resources: RecordedResource[]): string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string | undefined, RecordedResource[]>();
    for (const r of resources) {
        const parent = r.parent && byUrn.has(r.parent) ? r.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const lines: string[] = [];
    const typeWidth = Math.max(...resources.map((r) => r.type.length));
    const visit = (parent: string | undefined, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const deps = dependenciesOf(r)
                .map((urn) => byUrn.get(urn)?.name ?? urn)
                .sort();
            const indent = "  ".repeat(depth);
            const after = deps.length > 0 ? `  ← after ${deps.join(", ")}` : "";
            lines.push(`${indent}+ ${r.type.padEnd(typeWidth - indent.length + 2)} ${r.name}${after}`);
            visit(r.urn, depth + 1);
        }
    };
    visit(undefined, 0);
    return lines.join("\n");
}

/** Explicit and implicit dependencies of a resource, without its parent. */
export function dependenciesOf(r: RecordedResource): string[] {
    const all = new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()]);
    all.delete(r.parent ?? "");
    return [...all];
}

function rootOf(r: RecordedResource, byUrn: Map<string, RecordedResource>): RecordedResource {
    let current = r;
    while (current.parent && byUrn.has(current.parent)) {
        current = byUrn.get(current.parent)!;
    }
    return current;
}

function policyText(value: unknown): string {
    if (value === UNKNOWN || value === undefined) {
        return `${JSON.stringify({ note: `${UNKNOWN}: this document depends on a value AWS returns (e.g. a looked-up cluster ARN)` }, null, 2)}\n`;
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    try {
        return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
    } catch {
        return `${text}\n`;
    }
}

/** Writes per-component artifacts into `outDir/<component>/`; returns the written paths. */
export function writeArtifacts(resources: RecordedResource[], outDir: string): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const written: string[] = [];
    const write = (component: string, file: string, text: string) => {
        const target = path.join(outDir, component, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
        written.push(target);
    };
    const manifests = new Map<string, unknown[]>();
    for (const r of resources) {
        if (!r.custom) {
            continue;
        }
        const component = rootOf(r, byUrn).name;
        if (r.type === "aws:iam/role:Role") {
            write(component, "trust-policy.json", policyText(r.inputs.assumeRolePolicy));
        } else if (r.type === "aws:iam/rolePolicy:RolePolicy") {
            write(component, `policy-${r.inputs.name}.json`, policyText(r.inputs.policy));
        } else if (r.type === "aws:iam/policy:Policy") {
            // Managed policies the component creates (well-known add-on policies): named after the resource.
            write(component, `managed-policy-${r.name.startsWith(`${component}-`) ? r.name.slice(component.length + 1) : r.name}.json`, policyText(r.inputs.policy));
        } else if (r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation") {
            write(component, "association.json", `${JSON.stringify(r.inputs, null, 2)}\n`);
        } else if (r.type === "kubernetes:core/v1:ConfigMap" && typeof r.inputs.data?.config === "string") {
            write(component, "aws-config", r.inputs.data.config);
            manifests.set(component, [...(manifests.get(component) ?? []), r.inputs]);
        } else if (r.type.startsWith("kubernetes:")) {
            manifests.set(component, [...(manifests.get(component) ?? []), r.inputs]);
        }
    }
    for (const [component, docs] of manifests) {
        write(component, "kubernetes.yaml", docs.map((d) => YAML.stringify(d, { blockQuote: "literal" })).join("---\n"));
    }
    return written;
}
