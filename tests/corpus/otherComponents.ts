import { BOOLEAN, Corpus, INTEGER, LIST, MAP, NULL, OBJECT, ONE_OF, REQUIRED, Row, STRING, UNKNOWN, rows } from "./case";
import * as path from "path";
import { clusterArnOf, roleArnOf } from "../support/awsIds";

/** Our fixture chart with the agent chart's values interface (from dist/tests/corpus). */
const FIXTURE_CHART = path.resolve(__dirname, "..", "..", "..", "tests", "fixtures", "agent-chart");

/** PodIdentityAgent, CrossAccountRole and WellKnownPolicySet: the type families, then the rules. */

const agentBase = { clusterName: "agent-corpus" };

const agentRows: Row[] = [
    ["clusterName", null, NULL],
    ["clusterName", 5, STRING],
    ["clusterName", ["a"], STRING],
    ["clusterName", undefined, REQUIRED],
    ["clusterName", "", /required: give the EKS cluster's name/],
    ["kubernetesVersion", 1.31, STRING],
    ["kubernetesVersion", null, NULL],
    ["addonVersion", 1.3, STRING],
    ["addonVersion", null, NULL],
    ["addonVersion", "latest", /./],
    ["ipv4Only", "true", BOOLEAN],
    ["ipv4Only", null, NULL],
    ["tolerations", "all", LIST],
    ["tolerations", [null], NULL, "tolerations[0]"],
    ["tolerations", [{ operator: "in" }], ONE_OF, "tolerations[0].operator"],
    ["tolerations", [{ key: 5 }], STRING, "tolerations[0].key"],
    ["tolerations", [{ tolerationSeconds: 1.5 }], INTEGER, "tolerations[0].tolerationSeconds"],
    ["resources", "small", OBJECT],
    ["resources", { limits: "x" }, MAP, "resources.limits"],
    ["resources", { limits: { memory: 64 } }, STRING, "resources.limits.memory"],
    ["resolveConflictsOnCreate", "PRESERVE", /use one of "NONE", "OVERWRITE"/],
    ["resolveConflictsOnCreate", "overwrite", /did you mean "OVERWRITE"/],
    ["resolveConflictsOnUpdate", "MERGE", ONE_OF],
    ["resolveConflictsOnUpdate", null, NULL],
    ["tags", "x", MAP],
    ["tags", { a: 1 }, STRING, "tags.a"],
    ["tags", { "aws:x": "y" }, /the aws: prefix is reserved/, "tags.aws:x"],
    ["cluster", "x", UNKNOWN],
    ["install", true, UNKNOWN],
    ["ipv4only", true, /did you mean "ipv4Only"/],
    // The install method and the placement settings both methods share.
    ["helm", "chart", OBJECT],
    ["helm", { chart: 5, region: "eu-west-1" }, STRING, "helm.chart"],
    ["helm", { chart: "eks-pod-identity-agent", repository: "https://charts.example.com", region: "eu-west-1" }, /required with repository: pin the exact chart version/, "helm.version"],
    ["helm", { chart: "eks-pod-identity-agent", repository: "https://charts.example.com", version: "~1.3", region: "eu-west-1" }, /not an exact chart version/, "helm.version"],
    ["helm", { chart: "eks-pod-identity-agent", repository: "ftp://charts.example.com", version: "1.3.0", region: "eu-west-1" }, /is refused: use an https:\/\/ chart repository/, "helm.repository"],
    ["helm", { chart: "./no-such-chart", region: "eu-west-1" }, /no chart at .*: give the path of a chart directory/, "helm.chart"],
    ["helm", { chart: FIXTURE_CHART, region: "Europe" }, /is not an AWS region name/, "helm.region"],
    ["helm", { chart: FIXTURE_CHART, region: "eu-west-1", releaseName: "Agent" }, /DNS-1123/, "helm.releaseName"],
    ["helm", { chart: FIXTURE_CHART, region: "eu-west-1", values: ["x"] }, /expected an object of chart values/, "helm.values"],
    ["image", "registry.example.com/agent:1", /the EKS add-on runs the image EKS publishes/],
    ["nodeSelector", { pool: "system" }, /express it as affinity/],
    ["nodeSelector", "system", MAP],
    ["priorityClassName", "high", /runs the agent at system-node-critical/],
    ["priorityClassName", 5, STRING],
    ["affinity", { nodeAfinity: {} }, /is not a field of a Kubernetes Affinity/, "affinity.nodeAfinity"],
];

export const podIdentityAgentCorpus: Corpus = {
    component: "PodIdentityAgent",
    bad: rows(agentBase, agentRows),
    good: [
        { title: "free-form extra configuration values", args: { clusterName: "agent-extra", extraConfigurationValues: { a: [1, null, { b: "c" }] } } },
        { title: "an Exists toleration without a key", args: { clusterName: "agent-tolerations", tolerations: [{ operator: "Exists" }] } },
        { title: "the Helm chart from a local path, every placement setting", args: { clusterName: "agent-helm", helm: { chart: FIXTURE_CHART, region: "eu-west-1", values: { a: [1, null] } }, image: "registry.example.com/agent:1", nodeSelector: { "kubernetes.io/os": "linux" }, affinity: {}, priorityClassName: "platform-critical" } },
        { title: "the add-on at system-node-critical with an affinity", args: { clusterName: "agent-priority", priorityClassName: "system-node-critical", affinity: { nodeAffinity: {} } } },
    ],
};

const roleBase = { sourceRoleArns: [roleArnOf("app")], clusterArns: [clusterArnOf("prod")], namespaces: ["apps"], serviceAccounts: ["app"] };

const roleRows: Row[] = [
    ["sourceRoleArns", null, NULL],
    ["sourceRoleArns", roleArnOf("app"), LIST],
    ["sourceRoleArns", [5], STRING, "sourceRoleArns[0]"],
    ["sourceRoleArns", [null], NULL, "sourceRoleArns[0]"],
    ["sourceRoleArns", undefined, /required/],
    ["sourceRoleArns", [], /required: the ARNs of the Pod Identity roles/],
    ["sourceRoleArns", ["arn:bad"], /is not an IAM role ARN/, "sourceRoleArns[0]"],
    ["sourceRoleArns", ["arn:aws:iam::123456789012:policy/app"], /it names iam:policy, not iam:role/, "sourceRoleArns[0]"],
    ["role.permissionsBoundary", "boundary", /is not an IAM policy ARN/],
    ["trustMode", "tags", ONE_OF],
    ["trustMode", "externalid", /did you mean "externalId"/],
    ["trustMode", 5, ONE_OF],
    ["clusterArns", clusterArnOf("prod"), LIST],
    ["clusterArns", [5], STRING, "clusterArns[0]"],
    ["clusterArns", ["bad"], /./, "clusterArns[0]"],
    ["namespaces", "apps", LIST],
    ["namespaces", [5], STRING, "namespaces[0]"],
    ["namespaces", [null], NULL, "namespaces[0]"],
    ["namespaces", ["Bad"], /DNS-1123 label/, "namespaces[0]"],
    ["serviceAccounts", { a: "b" }, LIST],
    ["serviceAccounts", [true], STRING, "serviceAccounts[0]"],
    ["serviceAccounts", undefined, /required with trustMode "sessionTags"/],
    ["externalId", 5, STRING],
    ["externalId", "abc", /applies to trustMode "externalId" only/],
    ["role", "x", OBJECT],
    ["role", null, NULL],
    ["role.maxSessionDuration", "1h", INTEGER],
    ["role.maxSessionDuration", 60, /out of range/],
    ["role.namePrefix", 3, STRING],
    ["managedPolicyArns", [5], STRING, "managedPolicyArns[0]"],
    ["managedPolicyArns", ["arn:bad"], /is not an IAM policy ARN/, "managedPolicyArns[0]"],
    ["policyStatements", "x", LIST],
    ["policyStatements", [{ actions: 5 }], LIST, "policyStatements[0].actions"],
    ["inlinePolicies", [5], OBJECT, "inlinePolicies[0]"],
    ["tags", "x", MAP],
    ["tags", { a: null }, NULL, "tags.a"],
    ["allowFullAccess", "no", BOOLEAN],
    ["sourceRoleArn", [roleArnOf("app")], /did you mean "sourceRoleArns"/],
    ["trust", {}, UNKNOWN],
];

export const crossAccountRoleCorpus: Corpus = {
    component: "CrossAccountRole",
    bad: rows(roleBase, roleRows),
    good: [
        { title: "external id mode", args: { sourceRoleArns: [roleArnOf("app")], trustMode: "externalId", externalId: "ext-0000" } },
        { title: "dotted service account names", args: { ...roleBase, serviceAccounts: ["a.b.c"] } },
        { title: "the aws-cn partition throughout", args: { sourceRoleArns: ["arn:aws-cn:iam::111122223333:role/app"], clusterArns: ["arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod"], namespaces: ["apps"], serviceAccounts: ["app"] } },
    ],
};

const setBase = { clusterArn: clusterArnOf("prod"), policies: { ebsCsiDriver: {} } };

const setRows: Row[] = [
    ["clusterArn", null, NULL],
    ["clusterArn", 5, STRING],
    ["clusterArn", undefined, /required: the ARN of the cluster/],
    ["clusterArn", "bad", /./],
    ["policies", null, NULL],
    ["policies", "ebsCsiDriver", OBJECT],
    ["policies", ["ebsCsiDriver"], OBJECT],
    ["policies", {}, /enables no policy/],
    ["policies", undefined, /required: an object of well-known policies/],
    ["policies.ebsCsiDriver", null, NULL],
    ["policies.ebsCsiDriver", true, /give \{\} for the defaults/],
    ["policies.ebsCsiDriver", { kmsKeyArns: "x" }, LIST, "policies.ebsCsiDriver.kmsKeyArns"],
    ["policies.ebsCsiDriver", { kmsKeyArns: [5] }, STRING, "policies.ebsCsiDriver.kmsKeyArns[0]"],
    ["policies.externalDns", {}, REQUIRED, "policies.externalDns.hostedZoneIds"],
    ["policies.externalDns", { hostedZoneIds: [] }, /./, "policies.externalDns.hostedZoneIds"],
    ["policies.velero", { bucketArns: ["arn:aws:s3:::b"], kmsKeyArns: null }, NULL, "policies.velero.kmsKeyArns"],
    ["policies.vpcCni", { ipFamily: "IPv6" }, /did you mean "ipv6"/, "policies.vpcCni.ipFamily"],
    ["policies.karpenter", { nodeRoleArns: [roleArnOf("node")], interruptionQueueArn: 5 }, STRING, "policies.karpenter.interruptionQueueArn"],
    ["policies.ebsCSIDriver", {}, /did you mean "ebsCsiDriver"/],
    ["path", 5, STRING],
    ["path", null, NULL],
    ["path", "nopath", /./],
    ["tags", "x", MAP],
    ["tags", { a: 1 }, STRING, "tags.a"],
    ["name", "x", UNKNOWN],
];

export const wellKnownPolicySetCorpus: Corpus = {
    component: "WellKnownPolicySet",
    bad: rows(setBase, setRows),
    good: [
        { title: "the aws-us-gov partition", args: { clusterArn: "arn:aws-us-gov:eks:us-gov-west-1:111122223333:cluster/prod", policies: { ebsCsiDriver: {} } } },
        { title: "policies with their optional inputs", args: { ...setBase, policies: { vpcCni: { ipFamily: "ipv6" }, ebsCsiDriver: { kmsKeyArns: [] } }, path: "/addons/", tags: {} } },
        { title: "an unrelated managed policy ARN shape in karpenter", args: { ...setBase, policies: { karpenter: { nodeRoleArns: [roleArnOf("node")] } } } },
    ],
};

