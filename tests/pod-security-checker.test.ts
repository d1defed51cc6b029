import test, { ExecutionContext } from "ava";
import { baselineViolations, podTemplateOf, restrictedViolations } from "./support/podSecurity";
import { ServerTruth } from "./cluster/serverTruth";


function hardenedContainerSecurityContext(): any {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    };
}

/** A pod spec that satisfies "restricted": every test below breaks exactly one thing. */
function compliantPodSpec(): any {
    return {
        serviceAccountName: "app",
        securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65532,
            seccompProfile: { type: "RuntimeDefault" },
            sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "600" }],
        },
        initContainers: [{ name: "init", image: "busybox:1.36", securityContext: hardenedContainerSecurityContext() }],
        containers: [
            {
                name: "app",
                image: "public.ecr.aws/example/app:1.0.0",
                ports: [{ name: "http", containerPort: 8080, hostPort: 0 }],
                livenessProbe: { httpGet: { path: "/healthz", port: "http", host: "" } },
                securityContext: hardenedContainerSecurityContext(),
                volumeMounts: [
                    { name: "aws-token", mountPath: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            },
        ],
        volumes: [
            {
                name: "aws-token",
                projected: {
                    sources: [{ serviceAccountToken: { audience: "pods.eks.amazonaws.com", expirationSeconds: 86400, path: "eks-pod-identity-token" } }],
                },
            },
            { name: "tmp", emptyDir: {} },
            { name: "config", configMap: { name: "app-config" } },
            { name: "creds", secret: { secretName: "app-creds" } },
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
            { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
            { name: "driver", csi: { driver: "secrets-store.csi.k8s.io", readOnly: true } },
            { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } } },
        ],
    };
}

function app(spec: any): any {
    return spec.containers[0];
}

function init(spec: any): any {
    return spec.initContainers[0];
}

/** Same length, and the i-th violation equals (string) or matches (RegExp) the i-th expectation. */
function assertViolations(t: ExecutionContext, actual: string[], expected: Array<string | RegExp>): void {
    const ok =
        actual.length === expected.length &&
        expected.every((e, i) => (typeof e === "string" ? actual[i] === e : e.test(actual[i])));
    if (!ok) {
        t.fail(`violations differ\nactual:   ${JSON.stringify(actual, null, 2)}\nexpected: ${expected.map(String).join("\n          ")}`);
    } else {
        t.pass();
    }
}

test("a compliant pod spec has no restricted or baseline violations", (t) => {
    t.deepEqual(restrictedViolations(compliantPodSpec()), []);
    t.deepEqual(baselineViolations(compliantPodSpec()), []);
});

test("the checker does not mutate its input", (t) => {
    const spec = compliantPodSpec();
    spec.hostNetwork = true;
    const before = JSON.stringify(spec);
    restrictedViolations(spec);
    t.is(JSON.stringify(spec), before);
});

interface Case {
    rule: string;
    level: "baseline" | "restricted";
    mutate: (spec: any) => void;
    expected: Array<string | RegExp>;
    /**
     * What the API server's validation also needs before Pod Security admission sees the pod (the agreement proof
     * below); it may add violations of its own, as the proof compares verdicts, not messages.
     */
    validForServer?: (spec: any) => void;
}

const cases: Case[] = [
    // ---- baseline controls -------------------------------------------------
    {
        rule: "HostProcess (pod)",
        level: "baseline",
        mutate: (s) => (s.securityContext.windowsOptions = { hostProcess: true }),
        expected: ["securityContext.windowsOptions.hostProcess must be false or unset (got true)"],
        validForServer: (s) => { s.hostNetwork = true; delete s.securityContext.sysctls; },
    },
    {
        rule: "HostProcess (container)",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.windowsOptions = { hostProcess: true }),
        expected: ["containers[app].securityContext.windowsOptions.hostProcess must be false or unset (got true)"],
        validForServer: (s) => { s.hostNetwork = true; delete s.securityContext.sysctls; init(s).securityContext.windowsOptions = { hostProcess: true }; },
    },
    {
        rule: "hostNetwork",
        level: "baseline",
        mutate: (s) => (s.hostNetwork = true),
        expected: ["hostNetwork must be false or unset (got true)"],
        validForServer: (s) => delete s.securityContext.sysctls,
    },
    {
        rule: "hostPID",
        level: "baseline",
        mutate: (s) => (s.hostPID = true),
        expected: ["hostPID must be false or unset (got true)"],
    },
    {
        rule: "hostIPC",
        level: "baseline",
        mutate: (s) => (s.hostIPC = true),
        expected: ["hostIPC must be false or unset (got true)"],
    },
    {
        rule: "privileged container",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.privileged = true),
        expected: ["containers[app].securityContext.privileged must be false or unset (got true)"],
        validForServer: (s) => delete app(s).securityContext.allowPrivilegeEscalation,
    },
    {
        rule: "privileged init container",
        level: "baseline",
        mutate: (s) => (init(s).securityContext.privileged = true),
        expected: ["initContainers[init].securityContext.privileged must be false or unset (got true)"],
        validForServer: (s) => delete init(s).securityContext.allowPrivilegeEscalation,
    },
    {
        rule: "privileged ephemeral container",
        level: "baseline",
        mutate: (s) =>
            (s.ephemeralContainers = [
                { name: "debug", image: "busybox", securityContext: { ...hardenedContainerSecurityContext(), privileged: true } },
            ]),
        expected: ["ephemeralContainers[debug].securityContext.privileged must be false or unset (got true)"],
        validForServer: (s) => delete s.ephemeralContainers[0].securityContext.allowPrivilegeEscalation,
    },
    {
        rule: "capability outside the baseline set",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.capabilities.add = ["SYS_ADMIN"]),
        expected: ['containers[app].securityContext.capabilities.add must not include "SYS_ADMIN" (not in the baseline allowed set)'],
    },
    {
        rule: "hostPath volume",
        level: "baseline",
        mutate: (s) => s.volumes.push({ name: "host", hostPath: { path: "/var/run/docker.sock" } }),
        expected: ["volumes[host].hostPath is forbidden (hostPath volumes are not allowed)"],
    },
    {
        rule: "hostPort",
        level: "baseline",
        mutate: (s) => (app(s).ports[0].hostPort = 8080),
        expected: ["containers[app].ports[http].hostPort must be 0 or unset (got 8080)"],
    },
    {
        rule: "AppArmor profile (pod)",
        level: "baseline",
        mutate: (s) => (s.securityContext.appArmorProfile = { type: "Unconfined" }),
        expected: ['securityContext.appArmorProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")'],
    },
    {
        rule: "AppArmor profile (container)",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.appArmorProfile = { type: "Unconfined" }),
        expected: ['containers[app].securityContext.appArmorProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")'],
    },
    {
        rule: "SELinux type",
        level: "baseline",
        mutate: (s) => (s.securityContext.seLinuxOptions = { type: "spc_t" }),
        expected: [
            'securityContext.seLinuxOptions.type must be unset or one of container_t, container_init_t, container_kvm_t, container_engine_t (got "spc_t")',
        ],
    },
    {
        rule: "SELinux user and role",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.seLinuxOptions = { type: "container_t", user: "system_u", role: "system_r" }),
        expected: [
            'containers[app].securityContext.seLinuxOptions.user must be empty or unset (got "system_u")',
            'containers[app].securityContext.seLinuxOptions.role must be empty or unset (got "system_r")',
        ],
    },
    {
        rule: "/proc mount type",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.procMount = "Unmasked"),
        expected: ['containers[app].securityContext.procMount must be "Default" or unset (got "Unmasked")'],
        validForServer: (s) => (s.hostUsers = false),
    },
    {
        rule: "seccomp Unconfined (container)",
        level: "baseline",
        mutate: (s) => (app(s).securityContext.seccompProfile = { type: "Unconfined" }),
        expected: ['containers[app].securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")'],
    },
    {
        rule: "unsafe sysctl",
        level: "baseline",
        mutate: (s) => s.securityContext.sysctls.push({ name: "kernel.msgmax", value: "65536" }),
        expected: [/^securityContext\.sysctls\[kernel\.msgmax\] is not an allowed sysctl/],
    },
    {
        rule: "probe host",
        level: "baseline",
        mutate: (s) => (app(s).livenessProbe.httpGet.host = "169.254.169.254"),
        expected: ['containers[app].livenessProbe.httpGet.host must be empty or unset (got "169.254.169.254")'],
    },
    {
        rule: "lifecycle handler host",
        level: "baseline",
        mutate: (s) => (app(s).lifecycle = { preStop: { httpGet: { path: "/drain", port: 8080, host: "example.com" } } }),
        expected: ['containers[app].lifecycle.preStop.httpGet.host must be empty or unset (got "example.com")'],
    },
    // ---- restricted-only controls ------------------------------------------
    {
        rule: "non-core volume type",
        level: "restricted",
        mutate: (s) => s.volumes.push({ name: "shared", nfs: { server: "nfs.example.com", path: "/exports" } }),
        expected: [/^volumes\[shared\] uses volume type "nfs", which restricted does not allow \(allowed: configMap, csi, /],
    },
    {
        rule: "allowPrivilegeEscalation unset",
        level: "restricted",
        mutate: (s) => delete app(s).securityContext.allowPrivilegeEscalation,
        expected: ["containers[app].securityContext.allowPrivilegeEscalation must be false"],
    },
    {
        rule: "allowPrivilegeEscalation true on an init container",
        level: "restricted",
        mutate: (s) => (init(s).securityContext.allowPrivilegeEscalation = true),
        expected: ["initContainers[init].securityContext.allowPrivilegeEscalation must be false (got true)"],
    },
    {
        rule: "runAsNonRoot unset everywhere",
        level: "restricted",
        mutate: (s) => delete s.securityContext.runAsNonRoot,
        expected: [
            "initContainers[init].securityContext.runAsNonRoot must be true (or set securityContext.runAsNonRoot=true for the pod)",
            "containers[app].securityContext.runAsNonRoot must be true (or set securityContext.runAsNonRoot=true for the pod)",
        ],
    },
    {
        rule: "runAsNonRoot false (pod)",
        level: "restricted",
        mutate: (s) => {
            s.securityContext.runAsNonRoot = false;
            app(s).securityContext.runAsNonRoot = true;
            init(s).securityContext.runAsNonRoot = true;
        },
        expected: ["securityContext.runAsNonRoot must be true (got false)"],
    },
    {
        rule: "runAsUser 0 (pod)",
        level: "restricted",
        mutate: (s) => (s.securityContext.runAsUser = 0),
        expected: ["securityContext.runAsUser must not be 0"],
    },
    {
        rule: "runAsUser 0 (container)",
        level: "restricted",
        mutate: (s) => (app(s).securityContext.runAsUser = 0),
        expected: ["containers[app].securityContext.runAsUser must not be 0"],
    },
    {
        rule: "seccomp profile unset everywhere",
        level: "restricted",
        mutate: (s) => delete s.securityContext.seccompProfile,
        expected: [
            'initContainers[init].securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (or set securityContext.seccompProfile for the pod)',
            'containers[app].securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (or set securityContext.seccompProfile for the pod)',
        ],
    },
    {
        rule: "capabilities not dropping ALL",
        level: "restricted",
        mutate: (s) => (app(s).securityContext.capabilities = { drop: ["NET_RAW"] }),
        expected: ['containers[app].securityContext.capabilities.drop must include "ALL"'],
    },
    {
        rule: "capabilities unset",
        level: "restricted",
        mutate: (s) => delete init(s).securityContext.capabilities,
        expected: ['initContainers[init].securityContext.capabilities.drop must include "ALL"'],
    },
    {
        rule: "baseline-allowed capability other than NET_BIND_SERVICE",
        level: "restricted",
        mutate: (s) => (app(s).securityContext.capabilities.add = ["NET_BIND_SERVICE", "CHOWN"]),
        expected: ['containers[app].securityContext.capabilities.add must not include "CHOWN" (restricted allows only "NET_BIND_SERVICE")'],
    },
];

for (const c of cases) {
    test(`${c.level} rule is reported alone: ${c.rule}`, (t) => {
        const spec = compliantPodSpec();
        c.mutate(spec);
        assertViolations(t, restrictedViolations(spec), c.expected);
        // Baseline rules are also reported by the baseline checker; restricted-only ones are not.
        assertViolations(t, baselineViolations(spec), c.level === "baseline" ? c.expected : []);
    });
}

test("a pod-level Unconfined seccomp profile is a baseline violation and leaves containers without a profile", (t) => {
    const spec = compliantPodSpec();
    spec.securityContext.seccompProfile = { type: "Unconfined" };
    assertViolations(t, baselineViolations(spec), ['securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")']);
    assertViolations(t, restrictedViolations(spec), [
        'securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")',
        /^initContainers\[init\]\.securityContext\.seccompProfile\.type must be/,
        /^containers\[app\]\.securityContext\.seccompProfile\.type must be/,
    ]);
});

test("AppArmor annotations are checked when given", (t) => {
    const annotations = {
        "container.apparmor.security.beta.kubernetes.io/app": "unconfined",
        "container.apparmor.security.beta.kubernetes.io/init": "localhost/custom",
    };
    assertViolations(t, restrictedViolations(compliantPodSpec(), { annotations }), [
        'metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"] must be "runtime/default" or "localhost/<profile>" (got "unconfined")',
    ]);
});

test("allowed values pass: NET_BIND_SERVICE, safe sysctls, allowed SELinux types, Localhost profiles, hostPort 0", (t) => {
    const spec = compliantPodSpec();
    app(spec).securityContext.capabilities.add = ["NET_BIND_SERVICE"];
    app(spec).securityContext.seLinuxOptions = { type: "container_engine_t", level: "s0:c123,c456" };
    app(spec).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "profiles/app.json" };
    app(spec).securityContext.appArmorProfile = { type: "RuntimeDefault" };
    app(spec).securityContext.procMount = "Default";
    app(spec).securityContext.privileged = false;
    spec.hostNetwork = false;
    spec.securityContext.sysctls = [
        { name: "kernel.shm_rmid_forced", value: "1" },
        { name: "net.ipv4.ip_unprivileged_port_start", value: "0" },
        { name: "net.ipv4.ip_local_reserved_ports", value: "30000" },
    ];
    t.deepEqual(restrictedViolations(spec), []);
});

test("image volumes and volumes without a source (defaulted to emptyDir) are admitted, as the API server does", (t) => {
    const spec = compliantPodSpec();
    spec.volumes.push({ name: "models", image: { reference: "example.com/models:1" } }, { name: "empty" });
    t.deepEqual(restrictedViolations(spec), []);
});

test("procMount Unmasked is allowed for a user-namespaced pod only", (t) => {
    const spec = compliantPodSpec();
    app(spec).securityContext.procMount = "Unmasked";
    t.is(baselineViolations(spec).length, 1);
    spec.hostUsers = false;
    t.deepEqual(baselineViolations(spec), []);
});

// ---- container-level settings versus pod-level settings ---------------------

test("container-level runAsNonRoot=true on every container satisfies the control without a pod-level value", (t) => {
    const spec = compliantPodSpec();
    delete spec.securityContext.runAsNonRoot;
    app(spec).securityContext.runAsNonRoot = true;
    init(spec).securityContext.runAsNonRoot = true;
    t.deepEqual(restrictedViolations(spec), []);
});

test("container-level runAsNonRoot=false overrides a pod-level true and is reported", (t) => {
    const spec = compliantPodSpec();
    app(spec).securityContext.runAsNonRoot = false;
    assertViolations(t, restrictedViolations(spec), ["containers[app].securityContext.runAsNonRoot must be true (got false)"]);
});

test("a pod-level runAsUser 0 is reported even when containers override it", (t) => {
    const spec = compliantPodSpec();
    spec.securityContext.runAsUser = 0;
    app(spec).securityContext.runAsUser = 1000;
    init(spec).securityContext.runAsUser = 1000;
    assertViolations(t, restrictedViolations(spec), ["securityContext.runAsUser must not be 0"]);
});

test("a container-level runAsUser 0 overrides a non-root pod-level user and is reported", (t) => {
    const spec = compliantPodSpec();
    init(spec).securityContext.runAsUser = 0;
    assertViolations(t, restrictedViolations(spec), ["initContainers[init].securityContext.runAsUser must not be 0"]);
});

test("container-level seccomp profiles on every container satisfy the control without a pod-level profile", (t) => {
    const spec = compliantPodSpec();
    delete spec.securityContext.seccompProfile;
    app(spec).securityContext.seccompProfile = { type: "RuntimeDefault" };
    init(spec).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "init.json" };
    t.deepEqual(restrictedViolations(spec), []);
});

test("a container-level Unconfined seccomp profile overrides a valid pod-level profile and is reported", (t) => {
    const spec = compliantPodSpec();
    init(spec).securityContext.seccompProfile = { type: "Unconfined" };
    assertViolations(t, restrictedViolations(spec), [
        'initContainers[init].securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")',
    ]);
});

test("a container-level AppArmor profile is checked even when the pod-level one is fine", (t) => {
    const spec = compliantPodSpec();
    spec.securityContext.appArmorProfile = { type: "RuntimeDefault" };
    app(spec).securityContext.appArmorProfile = { type: "Unconfined" };
    assertViolations(t, restrictedViolations(spec), [
        'containers[app].securityContext.appArmorProfile.type must be "RuntimeDefault" or "Localhost" (got "Unconfined")',
    ]);
});

// ---- coverage of every container list and odd input ---------------------------

test("ephemeral containers must meet every container control", (t) => {
    const spec = compliantPodSpec();
    spec.ephemeralContainers = [{ name: "debug", image: "busybox" }];
    assertViolations(t, restrictedViolations(spec), [
        "ephemeralContainers[debug].securityContext.allowPrivilegeEscalation must be false",
        'ephemeralContainers[debug].securityContext.capabilities.drop must include "ALL"',
    ]);
});

test("a bare pod spec reports each restricted requirement per container", (t) => {
    assertViolations(t, restrictedViolations({ containers: [{ name: "app", image: "nginx" }] }), [
        "containers[app].securityContext.allowPrivilegeEscalation must be false",
        "containers[app].securityContext.runAsNonRoot must be true (or set securityContext.runAsNonRoot=true for the pod)",
        'containers[app].securityContext.seccompProfile.type must be "RuntimeDefault" or "Localhost" (or set securityContext.seccompProfile for the pod)',
        'containers[app].securityContext.capabilities.drop must include "ALL"',
    ]);
    t.deepEqual(baselineViolations({ containers: [{ name: "app", image: "nginx" }] }), []);
});

test("unnamed containers are identified by index", (t) => {
    const violations = restrictedViolations({
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [{ image: "nginx", securityContext: { allowPrivilegeEscalation: false } }],
    });
    assertViolations(t, violations, ['containers[#0].securityContext.capabilities.drop must include "ALL"']);
});

test("wrongly typed values are treated as violations, not as unset", (t) => {
    const spec = compliantPodSpec();
    app(spec).securityContext.privileged = "false";
    app(spec).securityContext.allowPrivilegeEscalation = "false";
    assertViolations(t, restrictedViolations(spec), [
        'containers[app].securityContext.privileged must be false or unset (got "false")',
        'containers[app].securityContext.allowPrivilegeEscalation must be false (got "false")',
    ]);
});

test("windows pods are exempt from the Linux-only restricted controls", (t) => {
    const spec = {
        os: { name: "windows" },
        securityContext: { runAsNonRoot: true },
        containers: [{ name: "app", image: "mcr.microsoft.com/windows/nanoserver:ltsc2022" }],
    };
    t.deepEqual(restrictedViolations(spec), []);
    // ...but not from the others.
    assertViolations(t, restrictedViolations({ ...spec, securityContext: {} }), [
        "containers[app].securityContext.runAsNonRoot must be true (or set securityContext.runAsNonRoot=true for the pod)",
    ]);
});

test("non-object input is a violation, not a crash", (t) => {
    t.deepEqual(restrictedViolations(undefined), ["pod spec must be an object (got nothing)"]);
    t.deepEqual(restrictedViolations(null), ["pod spec must be an object (got null)"]);
    t.deepEqual(restrictedViolations([]), ["pod spec must be an object (got [])"]);
});

test("podTemplateOf finds the pod spec and annotations of rendered workloads", (t) => {
    const deployment = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "app" },
        spec: {
            selector: { matchLabels: { app: "app" } },
            template: {
                metadata: { labels: { app: "app" }, annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } },
                spec: compliantPodSpec(),
            },
        },
    };
    const template = podTemplateOf(deployment);
    if (!template) {
        t.fail("no pod template found");
        return;
    }
    assertViolations(t, restrictedViolations(template.spec, { annotations: template.annotations }), [
        /^metadata\.annotations\["container\.apparmor\.security\.beta\.kubernetes\.io\/app"\] must be/,
    ]);
    const cronJob = { kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } } };
    t.deepEqual(podTemplateOf(cronJob)?.spec, { containers: [] });
    t.deepEqual(podTemplateOf({ kind: "Pod", spec: { containers: [] } })?.spec, { containers: [] });
    t.is(podTemplateOf({ kind: "ConfigMap", data: {} }), undefined);
});

// ---- agreement with the real Pod Security admission -------------------------------------------------------------
// The checker above is a fast double of the API server's PodSecurity admission plugin. On the shared corpus (the
// compliant spec, every single-rule case, and the odd specs of the tests above), its verdict for "restricted" and
// "baseline" must be the server's: a dry-run Pod in namespaces enforcing each level (tests/cluster/serverTruth.ts).

const truth = new ServerTruth("pod-security");
test.after.always(() => truth.close());

/** [title, pod spec, pod annotations] */
const agreementCorpus: [string, any, Record<string, string>?][] = [
    ["compliant", compliantPodSpec()],
    ...cases.map((c): [string, any] => {
        const spec = compliantPodSpec();
        c.mutate(spec);
        c.validForServer?.(spec);
        return [`${c.level}: ${c.rule}`, spec];
    }),
    ["a bare pod spec", { containers: [{ name: "app", image: "nginx" }] }],
    ["AppArmor annotation unconfined", compliantPodSpec(), { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" }],
    ["AppArmor annotation localhost", compliantPodSpec(), { "container.apparmor.security.beta.kubernetes.io/app": "localhost/custom" }],
    ["pod-level Unconfined seccomp", (() => { const s = compliantPodSpec(); s.securityContext.seccompProfile = { type: "Unconfined" }; return s; })()],
    ["container-level runAsNonRoot on every container only", (() => { const s = compliantPodSpec(); delete s.securityContext.runAsNonRoot; app(s).securityContext.runAsNonRoot = true; init(s).securityContext.runAsNonRoot = true; return s; })()],
    ["container-level runAsNonRoot false over a pod-level true", (() => { const s = compliantPodSpec(); app(s).securityContext.runAsNonRoot = false; return s; })()],
    ["container-level seccomp on every container only", (() => { const s = compliantPodSpec(); delete s.securityContext.seccompProfile; app(s).securityContext.seccompProfile = { type: "RuntimeDefault" }; init(s).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "init.json" }; return s; })()],
    ["image volume and a volume without a source", (() => { const s = compliantPodSpec(); s.volumes.push({ name: "models", image: { reference: "example.com/models:1" } }, { name: "empty" }); return s; })()],
    ["user-namespaced pod without runAsNonRoot", (() => { const s = compliantPodSpec(); s.hostUsers = false; delete s.securityContext.runAsNonRoot; return s; })()],
    ["user-namespaced pod running as root", (() => { const s = compliantPodSpec(); s.hostUsers = false; s.securityContext.runAsUser = 0; return s; })()],
    ["windows pod", { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "app", image: "mcr.microsoft.com/windows/nanoserver:ltsc2022" }] }],
    ["windows pod without runAsNonRoot", { os: { name: "windows" }, containers: [{ name: "app", image: "mcr.microsoft.com/windows/nanoserver:ltsc2022" }] }],
];

test("the checker's restricted and baseline verdicts are the API server's on the whole corpus", async (t) => {
    const disagreements: string[] = [];
    await Promise.all(
        agreementCorpus.flatMap(([title, spec, annotations]) =>
            (["restricted", "baseline"] as const).map(async (level) => {
                const ours = (level === "restricted" ? restrictedViolations : baselineViolations)(spec, { annotations });
                const server = await truth.admitPod({ metadata: { annotations }, spec }, level);
                // 403 is admission's refusal; anything else means the pod never reached Pod Security admission.
                if (!server.admitted && server.status !== 403) {
                    disagreements.push(`${title} (${level}): the server refused the pod before Pod Security admission: ${server.message}`);
                } else if (server.admitted !== (ours.length === 0)) {
                    disagreements.push(`${title} (${level}): server ${server.admitted ? "admits" : `refuses (${server.message})`}, checker says ${JSON.stringify(ours)}`);
                }
            }),
        ),
    );
    t.deepEqual(disagreements, [], disagreements.join("\n"));
});

test("user-namespaced pods: restricted drops the non-root controls but keeps procMount", (t) => {
    const spec = compliantPodSpec();
    spec.hostUsers = false;
    spec.securityContext.runAsUser = 0;
    delete spec.securityContext.runAsNonRoot;
    t.deepEqual(restrictedViolations(spec), []);
    app(spec).securityContext.procMount = "Unmasked";
    assertViolations(t, restrictedViolations(spec), ['containers[app].securityContext.procMount must be "Default" or unset (got "Unmasked")']);
    t.deepEqual(baselineViolations(spec), []);
});
