import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { EnumTypeSpec, ObjectTypeSpec, PACKAGE_NAME, PackageSchema, PropertySpec, ResourceSpec, TypeSpec } from "../../plugin/packageSchema";

/**
 * Build-time generator of the package schema (`provider/plugin/schema.json`) from the TypeScript sources: the one source of
 * truth is the components' args interfaces and their public `pulumi.Output` properties, with their JSDoc.
 *
 *   node dist/provider/tools/schema/generate-schema.js   writes provider/plugin/schema.json
 *   node dist/provider/tools/schema/generate-schema.js --check fails when the committed file differs (run by `npm test`)
 *
 * Components are discovered, not listed: every class exported from `provider/index.ts` that extends
 * `pulumi.ComponentResource` and passes its type token (a string constant) to `super`. Mapping:
 * `pulumi.Input<T>` → T (anything not wrapped in Input is `plain`); `Integer` (provider/types.ts) → integer;
 * string-literal unions → enums (named after their alias, or `<Type><Property>` when inline); interfaces and inline
 * object types → object types; `Record<string, T>` → additionalProperties; `number | string` → oneOf;
 * `unknown`, `Record<string, unknown>` and unions with them (JSON text or object) → `pulumi.json#/Any`; a component
 * class → a reference to that resource. Anything else, and any property or type without a description, fails the
 * build with every offending path listed: nothing is guessed and there is no `$ref` to another package's schema.
 */

export { PACKAGE_NAME, PackageSchema, PropertySpec, ResourceSpec, TypeSpec };

/**
 * The GitHub repository (`github.com/<owner>/<repo>`) declared by package.json's `repository`: where the Go SDK's
 * import path points and where the plugin is released. package.json is the one place to change it.
 */
export function githubRepository(packageJson: { repository?: string | { url?: string } }): string {
    const declared = typeof packageJson.repository === "string" ? packageJson.repository : packageJson.repository?.url;
    const match = /^(?:git\+)?https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(declared ?? "");
    if (!match) {
        throw new Error(`package.json: repository must be a GitHub URL such as "git+https://github.com/<owner>/<repo>.git" (the plugin is released there), was ${JSON.stringify(declared)}`);
    }
    return `github.com/${match[1]}/${match[2]}`;
}

/**
 * The CLI's form for a plugin released on GitHub: github://api.github.com/<owner>/<repo> (Pulumi's plugin sources,
 * `pluginDownloadURL`); the CLI fetches the release asset
 * `pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz` of tag v<version> from there.
 */
export function pluginDownloadUrl(repository: string): string {
    return `github://api.${repository}`;
}
const SCHEMA_FILE = "provider/plugin/schema.json";
const ENTRY_FILE = "provider/index.ts";

/** The repository root: the nearest directory above `from` with a package.json. */
export function repositoryRoot(from = __dirname): string {
    let dir = from;
    while (!fs.existsSync(path.join(dir, "package.json"))) {
        const parent = path.dirname(dir);
        if (parent === dir) {
            throw new Error(`no package.json above ${from}`);
        }
        dir = parent;
    }
    return dir;
}

/** A component found in the sources. */
interface Component {
    token: string;
    declaration: ts.ClassDeclaration;
}

interface Context {
    /** Path for messages, e.g. `PodIdentityWorkload.workload.probe`. */
    where: string;
    /** Name of the type declaring the property (for naming inline enums and object types). */
    owner: string;
    /** The property's name. */
    property: string;
    /** The property's description (for inline types, which have no JSDoc of their own). */
    description?: string;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class SchemaGenerator {
    private readonly program: ts.Program;
    private readonly checker: ts.TypeChecker;
    private readonly problems: string[] = [];
    private readonly types = new Map<string, ObjectTypeSpec | EnumTypeSpec>();
    /** Declarations already turned into types, by token: a second declaration with the same name is an error. */
    private readonly typeOrigins = new Map<string, ts.Node>();
    private readonly components = new Map<ts.Symbol, Component>();

    constructor(private readonly root: string, entry = path.join(root, ENTRY_FILE)) {
        const configPath = path.join(root, "tsconfig.json");
        const config = ts.readConfigFile(configPath, ts.sys.readFile);
        const options = ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
        this.program = ts.createProgram({ rootNames: [entry], options: { ...options, noEmit: true } });
        this.checker = this.program.getTypeChecker();
        const source = this.program.getSourceFile(entry);
        if (!source) {
            throw new Error(`cannot read ${entry}`);
        }
        this.discoverComponents(source);
    }

    generate(): PackageSchema {
        const packageJson = JSON.parse(fs.readFileSync(path.join(this.root, "package.json"), "utf8"));
        const repository = githubRepository(packageJson);
        const resources: Record<string, ResourceSpec> = {};
        for (const component of [...this.components.values()].sort((a, b) => a.token.localeCompare(b.token))) {
            resources[component.token] = this.resource(component);
        }
        if (this.problems.length > 0) {
            throw new Error(`the package schema cannot be generated:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        const types: Record<string, ObjectTypeSpec | EnumTypeSpec> = {};
        for (const token of [...this.types.keys()].sort()) {
            types[token] = this.types.get(token)!;
        }
        return {
            name: PACKAGE_NAME,
            displayName: "EKS Pod Identity",
            version: packageJson.version,
            description: packageJson.description,
            keywords: ["pulumi", "aws", "eks", "kubernetes", "iam", "pod-identity", "kind/component", "category/cloud"],
            license: packageJson.license,
            repository: `https://${repository}`,
            pluginDownloadURL: pluginDownloadUrl(repository),
            meta: { moduleFormat: "(.*)" },
            language: languageSections(repository),
            config: {},
            provider: { description: `The provider of the ${PACKAGE_NAME} components; it has no configuration of its own.`, type: "object" },
            resources,
            types,
        };
    }

    // ---- components ----

    private discoverComponents(entry: ts.SourceFile): void {
        const moduleSymbol = this.checker.getSymbolAtLocation(entry);
        for (const exported of moduleSymbol ? this.checker.getExportsOfModule(moduleSymbol) : []) {
            const symbol = this.resolve(exported);
            const declaration = symbol.declarations?.find(ts.isClassDeclaration);
            if (!declaration || !this.extendsComponentResource(declaration)) {
                continue;
            }
            const token = this.componentToken(declaration);
            if (token === undefined) {
                this.problems.push(`${symbol.name}: extends ComponentResource but its constructor does not pass a string-constant type token to super`);
                continue;
            }
            if (!token.startsWith(`${PACKAGE_NAME}:index:`)) {
                this.problems.push(`${symbol.name}: type token "${token}" is not in module ${PACKAGE_NAME}:index`);
            }
            this.components.set(symbol, { token, declaration });
        }
    }

    private extendsComponentResource(declaration: ts.ClassDeclaration): boolean {
        const heritage = declaration.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
        if (!heritage) {
            return false;
        }
        const base = this.checker.getSymbolAtLocation(heritage.expression);
        if (!base) {
            return false;
        }
        const resolved = this.resolve(base);
        if (resolved.name === "ComponentResource" && this.isFromPulumi(resolved)) {
            return true;
        }
        const baseDeclaration = resolved.declarations?.find(ts.isClassDeclaration);
        return baseDeclaration !== undefined && this.extendsComponentResource(baseDeclaration);
    }

    private componentToken(declaration: ts.ClassDeclaration): string | undefined {
        const constructor = declaration.members.find(ts.isConstructorDeclaration);
        const superCall = constructor?.body?.statements
            .filter(ts.isExpressionStatement)
            .map((s) => s.expression)
            .find((e): e is ts.CallExpression => ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.SuperKeyword);
        const first = superCall?.arguments[0];
        if (!first) {
            return undefined;
        }
        if (ts.isStringLiteral(first)) {
            return first.text;
        }
        const symbol = this.checker.getSymbolAtLocation(first);
        const variable = symbol && this.resolve(symbol).valueDeclaration;
        if (variable && ts.isVariableDeclaration(variable) && variable.initializer && ts.isStringLiteral(variable.initializer)) {
            return variable.initializer.text;
        }
        return undefined;
    }

    private resource(component: Component): ResourceSpec {
        const className = component.declaration.name!.text;
        const constructor = component.declaration.members.find(ts.isConstructorDeclaration);
        const argsParameter = constructor?.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === "args");
        const description = this.documentation(this.checker.getSymbolAtLocation(component.declaration.name!)!);
        if (!description) {
            this.problems.push(`${className}: the class has no JSDoc description`);
        }
        const inputProperties: Record<string, PropertySpec> = {};
        const requiredInputs: string[] = [];
        if (!argsParameter?.type) {
            this.problems.push(`${className}: the constructor has no typed 'args' parameter`);
        } else {
            const argsType = this.checker.getTypeFromTypeNode(argsParameter.type);
            for (const property of this.checker.getPropertiesOfType(argsType)) {
                const spec = this.property(property, { where: className, owner: className, property: property.name }, "input");
                if (spec) {
                    inputProperties[property.name] = spec;
                    if (!(property.flags & ts.SymbolFlags.Optional)) {
                        requiredInputs.push(property.name);
                    }
                }
            }
        }
        const properties: Record<string, PropertySpec> = {};
        const required: string[] = [];
        for (const member of component.declaration.members) {
            if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name) || !member.type) {
                continue;
            }
            const modifiers = ts.getCombinedModifierFlags(member);
            if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static) || !(modifiers & ts.ModifierFlags.Readonly)) {
                continue;
            }
            const outputOf = this.pulumiTypeArgument(member.type, "Output");
            if (!outputOf) {
                continue; // e.g. a child resource exposed for dependsOn: not part of the component's state
            }
            const name = member.name.text;
            const context: Context = { where: `${className}.${name}`, owner: className, property: name };
            const symbol = this.checker.getSymbolAtLocation(member.name)!;
            const { node, optional } = this.stripUndefined(outputOf);
            const spec = this.typeSpec(node, { ...context, description: this.documentation(symbol) }, "output");
            const text = this.documentation(symbol);
            if (!text) {
                this.problems.push(`${context.where}: the output has no JSDoc description`);
            }
            properties[name] = { ...spec, description: text };
            if (!optional) {
                required.push(name);
            }
        }
        return { description, isComponent: true, inputProperties, requiredInputs: requiredInputs.sort(), properties, required: required.sort() };
    }

    // ---- properties and types ----

    private property(symbol: ts.Symbol, context: Context, shape: "input" | "output"): PropertySpec | undefined {
        const declaration = symbol.declarations?.find((d) => ts.isPropertySignature(d) || ts.isPropertyDeclaration(d)) as
            | ts.PropertySignature
            | ts.PropertyDeclaration
            | undefined;
        const where = `${context.where}.${symbol.name}`;
        if (!declaration?.type) {
            this.problems.push(`${where}: no declared type`);
            return undefined;
        }
        const description = this.documentation(symbol);
        if (!description) {
            this.problems.push(`${where}: the property has no JSDoc description`);
        }
        // Inline types are named after the type that declares the property (which Omit<>/extends may hide).
        const owner = ts.isInterfaceDeclaration(declaration.parent) || ts.isClassDeclaration(declaration.parent) ? declaration.parent.name?.text ?? context.owner : context.owner;
        const { node } = this.stripUndefined(declaration.type);
        const spec = this.typeSpec(node, { where, owner, property: symbol.name, description }, shape);
        // `@secret`: every SDK wraps the value as a secret, so the engine never stores it in plain text.
        const secret = symbol.getJsDocTags(this.checker).some((tag) => tag.name === "secret");
        return secret ? { ...spec, description, secret: true } : { ...spec, description };
    }

    /** The spec of a declared type; everything not wrapped in `pulumi.Input` is plain in inputs. */
    private typeSpec(node: ts.TypeNode, context: Context, shape: "input" | "output"): TypeSpec {
        const inputOf = this.pulumiTypeArgument(node, "Input");
        if (inputOf) {
            return this.bareSpec(this.stripUndefined(inputOf).node, context, shape);
        }
        const spec = this.bareSpec(node, context, shape);
        return shape === "input" ? { ...spec, plain: true } : spec;
    }

    private bareSpec(node: ts.TypeNode, context: Context, shape: "input" | "output"): TypeSpec {
        if (ts.isParenthesizedTypeNode(node)) {
            return this.bareSpec(node.type, context, shape);
        }
        switch (node.kind) {
            case ts.SyntaxKind.StringKeyword:
                return { type: "string" };
            case ts.SyntaxKind.BooleanKeyword:
                return { type: "boolean" };
            case ts.SyntaxKind.NumberKeyword:
                return { type: "number" };
            case ts.SyntaxKind.UnknownKeyword:
            case ts.SyntaxKind.AnyKeyword:
                return { $ref: "pulumi.json#/Any" };
        }
        if (ts.isArrayTypeNode(node)) {
            return { type: "array", items: this.typeSpec(node.elementType, { ...context, property: context.property }, shape) };
        }
        if (ts.isUnionTypeNode(node)) {
            return this.unionSpec(node, context, shape);
        }
        if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) {
            return this.enumRef(`${context.owner}${pascal(context.property)}`, [node.literal.text], context.description, node, context);
        }
        if (ts.isTypeLiteralNode(node)) {
            const index = node.members.find(ts.isIndexSignatureDeclaration);
            if (index && node.members.length === 1) {
                return this.mapSpec(index.type, context, shape);
            }
            return this.objectRef(`${context.owner}${pascal(context.property)}`, this.checker.getTypeFromTypeNode(node), context.description, node, context);
        }
        if (ts.isTypeReferenceNode(node)) {
            return this.referenceSpec(node, context, shape);
        }
        this.problems.push(`${context.where}: unsupported type \`${node.getText()}\``);
        return {};
    }

    private referenceSpec(node: ts.TypeReferenceNode, context: Context, shape: "input" | "output"): TypeSpec {
        const symbol = this.checker.getSymbolAtLocation(node.typeName);
        if (!symbol) {
            this.problems.push(`${context.where}: cannot resolve \`${node.getText()}\``);
            return {};
        }
        const target = this.resolve(symbol);
        const name = target.name;
        const args = node.typeArguments ?? [];
        if (name === "Record" && args.length === 2 && args[0].kind === ts.SyntaxKind.StringKeyword) {
            return this.mapSpec(args[1], context, shape);
        }
        if (name === "Array" && args.length === 1) {
            return { type: "array", items: this.typeSpec(args[0], context, shape) };
        }
        if (this.isPulumiDeclaration(target)) {
            this.problems.push(`${context.where}: \`${node.getText()}\` is a Pulumi SDK type without a schema equivalent here (Input/Output are only allowed around a property's type)`);
            return {};
        }
        const component = this.components.get(target);
        if (component) {
            return { $ref: `#/resources/${component.token}` };
        }
        if (target.flags & ts.SymbolFlags.TypeAlias) {
            const alias = target.declarations!.find(ts.isTypeAliasDeclaration)!;
            if (name === "Integer") {
                return { type: "integer" };
            }
            const literals = this.stringLiterals(this.checker.getTypeFromTypeNode(node));
            if (literals) {
                return this.enumRef(name, literals, this.documentation(target), alias, context);
            }
            return this.bareSpec(alias.type, { ...context, owner: name }, shape);
        }
        if (target.flags & ts.SymbolFlags.Interface) {
            const declaration = target.declarations!.find(ts.isInterfaceDeclaration)!;
            return this.objectRef(name, this.checker.getDeclaredTypeOfSymbol(target), this.documentation(target), declaration, context);
        }
        if (target.flags & ts.SymbolFlags.Class) {
            this.problems.push(`${context.where}: the class \`${name}\` is not a component of this package; other packages' resources cannot be referenced (pass their outputs, e.g. names and ARNs)`);
            return {};
        }
        this.problems.push(`${context.where}: unsupported type \`${node.getText()}\``);
        return {};
    }

    private unionSpec(node: ts.UnionTypeNode, context: Context, shape: "input" | "output"): TypeSpec {
        const members = node.types.filter((t) => !isUndefinedNode(t));
        if (members.length === 1) {
            return this.bareSpec(members[0], context, shape);
        }
        if (members.every((m) => ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal))) {
            const values = members.map((m) => ((m as ts.LiteralTypeNode).literal as ts.StringLiteral).text);
            return this.enumRef(`${context.owner}${pascal(context.property)}`, values, context.description, node, context);
        }
        const specs = members.map((m) => this.bareSpec(m, context, shape));
        if (specs.some((s) => s.$ref === "pulumi.json#/Any" || (s.type === "object" && s.additionalProperties?.$ref === "pulumi.json#/Any"))) {
            return { $ref: "pulumi.json#/Any" };
        }
        if (specs.every((s) => s.type === "string" || s.type === "integer" || s.type === "number" || s.type === "boolean")) {
            return { oneOf: specs.map((s) => ({ type: s.type })) };
        }
        this.problems.push(`${context.where}: unsupported union \`${node.getText()}\``);
        return {};
    }

    private mapSpec(valueNode: ts.TypeNode, context: Context, shape: "input" | "output"): TypeSpec {
        if (valueNode.kind === ts.SyntaxKind.UnknownKeyword || valueNode.kind === ts.SyntaxKind.AnyKeyword) {
            return { $ref: "pulumi.json#/Any" };
        }
        return { type: "object", additionalProperties: this.typeSpec(valueNode, context, shape) };
    }

    private enumRef(name: string, values: string[], description: string | undefined, origin: ts.Node, context: Context): TypeSpec {
        const token = `${PACKAGE_NAME}:index:${name}`;
        if (this.claimType(token, origin, context)) {
            if (!description) {
                this.problems.push(`${context.where}: the enum ${name} has no description (a JSDoc on its alias or property)`);
            }
            this.types.set(token, { description: description ?? "", type: "string", enum: values.map((value) => ({ value })) });
        }
        return { $ref: `#/types/${token}` };
    }

    private objectRef(name: string, type: ts.Type, description: string | undefined, origin: ts.Node, context: Context): TypeSpec {
        const token = `${PACKAGE_NAME}:index:${name}`;
        if (this.claimType(token, origin, context)) {
            if (!description) {
                this.problems.push(`${context.where}: the type ${name} has no JSDoc description`);
            }
            const spec: ObjectTypeSpec = { description: description ?? "", type: "object", properties: {} };
            this.types.set(token, spec); // before the properties, so recursive types terminate
            const required: string[] = [];
            for (const property of this.checker.getPropertiesOfType(type)) {
                const propertySpec = this.property(property, { where: name, owner: name, property: property.name }, "input");
                if (propertySpec) {
                    spec.properties[property.name] = propertySpec;
                    if (!(property.flags & ts.SymbolFlags.Optional)) {
                        required.push(property.name);
                    }
                }
            }
            if (required.length > 0) {
                spec.required = required.sort();
            }
        }
        return { $ref: `#/types/${token}` };
    }

    /** True the first time a token is seen; an error when two different declarations would share it. */
    private claimType(token: string, origin: ts.Node, context: Context): boolean {
        const previous = this.typeOrigins.get(token);
        if (previous === undefined) {
            this.typeOrigins.set(token, origin);
            return true;
        }
        if (previous !== origin && previous.getText() !== origin.getText()) {
            this.problems.push(`${context.where}: two different types would both be named ${token.split(":")[2]}: rename one of them`);
        }
        return false;
    }

    // ---- helpers ----

    private stripUndefined(node: ts.TypeNode): { node: ts.TypeNode; optional: boolean } {
        if (ts.isUnionTypeNode(node)) {
            const kept = node.types.filter((t) => !isUndefinedNode(t));
            if (kept.length === 1) {
                return { node: kept[0], optional: kept.length !== node.types.length };
            }
            return { node, optional: kept.length !== node.types.length };
        }
        return { node, optional: false };
    }

    /** `T` of `pulumi.Input<T>` / `pulumi.Output<T>` (or the imported names), else undefined. */
    private pulumiTypeArgument(node: ts.TypeNode, which: "Input" | "Output"): ts.TypeNode | undefined {
        if (!ts.isTypeReferenceNode(node) || node.typeArguments?.length !== 1) {
            return undefined;
        }
        const symbol = this.checker.getSymbolAtLocation(node.typeName);
        const target = symbol && this.resolve(symbol);
        return target && target.name === which && this.isFromPulumi(target) ? node.typeArguments[0] : undefined;
    }

    private isFromPulumi(symbol: ts.Symbol): boolean {
        return (symbol.declarations ?? []).some((d) => /[\\/]@pulumi[\\/]pulumi[\\/]/.test(d.getSourceFile().fileName));
    }

    private isPulumiDeclaration(symbol: ts.Symbol): boolean {
        return this.isFromPulumi(symbol);
    }

    private resolve(symbol: ts.Symbol): ts.Symbol {
        return symbol.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(symbol) : symbol;
    }

    private documentation(symbol: ts.Symbol): string {
        return ts.displayPartsToString(symbol.getDocumentationComment(this.checker)).trim();
    }

    private stringLiterals(type: ts.Type): string[] | undefined {
        const members = type.isUnion() ? type.types : [type];
        if (members.every((t) => t.isStringLiteral())) {
            return members.map((t) => (t as ts.StringLiteralType).value);
        }
        return undefined;
    }
}

function isUndefinedNode(node: ts.TypeNode): boolean {
    return node.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword);
}

function languageSections(repository: string): Record<string, unknown> {
    const goPackage = PACKAGE_NAME.replace(/-/g, "");
    return {
        nodejs: {
            packageName: `pulumi-${PACKAGE_NAME}-sdk`,
            packageDescription: "EKS Pod Identity components for Pulumi (generated SDK of the component provider)",
            dependencies: { "@pulumi/pulumi": "^3.142.0" },
            devDependencies: { "@types/node": "^20", typescript: "^5" },
            respectSchemaVersion: true,
        },
        python: {
            packageName: `pulumi_${PACKAGE_NAME.replace(/-/g, "_")}`,
            requires: { pulumi: ">=3.142.0,<4.0.0" },
            pyproject: { enabled: true },
            respectSchemaVersion: true,
        },
        go: {
            importBasePath: `${repository}/sdk/go/${goPackage}`,
            generateResourceContainerTypes: true,
            respectSchemaVersion: true,
        },
        csharp: {
            rootNamespace: "Pulumi",
            namespaces: { [PACKAGE_NAME]: "EksPodIdentity" },
            packageReferences: { Pulumi: "3.*" },
            respectSchemaVersion: true,
        },
        java: {
            basePackage: "com.pulumi",
            packages: { [PACKAGE_NAME]: goPackage },
            buildFiles: "gradle",
            dependencies: { "com.pulumi:pulumi": "1.0.0" },
            gradleNexusPublishPluginVersion: "2.0.0",
            respectSchemaVersion: true,
        },
    };
}

export function renderSchema(schema: PackageSchema): string {
    return JSON.stringify(schema, null, 2) + "\n";
}

function main(argv: string[]): void {
    const root = repositoryRoot();
    const target = path.join(root, SCHEMA_FILE);
    const text = renderSchema(new SchemaGenerator(root).generate());
    if (argv.includes("--check")) {
        const committed = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : "";
        if (committed !== text) {
            const out = path.join(root, "out", "schema.generated.json");
            fs.mkdirSync(path.dirname(out), { recursive: true });
            fs.writeFileSync(out, text);
            console.error(`${SCHEMA_FILE} is out of date with the TypeScript args and outputs (generated: ${path.relative(root, out)}): run \`npm run schema\` and commit the result`);
            process.exit(1);
        }
        console.log(`${SCHEMA_FILE} matches the sources (${Object.keys(JSON.parse(text).resources).length} components, ${Object.keys(JSON.parse(text).types).length} types)`);
        return;
    }
    fs.writeFileSync(target, text);
    console.log(`wrote ${SCHEMA_FILE}`);
}

if (require.main === module) {
    try {
        main(process.argv.slice(2));
    } catch (e) {
        console.error((e as Error).message);
        process.exit(1);
    }
}
