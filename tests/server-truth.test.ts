import test from "ava";
import { ServerTruth, refusals } from "./cluster/serverTruth";

// The helper every rendered-object test relies on (tests/cluster/serverTruth.ts) must be able to say no: each check
// below is one way the real API server refuses what our own checkers could miss.

const truth = new ServerTruth("server-truth");
test.after.always(() => truth.close());

const hardenedPod = () => ({
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "app", image: "registry.example.com/app:1.0", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
});

const deployment = (spec: unknown) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "app", namespace: "apps" },
    spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec } },
});

test("a valid Namespace, ServiceAccount and hardened Deployment are admitted", async (t) => {
    const verdicts = await truth.admit([
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "apps" } },
        deployment({ ...hardenedPod(), serviceAccountName: "app" }),
    ]);
    t.deepEqual(refusals(verdicts), []);
    t.true(verdicts.some((v) => v.subject.startsWith("Pod from the template of Deployment apps/app")), "the pod template was judged");
});

test("a Pod object alone is judged with its service account in place (ServiceAccount admission), as pod templates are", async (t) => {
    // A helper of its own: nothing else creates the account first (the flake this guards against was such a race).
    const alone = new ServerTruth("server-truth-pod");
    try {
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "lone", namespace: "apps" }, spec: { ...hardenedPod(), serviceAccountName: "lone-account" } };
        t.deepEqual(refusals(await alone.admit([pod])), []);
    } finally {
        await alone.close();
    }
});

test("an unknown field is refused (strict field validation), naming the field", async (t) => {
    const [verdict] = await truth.admit([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "apps" }, dataa: {} }]).then((v) => v.filter((x) => !x.admitted));
    t.regex(verdict?.message ?? "", /\.dataa: field not declared in schema/);
});

test("a pod template breaking \"restricted\" is refused by Pod Security admission, though the Deployment itself is admitted", async (t) => {
    const verdicts = await truth.admit([deployment({ containers: [{ name: "app", image: "x" }] })]);
    t.true(verdicts.find((v) => v.subject.startsWith("Deployment apps/app"))?.admitted);
    t.deepEqual(verdicts.filter((v) => !v.admitted).map((v) => v.subject), ['Pod from the template of Deployment apps/app (Pod Security "restricted")']);
    t.regex(refusals(verdicts)[0], /violates PodSecurity "restricted:latest"/);
});

test("a rendered namespace name that is no DNS label is refused, also when no Namespace object is rendered", async (t) => {
    const verdicts = await truth.admit([{ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "Apps_1" } }]);
    t.deepEqual(verdicts.filter((v) => !v.admitted).map((v) => v.subject), ['Namespace name "Apps_1" (server-side apply)']);
});

test("a Namespace with an unknown Pod Security level is refused", async (t) => {
    const verdicts = await truth.admit([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "strict" } } }]);
    t.regex(refusals(verdicts).join("\n"), /pod-security\.kubernetes\.io\/enforce/);
});

test("a kind the server does not serve is refused", async (t) => {
    t.regex(refusals(await truth.admit([{ apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "x", namespace: "apps" } }])).join(), /serves no Deploymnet/);
});
