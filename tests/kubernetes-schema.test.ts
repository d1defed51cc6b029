import test from "ava";
import { validateKubernetesObject, validateKubernetesObjects } from "./support/kubernetesSchema";
import { ServerTruth } from "./cluster/serverTruth";


function validDeployment(): any {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "apps", labels: { "app.kubernetes.io/name": "web" } },
        spec: {
            replicas: 2,
            selector: { matchLabels: { "app.kubernetes.io/name": "web" } },
            template: {
                metadata: { labels: { "app.kubernetes.io/name": "web", tier: "frontend" } },
                spec: {
                    serviceAccountName: "web",
                    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "web",
                            image: "public.ecr.aws/nginx/nginx:1.27",
                            imagePullPolicy: "IfNotPresent",
                            ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
                            env: [{ name: "AWS_REGION", value: "us-east-1" }],
                            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: 268435456 } },
                            readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 },
                            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        },
                    ],
                    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                },
            },
        },
    };
}

const validNamespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } };

const validServiceAccount = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "web", namespace: "apps", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/web" } },
    automountServiceAccountToken: false,
};

const validConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "web-config", namespace: "apps" },
    data: { "config.yaml": "region: us-east-1\n", LOG_LEVEL: "info" },
    binaryData: { "blob.bin": "AAEC" },
};

test("violations are sorted, independent of traversal order", (t) => {
    const deployment = validDeployment();
    deployment.spec.zzz = 1;
    deployment.spec.replicas = "2";
    deployment.apiVersio = "x";
    const violations = validateKubernetesObject(deployment);
    t.is(violations.length, 3);
    t.deepEqual(violations, [...violations].sort());
});

test("valid Deployment, Namespace, ServiceAccount and ConfigMap pass", (t) => {
    t.deepEqual(validateKubernetesObject(validDeployment()), []);
    t.deepEqual(validateKubernetesObject(validNamespace), []);
    t.deepEqual(validateKubernetesObject(validServiceAccount), []);
    t.deepEqual(validateKubernetesObject(validConfigMap), []);
    t.deepEqual(validateKubernetesObjects([validNamespace, validServiceAccount, validConfigMap, validDeployment()]), []);
});

test("a valid Pod passes", (t) => {
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "web-0" },
        spec: validDeployment().spec.template.spec,
    };
    t.deepEqual(validateKubernetesObject(pod), []);
});

test("the validator does not mutate its input", (t) => {
    const deployment = validDeployment();
    deployment.spec.bogus = true;
    const before = JSON.stringify(deployment);
    validateKubernetesObject(deployment);
    t.is(JSON.stringify(deployment), before);
});

// ---- schema violations ------------------------------------------------------

test("Deployment without spec.selector is rejected", (t) => {
    const deployment = validDeployment();
    delete deployment.spec.selector;
    t.deepEqual(validateKubernetesObject(deployment), ['Deployment "web": spec.selector is required']);
});

test("a container port given as a string is rejected", (t) => {
    const deployment = validDeployment();
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "abc";
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "web": spec.template.spec.containers[0].ports[0].containerPort must be integer (got string "abc")',
    ]);
});

test("replicas given as a string is rejected", (t) => {
    const deployment = validDeployment();
    deployment.spec.replicas = "3";
    t.deepEqual(validateKubernetesObject(deployment), ['Deployment "web": spec.replicas must be integer (got string "3")']);
});

test("a fractional replicas count is rejected", (t) => {
    const deployment = validDeployment();
    deployment.spec.replicas = 1.5;
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "web": spec.replicas must be integer; must match format "int32" (got number 1.5)',
    ]);
});

test("wrong types in nested objects and maps are rejected", (t) => {
    const deployment = validDeployment();
    deployment.metadata.labels.version = 2;
    deployment.spec.template.spec.containers[0].env[0].value = true;
    deployment.spec.template.spec.securityContext.runAsNonRoot = "yes";
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "web": metadata.labels.version must be string (got number 2)',
        'Deployment "web": spec.template.spec.containers[0].env[0].value must be string (got boolean true)',
        'Deployment "web": spec.template.spec.securityContext.runAsNonRoot must be boolean (got string "yes")',
    ]);
    t.deepEqual(validateKubernetesObject({ ...validServiceAccount, automountServiceAccountToken: "yes" }), [
        'ServiceAccount "web": automountServiceAccountToken must be boolean (got string "yes")',
    ]);
    t.deepEqual(validateKubernetesObject({ ...validConfigMap, data: { port: 8080 } }), [
        'ConfigMap "web-config": data.port must be string (got number 8080)',
    ]);
});

test("enum violations list the allowed values", (t) => {
    const deployment = validDeployment();
    deployment.spec.template.spec.containers[0].imagePullPolicy = "Sometimes";
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "web": spec.template.spec.containers[0].imagePullPolicy must be one of "Always", "IfNotPresent", "Never" (got string "Sometimes")',
    ]);
});

test("an invalid quantity is rejected as one message", (t) => {
    const deployment = validDeployment();
    deployment.spec.template.spec.containers[0].resources.limits.cpu = "lots";
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "web": spec.template.spec.containers[0].resources.limits.cpu must be number or must match format "quantity" (got string "lots")',
    ]);
});

test("missing required nested fields are rejected", (t) => {
    const deployment = validDeployment();
    delete deployment.spec.template.spec.containers[0].name;
    t.deepEqual(validateKubernetesObject(deployment), ['Deployment "web": spec.template.spec.containers[0].name is required']);
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} };
    t.deepEqual(validateKubernetesObject(pod), ['Pod "p": spec.containers is required']);
});

// ---- unknown fields -----------------------------------------------------------

test("unknown fields are reported at any depth", (t) => {
    const deployment = validDeployment();
    deployment.spec.strategy = { type: "RollingUpdate", rollingUpdat: { maxSurge: 1 } };
    deployment.spec.template.spec.containers[0].imagePulPolicy = "Always";
    deployment.spec.template.spec.containers[0].resources.limts = { cpu: "1" };
    deployment.metadata.label = { a: "b" };
    deployment.spec.template.spec.serviceAccount = "web"; // deprecated but a real field
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "web": metadata.label is not a known field',
        'Deployment "web": spec.strategy.rollingUpdat is not a known field',
        'Deployment "web": spec.template.spec.containers[0].imagePulPolicy is not a known field',
        'Deployment "web": spec.template.spec.containers[0].resources.limts is not a known field',
    ]);
});

test("map keys (labels, annotations, data, resource names) are not mistaken for unknown fields", (t) => {
    const deployment = validDeployment();
    deployment.metadata.annotations = { "eks.amazonaws.com/role-arn": "arn" };
    deployment.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"] = 1;
    deployment.spec.template.spec.nodeSelector = { "kubernetes.io/os": "linux" };
    t.deepEqual(validateKubernetesObject(deployment), []);
    // JSON-pointer escaping of '~' and '/' in keys (the key itself is not a valid annotation key).
    deployment.metadata.annotations["a~b/c"] = "x";
    t.deepEqual(validateKubernetesObject(deployment, { semantic: false }), []);
});

test("unknown fields can be allowed", (t) => {
    const deployment = validDeployment();
    deployment.spec.bogus = 1;
    t.deepEqual(validateKubernetesObject(deployment, { allowUnknownFields: true }), []);
    t.deepEqual(validateKubernetesObject(deployment), ['Deployment "web": spec.bogus is not a known field']);
});

// ---- dispatch -----------------------------------------------------------------

test("unknown apiVersion/kind is a violation, not a crash", (t) => {
    t.deepEqual(validateKubernetesObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }), [
        'Widget "w": unsupported apiVersion/kind example.com/v1/Widget (no schema in kubernetes-models)',
    ]);
    t.deepEqual(validateKubernetesObject({ apiVersion: "v1", kind: "Deployment", metadata: { name: "d" } }), [
        'Deployment "d": unsupported apiVersion/kind v1/Deployment (no schema in kubernetes-models)',
    ]);
    // Helper types of kubernetes-models are not kinds.
    t.deepEqual(validateKubernetesObject({ apiVersion: "v1", kind: "PodSpec", containers: [] }), [
        "PodSpec (unnamed): unsupported apiVersion/kind v1/PodSpec (no schema in kubernetes-models)",
    ]);
    t.deepEqual(validateKubernetesObject({ apiVersion: "../../evil", kind: "X" }), [
        "X (unnamed): unsupported apiVersion/kind ../../evil/X (no schema in kubernetes-models)",
    ]);
});

test("missing apiVersion or kind and non-objects are violations", (t) => {
    t.deepEqual(validateKubernetesObject({ kind: "Namespace", metadata: { name: "n" } }), [
        'Namespace "n": apiVersion is required and must be a string (got nothing)',
    ]);
    t.deepEqual(validateKubernetesObject({ apiVersion: "v1", metadata: { name: "n" } }), [
        'object "n": kind is required and must be a string (got nothing)',
    ]);
    t.deepEqual(validateKubernetesObject(null), ["object must be a JSON object (got null)"]);
    t.deepEqual(validateKubernetesObject("apiVersion: v1"), ['object must be a JSON object (got string "apiVersion: v1")']);
    t.deepEqual(validateKubernetesObject([validNamespace]), ["object must be a JSON object (got an array)"]);
});

test("other kinds shipped by kubernetes-models are supported", (t) => {
    const role = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "reader", namespace: "apps" },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: "get" }],
    };
    t.deepEqual(validateKubernetesObject(role), ['Role "reader": rules[0].verbs must be array (got string "get")']);
});

// ---- API-server rules the schema does not express -------------------------------

test("selector must match the pod template labels", (t) => {
    const deployment = validDeployment();
    deployment.spec.selector.matchLabels["app.kubernetes.io/name"] = "api";
    t.deepEqual(validateKubernetesObject(deployment), ['Deployment "web": spec.template.metadata.labels must match spec.selector']);
    const withExpressions = validDeployment();
    withExpressions.spec.selector = { matchExpressions: [{ key: "tier", operator: "In", values: ["frontend", "backend"] }] };
    t.deepEqual(validateKubernetesObject(withExpressions), []);
    withExpressions.spec.selector.matchExpressions[0].operator = "NotIn";
    t.deepEqual(validateKubernetesObject(withExpressions), ['Deployment "web": spec.template.metadata.labels must match spec.selector']);
    const empty = validDeployment();
    empty.spec.selector = {};
    t.deepEqual(validateKubernetesObject(empty), ['Deployment "web": spec.selector must not be empty']);
});

test("names, label values, ports and volume mounts are checked", (t) => {
    const deployment = validDeployment();
    deployment.metadata.name = "Web_App";
    deployment.metadata.labels.version = "not valid!";
    const container = deployment.spec.template.spec.containers[0];
    container.ports[0].containerPort = 70000;
    container.ports.push({ name: "metrics_port", containerPort: 9090 });
    container.volumeMounts.push({ name: "cache", mountPath: "/cache" });
    t.deepEqual(validateKubernetesObject(deployment), [
        'Deployment "Web_App": metadata.labels.version has an invalid label value "not valid!" (at most 63 alphanumerics, \'-\', \'_\' or \'.\', starting and ending alphanumeric)',
        'Deployment "Web_App": metadata.name must be a DNS-1123 subdomain (lowercase alphanumerics, \'-\' and \'.\', at most 253 characters) (got "Web_App")',
        'Deployment "Web_App": spec.template.spec.containers[0].ports[0].containerPort must be between 1 and 65535 (got 70000)',
        'Deployment "Web_App": spec.template.spec.containers[0].ports[1].name must be an IANA service name (at most 15 lowercase alphanumerics or \'-\', with a letter) (got "metrics_port")',
        'Deployment "Web_App": spec.template.spec.containers[0].volumeMounts[1].name refers to volume "cache", which is not in spec.template.spec.volumes',
    ]);
    t.deepEqual(validateKubernetesObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } }), [
        'Namespace "a.b": metadata.name must be a DNS-1123 label (lowercase alphanumerics and \'-\', at most 63 characters) (got "a.b")',
    ]);
    t.deepEqual(validateKubernetesObject({ apiVersion: "v1", kind: "Namespace" }), [
        "Namespace (unnamed): metadata.name is required (or metadata.generateName)",
    ]);
    t.deepEqual(validateKubernetesObject({ ...validConfigMap, data: { "bad key": "x" } }), [
        'ConfigMap "web-config": data["bad key"] has an invalid key (alphanumerics, \'-\', \'_\' or \'.\', at most 253 characters)',
    ]);
});

test("semantic checks can be turned off", (t) => {
    const deployment = validDeployment();
    deployment.spec.selector.matchLabels["app.kubernetes.io/name"] = "api";
    t.deepEqual(validateKubernetesObject(deployment, { semantic: false }), []);
});

// ---- agreement with the real API server -------------------------------------------------------------------------
// The checker is a fast double of the API server's decoding and validation. On the objects of the tests above, its
// verdict (no violation or some) must be the server's: server-side apply, dry run, strict field validation
// (tests/cluster/serverTruth.ts). Pod Security is pod-security-checker.test.ts's concern, so only the apply is compared.

const truth = new ServerTruth("schema");
test.after.always(() => truth.close());

const deploymentWith = (change: (d: any) => void) => {
    const deployment = validDeployment();
    change(deployment);
    return deployment;
};
const container = (d: any) => d.spec.template.spec.containers[0];

const schemaCorpus: [string, any][] = [
    ["valid Deployment", validDeployment()],
    ["valid Namespace", validNamespace],
    ["valid ServiceAccount", validServiceAccount],
    ["valid ConfigMap", validConfigMap],
    ["valid Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "web-0", namespace: "apps" }, spec: validDeployment().spec.template.spec }],
    ["no selector", deploymentWith((d) => delete d.spec.selector)],
    ["port as a string", deploymentWith((d) => (container(d).ports[0].containerPort = "abc"))],
    ["replicas as a string", deploymentWith((d) => (d.spec.replicas = "3"))],
    ["fractional replicas", deploymentWith((d) => (d.spec.replicas = 1.5))],
    ["label value a number", deploymentWith((d) => (d.metadata.labels.version = 2))],
    ["env value a boolean", deploymentWith((d) => (container(d).env[0].value = true))],
    ["runAsNonRoot a string", deploymentWith((d) => (d.spec.template.spec.securityContext.runAsNonRoot = "yes"))],
    ["automountServiceAccountToken a string", { ...validServiceAccount, automountServiceAccountToken: "yes" }],
    ["ConfigMap data value a number", { ...validConfigMap, data: { port: 8080 } }],
    ["imagePullPolicy unknown", deploymentWith((d) => (container(d).imagePullPolicy = "Sometimes"))],
    ["cpu limit not a quantity", deploymentWith((d) => (container(d).resources.limits.cpu = "lots"))],
    ["container without a name", deploymentWith((d) => delete container(d).name)],
    ["pod without containers", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "apps" }, spec: {} }],
    ["unknown fields at several depths", deploymentWith((d) => (d.spec.template.spec.containers[0].imagePulPolicy = "Always"))],
    ["unknown strategy field", deploymentWith((d) => (d.spec.strategy = { type: "RollingUpdate", rollingUpdat: { maxSurge: 1 } }))],
    ["deprecated serviceAccount field", deploymentWith((d) => (d.spec.template.spec.serviceAccount = "web"))],
    ["map keys that look like fields", deploymentWith((d) => {
        d.metadata.annotations = { "eks.amazonaws.com/role-arn": "arn" };
        container(d).resources.limits["nvidia.com/gpu"] = 1;
        container(d).resources.requests["nvidia.com/gpu"] = 1;
        d.spec.template.spec.nodeSelector = { "kubernetes.io/os": "linux" };
    })],
    ["an unserved kind", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }],
    ["a kind in the wrong group", { apiVersion: "v1", kind: "Deployment", metadata: { name: "d", namespace: "apps" } }],
    ["Role verbs a string", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "reader", namespace: "apps" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: "get" }] }],
    ["selector not matching the template", deploymentWith((d) => (d.spec.selector.matchLabels["app.kubernetes.io/name"] = "api"))],
    ["selector expression In", deploymentWith((d) => (d.spec.selector = { matchExpressions: [{ key: "tier", operator: "In", values: ["frontend", "backend"] }] }))],
    ["selector expression NotIn", deploymentWith((d) => (d.spec.selector = { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend", "backend"] }] }))],
    ["empty selector", deploymentWith((d) => (d.spec.selector = {}))],
    ["bad name", deploymentWith((d) => (d.metadata.name = "Web_App"))],
    ["bad label value", deploymentWith((d) => (d.metadata.labels.version = "not valid!"))],
    ["port out of range", deploymentWith((d) => (container(d).ports[0].containerPort = 70000))],
    ["port name with '_'", deploymentWith((d) => container(d).ports.push({ name: "metrics_port", containerPort: 9090 }))],
    ["mount of a missing volume", deploymentWith((d) => container(d).volumeMounts.push({ name: "cache", mountPath: "/cache" }))],
    ["Namespace named a.b", { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } }],
    ["ConfigMap data key with a space", { ...validConfigMap, data: { "bad key": "x" } }],
];

test("the checker's verdict on every object above is the API server's", async (t) => {
    const disagreements: string[] = [];
    await Promise.all(
        schemaCorpus.map(async ([title, object]) => {
            const ours = validateKubernetesObject(object);
            const applied = (await truth.admit([object])).filter((v) => v.subject.endsWith("(server-side apply)"));
            const refused = applied.filter((v) => !v.admitted).map((v) => v.message);
            if ((ours.length === 0) !== (refused.length === 0)) {
                disagreements.push(`${title}: server ${refused.length === 0 ? "admits" : `refuses (${refused.join("; ")})`}, checker says ${JSON.stringify(ours)}`);
            }
        }),
    );
    t.deepEqual(disagreements, [], disagreements.join("\n"));
});
