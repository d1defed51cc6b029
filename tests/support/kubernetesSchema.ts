/**
 * Test support: validate rendered Kubernetes objects against the Kubernetes
 * OpenAPI schema shipped (as precompiled ajv validators) in `kubernetes-models`,
 * plus a small set of API-server rules the schema cannot express.
 *
 * How kubernetes-models validation behaves (v4.5, Kubernetes ~1.33 schema),
 * and what this module adds on top:
 *
 *  - `new Model(data).validate()` throws a ValidationError whose `errors` are
 *    ajv ErrorObjects (`instancePath`, `keyword`, `params`, `message`), all errors
 *    collected (not fail-fast). Nested objects are validated recursively, e.g.
 *    `/spec/template/spec/containers/0/ports/0/containerPort must be integer`.
 *  - The constructor fills in `apiVersion`/`kind` from the class when they are
 *    missing, and drops `undefined` values, so a missing apiVersion/kind is never
 *    reported by the model itself. Dispatch here requires both explicitly.
 *  - The schema has no `additionalProperties: false`: unknown fields (typos such as
 *    `imagePulPolicy`) pass silently. This module detects them by probing, see
 *    `findUnknownFields` (disable with `{ allowUnknownFields: true }`).
 *  - Optional fields accept `null`; int-or-string fields accept any string;
 *    numeric ranges (ports 1-65535), names (`metadata.name` format or presence),
 *    and cross-field rules (selector vs. template labels) are not in the schema.
 *    The "semantic" checks below cover the common ones (disable with
 *    `{ semantic: false }`).
 *
 * Model classes are loaded lazily, per apiVersion/kind, on first use.
 */

/** Options for {@link validateKubernetesObject}. */
export interface ValidateOptions {
    /** Accept fields the schema does not know (default: false, report them). */
    allowUnknownFields?: boolean;
    /** Run the API-server style checks the schema cannot express (default: true). */
    semantic?: boolean;
}

interface ModelInstance {
    validate(): void;
}

interface ModelClass {
    new (data?: unknown): ModelInstance;
    apiVersion?: unknown;
    kind?: unknown;
}

/** The subset of ajv's ErrorObject that kubernetes-models puts on its ValidationError. */
interface SchemaError {
    instancePath: string;
    keyword: string;
    params?: Record<string, unknown>;
    message?: string;
}

type Json = Record<string, unknown>;

const API_VERSION_PATTERN = /^(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND_PATTERN = /^[A-Z][A-Za-z0-9]*$/;

const modelCache = new Map<string, ModelClass | undefined>();

/**
 * The kubernetes-models class for apiVersion/kind, or undefined when the package has
 * no such top-level kind. Any kind kubernetes-models ships is supported (core,
 * apps, batch, rbac, policy, networking, ...), not only the ones used in this repo.
 */
function loadModel(apiVersion: string, kind: string): ModelClass | undefined {
    const key = `${apiVersion}/${kind}`;
    if (modelCache.has(key)) {
        return modelCache.get(key);
    }
    let model: ModelClass | undefined;
    if (API_VERSION_PATTERN.test(apiVersion) && KIND_PATTERN.test(kind)) {
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- one model module per kind, found by name
            const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
            const candidate = mod[kind] as ModelClass | undefined;
            // Only top-level kinds carry static apiVersion/kind; this rejects helper types
            // such as `v1/PodSpec` being used as a kind.
            if (
                typeof candidate === "function" &&
                candidate.apiVersion === apiVersion &&
                candidate.kind === kind
            ) {
                model = candidate;
            }
        } catch (err) {
            const code = (err as { code?: string }).code;
            if (code !== "MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
                throw err;
            }
        }
    }
    modelCache.set(key, model);
    return model;
}

/**
 * Validate one rendered Kubernetes object. Returns human-readable violations, each
 * prefixed with the object's kind and name, sorted; an empty list means valid.
 * Never throws for bad input: non-objects and unknown kinds are violations.
 */
export function validateKubernetesObject(obj: unknown, options: ValidateOptions = {}): string[] {
    if (!isPlainObject(obj)) {
        return [`object must be a JSON object (got ${describeValue(obj)})`];
    }
    const apiVersion = obj.apiVersion;
    const kind = obj.kind;
    const label = objectLabel(obj);
    const problems: string[] = [];
    if (typeof apiVersion !== "string" || apiVersion === "") {
        problems.push(`${label}: apiVersion is required and must be a string (got ${describeValue(apiVersion)})`);
    }
    if (typeof kind !== "string" || kind === "") {
        problems.push(`${label}: kind is required and must be a string (got ${describeValue(kind)})`);
    }
    if (problems.length > 0) {
        return problems;
    }
    const model = loadModel(apiVersion as string, kind as string);
    if (!model) {
        return [`${label}: unsupported apiVersion/kind ${apiVersion}/${kind} (no schema in kubernetes-models)`];
    }

    const violations = schemaErrors(model, obj).map((message) => `${label}: ${message}`);
    if (!options.allowUnknownFields) {
        for (const path of findUnknownFields(model, obj)) {
            violations.push(`${label}: ${path} is not a known field`);
        }
    }
    if (options.semantic !== false) {
        for (const message of semanticViolations(obj)) {
            violations.push(`${label}: ${message}`);
        }
    }
    // Sorted, so that the output does not depend on ajv's traversal or key order.
    return dedupe(violations).sort();
}

/** Validate several objects (e.g. a parsed multi-document YAML); violations of all. */
export function validateKubernetesObjects(objs: readonly unknown[], options: ValidateOptions = {}): string[] {
    return objs.flatMap((obj) => validateKubernetesObject(obj, options));
}

// ---------------------------------------------------------------------------
// Schema validation via kubernetes-models
// ---------------------------------------------------------------------------

/** Raw ajv errors, or undefined when valid. Non-schema exceptions propagate. */
function runModel(model: ModelClass, data: unknown): SchemaError[] | undefined {
    try {
        new model(data).validate();
        return undefined;
    } catch (err) {
        const errors = (err as { errors?: unknown }).errors;
        if (Array.isArray(errors)) {
            return errors as SchemaError[];
        }
        throw err;
    }
}

function schemaErrors(model: ModelClass, obj: Json): string[] {
    const errors = runModel(model, obj);
    if (!errors) {
        return [];
    }
    // Group by location so that the alternatives of a oneOf (e.g. a quantity is a
    // number or a string in "quantity" format) become one message.
    const byPath = new Map<string, SchemaError[]>();
    for (const error of errors) {
        const target =
            error.keyword === "required" && typeof error.params?.missingProperty === "string"
                ? `${error.instancePath}/${escapePointer(error.params.missingProperty)}`
                : error.instancePath;
        const group = byPath.get(target) ?? [];
        group.push(error);
        byPath.set(target, group);
    }
    const messages: string[] = [];
    for (const [pointer, group] of byPath) {
        const path = pointerToPath(obj, pointer);
        if (group.some((e) => e.keyword === "required")) {
            messages.push(`${path} is required`);
            continue;
        }
        const isAlternatives = group.some((e) => e.keyword === "oneOf" || e.keyword === "anyOf");
        const parts = dedupe(
            group.filter((e) => !(isAlternatives && (e.keyword === "oneOf" || e.keyword === "anyOf"))).map(describeError),
        );
        const text = parts.length > 0 ? parts.join(isAlternatives ? " or " : "; ") : "does not match the schema";
        messages.push(`${path} ${text} (got ${describeValue(valueAt(obj, pointer))})`);
    }
    return messages;
}

function describeError(error: SchemaError): string {
    const params = error.params ?? {};
    switch (error.keyword) {
        case "type":
            return `must be ${String(params.type)}`;
        case "enum":
            return `must be one of ${(params.allowedValues as unknown[] | undefined ?? []).map((v) => JSON.stringify(v)).join(", ")}`;
        case "format":
            return `must match format "${String(params.format)}"`;
        default:
            return error.message ?? `fails "${error.keyword}"`;
    }
}

// ---------------------------------------------------------------------------
// Unknown-field detection
// ---------------------------------------------------------------------------

const PROBE = Symbol("kubernetes-schema-probe");
const PROBE_KEY = "__kubernetesSchemaProbe__";

/**
 * Paths of fields the schema does not declare. kubernetes-models only ships compiled
 * validators (no schema data at runtime), so each field is probed: its value is
 * replaced by a Symbol, which no JSON schema type accepts. A declared field then
 * yields an error at exactly its path; an undeclared one is silently ignored.
 * An object whose synthetic extra key draws an error is a typed map (labels, data,
 * resources.limits, ...), whose keys are all legal.
 *
 * Limitation: a declared field whose schema accepts anything (RawExtension-style
 * free-form objects, not used by core workload kinds) would be reported as
 * unknown. `metadata.managedFields` (server-owned, free-form) is skipped.
 */
function findUnknownFields(model: ModelClass, obj: Json): string[] {
    const root = deepClone(obj) as Json;
    const unknown: string[] = [];

    const errorAt = (pointer: string): boolean => {
        let errors: SchemaError[] | undefined;
        try {
            errors = runModel(model, root);
        } catch {
            return true; // the validator choked on the probe: it inspected the value
        }
        return (errors ?? []).some((e) => e.instancePath === pointer);
    };

    const visit = (node: unknown, pointer: string): void => {
        if (Array.isArray(node)) {
            node.forEach((item, index) => visit(item, `${pointer}/${index}`));
            return;
        }
        if (!isPlainObject(node)) {
            return;
        }
        if (pointer === "/metadata") {
            // managedFields entries hold free-form fieldsV1 data.
            for (const key of Object.keys(node)) {
                if (key !== "managedFields") {
                    probeKey(node, key, pointer);
                }
            }
            return;
        }
        node[PROBE_KEY] = PROBE;
        const isMap = errorAt(`${pointer}/${PROBE_KEY}`);
        delete node[PROBE_KEY];
        for (const key of Object.keys(node)) {
            if (isMap) {
                visit(node[key], `${pointer}/${escapePointer(key)}`);
            } else {
                probeKey(node, key, pointer);
            }
        }
    };

    const probeKey = (node: Json, key: string, pointer: string): void => {
        const childPointer = `${pointer}/${escapePointer(key)}`;
        const saved = node[key];
        node[key] = PROBE;
        const known = errorAt(childPointer);
        node[key] = saved;
        if (known) {
            visit(saved, childPointer);
        } else {
            unknown.push(pointerToPath(obj, childPointer));
        }
    };

    visit(root, "");
    return unknown;
}

// ---------------------------------------------------------------------------
// API-server rules that are not part of the OpenAPI schema
// ---------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

const WORKLOADS_WITH_REQUIRED_SELECTOR = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"]);

function isDnsLabel(value: string): boolean {
    return value.length <= 63 && DNS1123_LABEL.test(value);
}

function isDnsSubdomain(value: string): boolean {
    return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** `[prefix/]name` as used by label and annotation keys. */
function isQualifiedName(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) {
        return false;
    }
    const name = parts[parts.length - 1];
    if (parts.length === 2 && (parts[0] === "" || !isDnsSubdomain(parts[0]))) {
        return false;
    }
    return name.length <= 63 && QUALIFIED_NAME.test(name);
}

function nameProblem(kind: string, name: string): string | undefined {
    switch (kind) {
        case "Namespace":
            return isDnsLabel(name) ? undefined : "must be a DNS-1123 label (lowercase alphanumerics and '-', at most 63 characters)";
        case "Service":
            return name.length <= 63 && DNS1035_LABEL.test(name)
                ? undefined
                : "must be a DNS-1035 label (start with a letter; lowercase alphanumerics and '-', at most 63 characters)";
        case "Role":
        case "ClusterRole":
        case "RoleBinding":
        case "ClusterRoleBinding":
            return name === "." || name === ".." || /[/%]/.test(name) ? "must be a valid path segment" : undefined;
        default:
            return isDnsSubdomain(name)
                ? undefined
                : "must be a DNS-1123 subdomain (lowercase alphanumerics, '-' and '.', at most 253 characters)";
    }
}

function semanticViolations(obj: Json): string[] {
    const problems: string[] = [];
    const kind = String(obj.kind);
    const metadata = isPlainObject(obj.metadata) ? obj.metadata : undefined;

    const name = metadata?.name;
    if (typeof name === "string" && name !== "") {
        const problem = nameProblem(kind, name);
        if (problem) {
            problems.push(`metadata.name ${problem} (got ${JSON.stringify(name)})`);
        }
    } else if (typeof metadata?.generateName !== "string" || metadata.generateName === "") {
        problems.push("metadata.name is required (or metadata.generateName)");
    }
    if (typeof metadata?.namespace === "string" && !isDnsLabel(metadata.namespace)) {
        problems.push(`metadata.namespace must be a DNS-1123 label (got ${JSON.stringify(metadata.namespace)})`);
    }
    problems.push(...labelProblems(metadata?.labels, "metadata.labels"));
    problems.push(...annotationProblems(metadata?.annotations, "metadata.annotations"));

    const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
    if (kind === "Pod" && spec) {
        problems.push(...podSpecProblems(spec, "spec"));
    }
    const template = podTemplateOf(obj);
    if (template) {
        const templateMetadata = isPlainObject(template.value.metadata) ? template.value.metadata : undefined;
        problems.push(...labelProblems(templateMetadata?.labels, `${template.path}.metadata.labels`));
        problems.push(...annotationProblems(templateMetadata?.annotations, `${template.path}.metadata.annotations`));
        if (isPlainObject(template.value.spec)) {
            problems.push(...podSpecProblems(template.value.spec, `${template.path}.spec`));
        }
    }
    if (WORKLOADS_WITH_REQUIRED_SELECTOR.has(kind) && spec && isPlainObject(spec.selector)) {
        problems.push(...selectorProblems(spec.selector, template?.value, "spec"));
    }
    if (kind === "ConfigMap" || kind === "Secret") {
        problems.push(...configDataProblems(obj, kind));
    }
    return problems;
}

function podTemplateOf(obj: Json): { value: Json; path: string } | undefined {
    const spec = isPlainObject(obj.spec) ? obj.spec : undefined;
    if (!spec) {
        return undefined;
    }
    if (obj.kind === "CronJob") {
        const jobSpec = isPlainObject(spec.jobTemplate) && isPlainObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : undefined;
        return jobSpec && isPlainObject(jobSpec.template)
            ? { value: jobSpec.template, path: "spec.jobTemplate.spec.template" }
            : undefined;
    }
    return isPlainObject(spec.template) ? { value: spec.template, path: "spec.template" } : undefined;
}

function labelProblems(labels: unknown, path: string): string[] {
    if (!isPlainObject(labels)) {
        return [];
    }
    const problems: string[] = [];
    for (const [key, value] of Object.entries(labels)) {
        if (!isQualifiedName(key)) {
            problems.push(`${path}${keySegment(key)} has an invalid label key`);
        }
        if (typeof value === "string" && (value.length > 63 || !LABEL_VALUE.test(value))) {
            problems.push(
                `${path}${keySegment(key)} has an invalid label value ${JSON.stringify(value)} (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)`,
            );
        }
    }
    return problems;
}

function annotationProblems(annotations: unknown, path: string): string[] {
    if (!isPlainObject(annotations)) {
        return [];
    }
    const problems: string[] = [];
    let size = 0;
    for (const [key, value] of Object.entries(annotations)) {
        size += key.length + (typeof value === "string" ? value.length : 0);
        if (!isQualifiedName(key)) {
            problems.push(`${path}${keySegment(key)} has an invalid annotation key`);
        }
    }
    if (size > 256 * 1024) {
        problems.push(`${path} total size must be at most 256 KiB (got ${size} bytes)`);
    }
    return problems;
}

function selectorProblems(selector: Json, template: Json | undefined, path: string): string[] {
    const matchLabels = isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
    const matchExpressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
    if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) {
        return [`${path}.selector must not be empty`];
    }
    const problems = labelProblems(selector.matchLabels, `${path}.selector.matchLabels`);
    const templateMetadata = template && isPlainObject(template.metadata) ? template.metadata : undefined;
    const labels = templateMetadata && isPlainObject(templateMetadata.labels) ? templateMetadata.labels : {};
    const matches =
        Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
        matchExpressions.every((expression) => expressionMatches(expression, labels));
    if (!matches) {
        problems.push(`${path}.template.metadata.labels must match ${path}.selector`);
    }
    return problems;
}

function expressionMatches(expression: unknown, labels: Json): boolean {
    if (!isPlainObject(expression) || typeof expression.key !== "string") {
        return false;
    }
    const has = Object.prototype.hasOwnProperty.call(labels, expression.key);
    const values = Array.isArray(expression.values) ? expression.values : [];
    switch (expression.operator) {
        case "In":
            return has && values.includes(labels[expression.key]);
        case "NotIn":
            return !has || !values.includes(labels[expression.key]);
        case "Exists":
            return has;
        case "DoesNotExist":
            return !has;
        default:
            return false;
    }
}

const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

function podSpecProblems(podSpec: Json, path: string): string[] {
    const problems: string[] = [];
    const containerNames = new Set<string>();
    const volumeNames = new Set<string>();

    if (Array.isArray(podSpec.volumes)) {
        podSpec.volumes.forEach((volume, index) => {
            const volumeName = isPlainObject(volume) ? volume.name : undefined;
            if (typeof volumeName !== "string") {
                return;
            }
            const volumePath = `${path}.volumes[${index}].name`;
            if (!isDnsLabel(volumeName)) {
                problems.push(`${volumePath} must be a DNS-1123 label (got ${JSON.stringify(volumeName)})`);
            }
            if (volumeNames.has(volumeName)) {
                problems.push(`${volumePath} duplicates volume ${JSON.stringify(volumeName)}`);
            }
            volumeNames.add(volumeName);
        });
    }
    if (typeof podSpec.serviceAccountName === "string" && podSpec.serviceAccountName !== "" && !isDnsSubdomain(podSpec.serviceAccountName)) {
        problems.push(`${path}.serviceAccountName must be a DNS-1123 subdomain (got ${JSON.stringify(podSpec.serviceAccountName)})`);
    }

    for (const list of CONTAINER_LISTS) {
        const containers = podSpec[list];
        if (!Array.isArray(containers)) {
            continue;
        }
        containers.forEach((container, index) => {
            if (!isPlainObject(container)) {
                return;
            }
            const containerPath = `${path}.${list}[${index}]`;
            const containerName = container.name;
            if (typeof containerName === "string") {
                if (!isDnsLabel(containerName)) {
                    problems.push(`${containerPath}.name must be a DNS-1123 label (got ${JSON.stringify(containerName)})`);
                }
                if (containerNames.has(containerName)) {
                    problems.push(`${containerPath}.name duplicates container ${JSON.stringify(containerName)}`);
                }
                containerNames.add(containerName);
            }
            if (Array.isArray(container.ports)) {
                container.ports.forEach((port, portIndex) => {
                    if (!isPlainObject(port)) {
                        return;
                    }
                    const portPath = `${containerPath}.ports[${portIndex}]`;
                    if (typeof port.containerPort === "number" && (port.containerPort < 1 || port.containerPort > 65535)) {
                        problems.push(`${portPath}.containerPort must be between 1 and 65535 (got ${port.containerPort})`);
                    }
                    if (typeof port.hostPort === "number" && (port.hostPort < 0 || port.hostPort > 65535)) {
                        problems.push(`${portPath}.hostPort must be between 0 and 65535 (got ${port.hostPort})`);
                    }
                    if (typeof port.name === "string" && !isIanaServiceName(port.name)) {
                        problems.push(
                            `${portPath}.name must be an IANA service name (at most 15 lowercase alphanumerics or '-', with a letter) (got ${JSON.stringify(port.name)})`,
                        );
                    }
                });
            }
            if (Array.isArray(container.volumeMounts)) {
                container.volumeMounts.forEach((mount, mountIndex) => {
                    if (isPlainObject(mount) && typeof mount.name === "string" && !volumeNames.has(mount.name)) {
                        problems.push(
                            `${containerPath}.volumeMounts[${mountIndex}].name refers to volume ${JSON.stringify(mount.name)}, which is not in ${path}.volumes`,
                        );
                    }
                });
            }
        });
    }
    return problems;
}

function isIanaServiceName(name: string): boolean {
    return name.length <= 15 && IANA_SVC_NAME.test(name) && /[a-z]/.test(name) && !name.includes("--");
}

function configDataProblems(obj: Json, kind: string): string[] {
    const problems: string[] = [];
    const fields = kind === "Secret" ? ["data", "stringData"] : ["data", "binaryData"];
    for (const field of fields) {
        const data = obj[field];
        if (!isPlainObject(data)) {
            continue;
        }
        for (const key of Object.keys(data)) {
            if (key.length > 253 || !CONFIG_KEY.test(key)) {
                problems.push(`${field}${keySegment(key)} has an invalid key (alphanumerics, '-', '_' or '.', at most 253 characters)`);
            }
        }
    }
    if (kind === "ConfigMap" && isPlainObject(obj.data) && isPlainObject(obj.binaryData)) {
        for (const key of Object.keys(obj.data)) {
            if (Object.prototype.hasOwnProperty.call(obj.binaryData, key)) {
                problems.push(`binaryData${keySegment(key)} duplicates a key of data`);
            }
        }
    }
    return problems;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Json {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function deepClone(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(deepClone);
    }
    if (isPlainObject(value)) {
        const copy: Json = {};
        for (const [key, item] of Object.entries(value)) {
            copy[key] = deepClone(item);
        }
        return copy;
    }
    return value;
}

function dedupe(items: string[]): string[] {
    return [...new Set(items)];
}

function objectLabel(obj: Json): string {
    const kind = typeof obj.kind === "string" && obj.kind !== "" ? obj.kind : "object";
    const metadata = isPlainObject(obj.metadata) ? obj.metadata : undefined;
    const name = metadata?.name ?? metadata?.generateName;
    return typeof name === "string" && name !== "" ? `${kind} ${JSON.stringify(name)}` : `${kind} (unnamed)`;
}

function describeValue(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "an array";
    }
    switch (typeof value) {
        case "string":
            return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
        case "number":
        case "boolean":
            return `${typeof value} ${String(value)}`;
        case "object":
            return "an object";
        default:
            return typeof value;
    }
}

function escapePointer(segment: string): string {
    return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapePointer(segment: string): string {
    return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

function keySegment(key: string): string {
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** JSON pointer (`/spec/containers/0/name`) to a readable path (`spec.containers[0].name`). */
function pointerToPath(root: unknown, pointer: string): string {
    if (pointer === "") {
        return "(object)";
    }
    let path = "";
    let node: unknown = root;
    for (const raw of pointer.split("/").slice(1)) {
        const segment = unescapePointer(raw);
        if (Array.isArray(node) && /^\d+$/.test(segment)) {
            path += `[${segment}]`;
            node = node[Number(segment)];
        } else {
            path += path === "" && keySegment(segment).startsWith(".") ? segment : keySegment(segment);
            node = isPlainObject(node) ? node[segment] : undefined;
        }
    }
    return path;
}

function valueAt(root: unknown, pointer: string): unknown {
    let node: unknown = root;
    for (const raw of pointer.split("/").slice(1)) {
        const segment = unescapePointer(raw);
        if (Array.isArray(node)) {
            node = node[Number(segment)];
        } else if (isPlainObject(node)) {
            node = node[segment];
        } else {
            return undefined;
        }
    }
    return node;
}
