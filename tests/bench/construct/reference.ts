import * as fs from "fs";
import * as path from "path";

/**
 * The reference for the cold-start benchmark: the same components served by the SDK's inferring host
 * (`componentProviderHost`), started the way Pulumi's Node.js language host starts a source plugin —
 * `node @pulumi/pulumi/cmd/run-plugin <dir> <engine>`, which compiles TypeScript with ts-node (type-checked) and,
 * finding exported components, infers the schema with the SDK's analyzer at the first GetSchema/Construct.
 *
 * The analyzer cannot read the real args (unions such as `Integer | string`, `Record<string, unknown>`, a reference to
 * this package's own PodIdentityAgent), so the schema it infers comes from a facade declaring the same component
 * names with simpler args; the classes it constructs are the real ones. That keeps the measured work the inferring
 * host's: TypeScript at start, a type-checked program at the first schema request.
 */

const FACADE = `import * as pulumi from "@pulumi/pulumi";

/** A policy statement. */
export interface PolicyStatementArgs {
    /** Statement id. */
    sid?: string;
    /** Allow or Deny. */
    effect?: string;
    /** Actions. */
    actions?: string[];
    /** Resources. */
    resources?: pulumi.Input<string>[];
}

/** The Deployment. */
export interface WorkloadSettingsArgs {
    /** Image. */
    image: pulumi.Input<string>;
    /** Replicas. */
    replicas?: number;
    /** UID. */
    runAsUser?: number;
}

/** Workload args. */
export interface PodIdentityWorkloadArgs {
    /** Cluster name. */
    clusterName: pulumi.Input<string>;
    /** Cluster ARN. */
    clusterArn?: pulumi.Input<string>;
    /** Namespace. */
    namespace: pulumi.Input<string>;
    /** Service account. */
    serviceAccountName?: pulumi.Input<string>;
    /** Existing role. */
    roleArn?: pulumi.Input<string>;
    /** Statements. */
    policyStatements?: PolicyStatementArgs[];
    /** Deployment. */
    workload?: WorkloadSettingsArgs;
    /** Tags. */
    tags?: Record<string, string>;
}

/** A workload with Pod Identity. */
export class PodIdentityWorkload extends pulumi.ComponentResource {
    /** Role ARN. */ public readonly roleArn!: pulumi.Output<string>;
    /** Role name. */ public readonly roleName!: pulumi.Output<string>;
    /** Association ARN. */ public readonly associationArn!: pulumi.Output<string>;
    /** Association id. */ public readonly associationId!: pulumi.Output<string>;
    /** Namespace. */ public readonly namespace!: pulumi.Output<string>;
    /** Service account. */ public readonly serviceAccountName!: pulumi.Output<string>;
    /** Deployment. */ public readonly deploymentName!: pulumi.Output<string | undefined>;
    /** Trust policy. */ public readonly trustPolicy!: pulumi.Output<string | undefined>;
    /** Permissions. */ public readonly permissionsPolicy!: pulumi.Output<string | undefined>;
    /** Revision. */ public readonly credentialsRevision!: pulumi.Output<string>;
    constructor(name: string, args: PodIdentityWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-pod-identity:index:PodIdentityWorkload", name, {}, opts);
    }
}

/** Agent args. */
export interface PodIdentityAgentArgs {
    /** Cluster name. */
    clusterName: pulumi.Input<string>;
    /** Add-on version. */
    addonVersion?: string;
}

/** The agent add-on. */
export class PodIdentityAgent extends pulumi.ComponentResource {
    /** Add-on ARN. */ public readonly addonArn!: pulumi.Output<string>;
    /** Add-on version. */ public readonly addonVersion!: pulumi.Output<string>;
    constructor(name: string, args: PodIdentityAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-pod-identity:index:PodIdentityAgent", name, {}, opts);
    }
}
`;

/** Writes the reference plugin directory (under out/, git-ignored) and returns it. */
export function writeReferencePlugin(root: string): string {
    const dir = path.join(root, "out", "bench", "reference-plugin");
    fs.mkdirSync(dir, { recursive: true });
    const provider = path.relative(dir, path.join(root, "provider")).split(path.sep).join("/");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "eks-pod-identity", version: "0.1.0", main: "index.ts" }, null, 2));
    fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true, esModuleInterop: true, resolveJsonModule: true, types: ["node"] }, files: ["index.ts"] }, null, 2),
    );
    fs.writeFileSync(path.join(dir, "facade.ts"), FACADE);
    // The analyzer follows imports in order: the facade's classes are found first and give the schema.
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        `import "./facade";\nimport { PodIdentityAgent, PodIdentityWorkload } from "${provider}";\nexport { PodIdentityAgent, PodIdentityWorkload };\n`,
    );
    return dir;
}

/** The command the Node.js language host runs for a source plugin in `dir`. */
export function referenceCommand(root: string, dir: string): string[] {
    return [process.execPath, path.join(root, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin"), dir];
}
