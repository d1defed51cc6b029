import { BOOLEAN, INTEGER, LIST, MAP, NULL, OBJECT, ONE_OF, REQUIRED, STRING, UNKNOWN } from "./case";

/**
 * The platform workloads file: YAML as users write it (`~` for null, scalars where maps belong), through the
 * file's shape check and the component's rules. Errors must name the file, the entry's path and the workload.
 */

export interface PlatformCase {
    yaml: string;
    paths: string[];
    fix: RegExp;
    /** The workload the reason must name, when the entry has a name. */
    workload?: string;
}

export interface PlatformGood {
    title: string;
    yaml: string;
}

/** A one-workload file named `a` in namespace `apps`, with `lines` (YAML at the entry's indentation) added. */
const entry = (...lines: string[]) => ["workloads:", "  - name: a", ...lines.map((l) => `    ${l}`)].join("\n") + "\n";
const withNamespace = (...lines: string[]) => entry("namespace: apps", ...lines);

const at = (path: string, fix: RegExp, yaml: string): PlatformCase => ({ yaml, paths: [path], fix, workload: "a" });

export const platformCorpus: { bad: PlatformCase[]; good: PlatformGood[] } = {
    bad: [
        at("workloads[0].namespace", NULL, entry("namespace: ~")),
        at("workloads[0].namespace", NULL, entry("namespace: null")),
        at("workloads[0].namespace", STRING, entry("namespace: 42")),
        at("workloads[0].namespace", STRING, entry("namespace: [apps]")),
        at("workloads[0].namespace", STRING, entry("namespace: {name: apps}")),
        at("workloads[0].namespace", REQUIRED, entry()),
        at("workloads[0].namespace", /not a valid DNS-1123 label/, entry("namespace: Apps")),
        at("workloads[0].tags", MAP, withNamespace("tags: owner")),
        at("workloads[0].tags", MAP, withNamespace("tags: [owner]")),
        at("workloads[0].tags.owner", NULL, withNamespace("tags: {owner: ~}")),
        at("workloads[0].tags.owner", STRING, withNamespace("tags: {owner: 1}")),
        at("workloads[0].tags.aws:owner", /the aws: prefix is reserved/, withNamespace("tags: {'aws:owner': me}")),
        at("workloads[0].namespaceLabels", MAP, withNamespace("namespaceLabels: team-a")),
        at("workloads[0].namespaceLabels.team", STRING, withNamespace("namespaceLabels: {team: true}")),
        at("workloads[0].createNamespace", BOOLEAN, withNamespace("createNamespace: 'false'")),
        at("workloads[0].createNamespace", NULL, withNamespace("createNamespace: ~")),
        at("workloads[0].role", OBJECT, withNamespace("role: admin")),
        at("workloads[0].role.maxSessionDuration", INTEGER, withNamespace("role: {maxSessionDuration: '3600'}")),
        at("workloads[0].role.maxSessionDuration", INTEGER, withNamespace("role: {maxSessionDuration: 1.5}")),
        at("workloads[0].role.maxSessionDuration", /out of range/, withNamespace("role: {maxSessionDuration: 60}")),
        at("workloads[0].role.name", NULL, withNamespace("role: {name: ~}")),
        at("workloads[0].roleArn", STRING, withNamespace("roleArn: 5")),
        at("workloads[0].roleArn", /is not an IAM role ARN/, withNamespace("roleArn: my-role")),
        at("workloads[0].managedPolicyArns", LIST, withNamespace("managedPolicyArns: arn:aws:iam::aws:policy/ReadOnlyAccess")),
        at("workloads[0].managedPolicyArns[0]", NULL, withNamespace("managedPolicyArns: [~]")),
        at("workloads[0].policyStatements", LIST, withNamespace("policyStatements: {actions: [s3:GetObject]}")),
        at("workloads[0].policyStatements[0].actions", LIST, withNamespace("policyStatements:", "  - actions: s3:GetObject", "    resources: ['*']")),
        at("workloads[0].policyStatements[0].actions[0]", STRING, withNamespace("policyStatements:", "  - actions: [1]", "    resources: ['*']")),
        at("workloads[0].policyStatements[0].effect", /did you mean "Allow"/, withNamespace("policyStatements:", "  - effect: allow", "    actions: [s3:GetObject]", "    resources: ['*']")),
        at("workloads[0].crossAccount.targets[0].roleArn", NULL, withNamespace("crossAccount:", "  targets:", "    - roleArn: ~")),
        at("workloads[0].crossAccount.targets", LIST, withNamespace("crossAccount: {targets: arn:aws:iam::444455556666:role/r}")),
        at("workloads[0].crossAccount.targets[0].durationSeconds", INTEGER, withNamespace("crossAccount:", "  targets:", "    - {roleArn: 'arn:aws:iam::444455556666:role/r', durationSeconds: 1h}")),
        at("workloads[0].crossAccount.mode", ONE_OF, withNamespace("crossAccount: {mode: chained, targets: [{roleArn: 'arn:aws:iam::444455556666:role/r'}]}")),
        at("workloads[0].workload.image", REQUIRED, withNamespace("workload: {runAsUser: 1000}")),
        at("workloads[0].workload.replicas", INTEGER, withNamespace("workload: {image: nginx, replicas: two}")),
        at("workloads[0].workload.env.PORT", STRING, withNamespace("workload: {image: nginx, env: {PORT: 8080}}")),
        at("workloads[0].workload.env", MAP, withNamespace("workload: {image: nginx, env: [PORT=8080]}")),
        at("workloads[0].workload.ports[0].containerPort", INTEGER, withNamespace("workload: {image: nginx, ports: [{containerPort: '80'}]}")),
        at("workloads[0].workload.runAsUser", /breaks the restricted Pod Security Standard/, withNamespace("workload: {image: nginx, runAsUser: 0}")),
        at("workloads[0].workload.imagee", /did you mean "image"/, withNamespace("workload: {imagee: nginx}")),
        at("workloads[0].wellKnownPolicies.externalDns.hostedZoneIds", LIST, withNamespace("wellKnownPolicies: {externalDns: {hostedZoneIds: Z0123456789ABCDEFGHIJ}}")),
        at("workloads[0].wellKnownPolicies.externalDns", NULL, withNamespace("wellKnownPolicies: {externalDns: ~}")),
        at("workloads[0].nameSpace", /did you mean "namespace"/, withNamespace("nameSpace: apps")),
        at("workloads[0].clusterName", /the cluster comes from stack config/, withNamespace("clusterName: other")),
        at("workloads[0].agent", /the agent from the cluster stack/, withNamespace("agent: {install: true}")),
        { yaml: "defaults:\n  tags: owner\nworkloads:\n  - {name: a, namespace: apps}\n", paths: ["defaults.tags"], fix: MAP },
        { yaml: "defaults:\n  namespace: ~\nworkloads:\n  - {name: a}\n", paths: ["defaults.namespace"], fix: NULL },
        { yaml: "defaults:\n  name: shared\nworkloads:\n  - {name: a, namespace: apps}\n", paths: ["defaults.name"], fix: /every workload needs its own name/ },
        { yaml: "defaults:\n  role: {maxSessionDuration: x}\nworkloads:\n  - {name: a, namespace: apps}\n", paths: ["defaults.role.maxSessionDuration"], fix: INTEGER },
        { yaml: "defaults:\n  tag: {a: b}\nworkloads:\n  - {name: a, namespace: apps}\n", paths: ["defaults.tag"], fix: /did you mean "tags"/ },
        { yaml: "workloads:\n  - namespace: apps\n", paths: ["workloads[0].name"], fix: REQUIRED },
        { yaml: "workloads:\n  - {name: ~, namespace: apps}\n", paths: ["workloads[0].name"], fix: NULL },
        { yaml: "workloads:\n  - {name: 5, namespace: apps}\n", paths: ["workloads[0].name"], fix: STRING },
        { yaml: "workloads:\n  - {name: a, namespace: apps}\n  - ~\n", paths: ["workloads[1]"], fix: /expected a mapping, got null/ },
        { yaml: "workloads: a\n", paths: ["workloads"], fix: /expected a non-empty list/ },
        { yaml: "workloads: ~\n", paths: ["workloads"], fix: /expected a non-empty list/ },
        { yaml: "~\n", paths: ["(file)"], fix: /expected a mapping/ },
        { yaml: "workloads:\n  - {name: a, namespace: apps, tags: x}\n  - {name: b, namespace: ~}\n", paths: ["workloads[0].tags", "workloads[1].namespace"], fix: MAP },
        { yaml: "workloads:\n  - {name: a, namespace: apps, unknownKey: 1}\n", paths: ["workloads[0].unknownKey"], fix: UNKNOWN, workload: "a" },
    ],
    good: [
        { title: "defaults give the namespace; entries merge their tags", yaml: "defaults:\n  namespace: platform-defaults\n  tags: {owner: team}\nworkloads:\n  - {name: pa, tags: {app: pa}}\n" },
        { title: "dotted service account name and a 63-character namespace", yaml: `workloads:\n  - {name: pb, namespace: ${"n".repeat(63)}, serviceAccountName: a.b.c}\n` },
        { title: "explicit null-free optional keys with empty maps", yaml: "workloads:\n  - {name: pc, namespace: platform-empty, tags: {}, namespaceLabels: {}}\n" },
    ],
};
