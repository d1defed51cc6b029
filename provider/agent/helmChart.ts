import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { checkDnsLabel, checkDnsSubdomain } from "../kubernetes/rules";
import { Problems, describe, joinPath } from "../validation/problems";

/**
 * The agent's own Helm chart (`charts/eks-pod-identity-agent` in the aws/eks-pod-identity-agent repository) as the
 * install method for platform teams that do not use EKS add-ons. The chart is not published in a chart registry
 * with version tags, so teams pin a fork: a local chart directory, or their own chart repository at an exact version.
 */

/** Where the chart comes from and how it is released. */
export interface AgentHelmChart {
    /**
     * The chart: a local chart directory or `.tgz` archive (e.g. `./charts/eks-pod-identity-agent` in a pinned fork;
     * relative paths are resolved against the program's working directory and must contain a `Chart.yaml`), or, with
     * `repository`, the chart's name in that repository (e.g. `eks-pod-identity-agent`). Required.
     */
    chart: string;
    /**
     * Chart repository URL, e.g. `https://charts.example.com/platform`. https, or plain http to a loopback address
     * only (chart contents decide what runs on every node). Requires an exact `version`. Default: `chart` is a local path.
     */
    repository?: string;
    /**
     * The chart version: an exact SemVer version such as `1.3.0` (ranges like `^1.3` or `1.x` are refused, so the
     * installed chart cannot change under a stack). Required with `repository`; with a local chart, when given it
     * must equal the `version` in its `Chart.yaml`, which is checked at preview.
     */
    version?: string;
    /** AWS region of the cluster, the agent's `AWS_REGION` (e.g. `eu-west-1`). Required: the chart has no usable default. */
    region: string;
    /** Namespace of the release, a DNS-1123 label. Default `kube-system` (where the EKS add-on runs the agent too). */
    namespace?: string;
    /** Helm release name, a DNS-1123 subdomain of at most 53 characters (Helm's limit). Default `eks-pod-identity-agent`. */
    releaseName?: string;
    /**
     * Raw chart values merged over the ones rendered from the typed settings (the escape hatch for what they do not
     * cover, e.g. `updateStrategy`, `podLabels`, `imagePullSecrets`). Default: none.
     */
    values?: Record<string, unknown>;
}

export const DEFAULT_AGENT_NAMESPACE = "kube-system";
export const DEFAULT_AGENT_RELEASE = "eks-pod-identity-agent";
/** The priority class the agent runs at by default: node pressure evicts other pods before it. */
export const NODE_CRITICAL_PRIORITY = "system-node-critical";

/**
 * SemVer 2.0.0 (semver.org, the grammar Helm's `Chart.yaml` `version` follows), exact: no range operators, wildcards
 * or spaces. A leading `v` is accepted, as Helm accepts it.
 */
const EXACT_SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
/** AWS region names (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eu-central-2`). */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Helm's release-name limit (helm/pkg/chartutil: 53, leaving room for suffixes in generated names). */
const HELM_RELEASE_NAME_MAX = 53;

/** Whether a repository URL's host is a loopback address, the one place plain http is accepted. */
function isLoopbackHost(host: string): boolean {
    return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The chart's location: an absolute local path, or the repository URL and chart name. */
export type ChartSource = { kind: "local"; path: string } | { kind: "repository"; repository: string; chart: string; version: string };

/**
 * Checks the chart source and release settings; returns where the chart comes from when the settings are usable.
 * A local chart is read now (its `Chart.yaml`), so a wrong path or version fails the preview, not the install.
 */
export function checkAgentHelmChart(problems: Problems, path_: string, helm: AgentHelmChart, cwd = process.cwd()): ChartSource | undefined {
    const before = problems.list.length;
    const at = (key: string) => joinPath(path_, key);
    if (helm.region === undefined || helm.region === "") {
        problems.add(at("region"), "required: give the cluster's AWS region (the agent's AWS_REGION), e.g. eu-west-1");
    } else if (!AWS_REGION.test(helm.region)) {
        problems.add(at("region"), `"${helm.region}" is not an AWS region name: use the form eu-west-1`);
    }
    if (helm.namespace !== undefined) {
        checkDnsLabel(problems, at("namespace"), helm.namespace);
    }
    if (helm.releaseName !== undefined) {
        checkDnsSubdomain(problems, at("releaseName"), helm.releaseName);
        if (helm.releaseName.length > HELM_RELEASE_NAME_MAX) {
            problems.add(at("releaseName"), `is ${helm.releaseName.length} characters long: Helm allows at most ${HELM_RELEASE_NAME_MAX}`);
        }
    }
    if (helm.values !== undefined && (typeof helm.values !== "object" || helm.values === null || Array.isArray(helm.values))) {
        problems.add(at("values"), `expected an object of chart values, got ${describe(helm.values)}`);
    }
    if (helm.version !== undefined && !EXACT_SEMVER.test(helm.version)) {
        problems.add(at("version"), `"${helm.version}" is not an exact chart version: pin one version such as 1.3.0 (ranges and wildcards let the chart change under the stack)`);
    }
    if (typeof helm.chart !== "string" || helm.chart === "") {
        problems.add(at("chart"), "required: give a local chart directory (e.g. ./charts/eks-pod-identity-agent) or, with repository, the chart's name");
        return undefined;
    }
    const source = helm.repository === undefined ? localChart(problems, at, helm, cwd) : repositoryChart(problems, at, helm);
    return problems.list.length === before ? source : undefined;
}

function repositoryChart(problems: Problems, at: (key: string) => string, helm: AgentHelmChart): ChartSource | undefined {
    let url: URL | undefined;
    try {
        url = new URL(helm.repository!);
    } catch {
        problems.add(at("repository"), `"${helm.repository}" is not a URL: use e.g. https://charts.example.com/platform`);
    }
    if (url && url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
        problems.add(
            at("repository"),
            `${url.protocol}// is refused: use an https:// chart repository (plain http is accepted for a loopback address only, since the chart decides what runs privileged on every node)`,
        );
    }
    if (url && (url.username !== "" || url.password !== "")) {
        problems.add(at("repository"), "carries credentials in the URL, which would be stored in the stack's state: use a repository that needs none, or a local chart");
    }
    // A chart name in a repository index: no path separators, no scheme.
    if (/[/\\:]/.test(helm.chart)) {
        problems.add(at("chart"), `"${helm.chart}" is a path or URL: with repository, give only the chart's name in it (e.g. eks-pod-identity-agent)`);
    }
    if (helm.version === undefined) {
        problems.add(at("version"), "required with repository: pin the exact chart version (e.g. 1.3.0), so that a new chart in the repository never changes the agent without a stack change");
        return undefined;
    }
    return { kind: "repository", repository: helm.repository!, chart: helm.chart, version: helm.version };
}

function localChart(problems: Problems, at: (key: string) => string, helm: AgentHelmChart, cwd: string): ChartSource | undefined {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(helm.chart)) {
        problems.add(at("chart"), `"${helm.chart}" is a URL: give the repository in repository and the chart's name in chart, with an exact version`);
        return undefined;
    }
    const absolute = path.resolve(cwd, helm.chart);
    if (!fs.existsSync(absolute)) {
        problems.add(at("chart"), `no chart at ${absolute}: give the path of a chart directory (holding Chart.yaml) or a .tgz chart archive, or set repository`);
        return undefined;
    }
    if (fs.statSync(absolute).isDirectory()) {
        const chartFile = path.join(absolute, "Chart.yaml");
        if (!fs.existsSync(chartFile)) {
            problems.add(at("chart"), `${absolute} is a directory without Chart.yaml: give the chart's own directory (e.g. charts/eks-pod-identity-agent in the agent's repository)`);
            return undefined;
        }
        if (helm.version !== undefined) {
            let declared: unknown;
            try {
                declared = (parseYaml(fs.readFileSync(chartFile, "utf8")) as { version?: unknown } | null)?.version;
            } catch (e) {
                problems.add(at("chart"), `${chartFile} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
                return undefined;
            }
            if (String(declared).replace(/^v/, "") !== helm.version.replace(/^v/, "")) {
                problems.add(at("version"), `is ${helm.version}, but ${chartFile} declares version ${describe(declared)}: the local chart is not the one pinned`);
            }
        }
    } else if (!absolute.endsWith(".tgz")) {
        problems.add(at("chart"), `${absolute} is neither a chart directory nor a .tgz chart archive`);
        return undefined;
    }
    return { kind: "local", path: absolute };
}
