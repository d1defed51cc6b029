import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkRoleArn, parseClusterArn, parseRoleArn } from "../iam/arn";
import { checkExternalId } from "../iam/sts";
import { claim } from "./claims";
import { PlannedInput, afterGate, behindOwnershipGate, ownershipGate } from "./ownershipGate";
import { ownerName, ownershipAnnotations } from "../kubernetes/ownership";
import { CREDENTIALS_REVISION_ANNOTATION, MANAGED_BY_LABEL, deploymentManifest, namespaceManifest, selectorLabels, serviceAccountManifest } from "../kubernetes/workload";
import { checkAnnotations, checkContainerImage } from "../kubernetes/rules";
import { PodIdentityAgent } from "./podIdentityAgent";
import { FargateProfileSelector, fargateWarnings, nodeSelectorWarnings, warnAll } from "../agent/preflight";
import { waitConfigMapData, waitForCredentialsPodParts } from "../agent/waitForCredentials";
import { PodIdentityWorkloadArgs, TrustSettings } from "./podIdentityWorkloadArgs";
import { renderTrustPolicy, workloadTrustPolicy } from "../iam/trustPolicy";
import { ResolvedTrustStatement, checkTrustStatement } from "../iam/trustStatement";
import { PreparedDocument, preparePermissionDocuments, prepareSessionPolicy } from "../iam/permissionDocuments";
import { PartitionReference, inPartition, partitionOf, partitionReference } from "../iam/partition";
import { StatementJson } from "../iam/policyDocument";
import {
    PodSpecFragment,
    ResolvedTarget,
    chainPolicy,
    checkTargetAccounts,
    checkTargetRoleArn,
    configFileSpec,
    configMapData,
    contentHash,
    duplicateProfileNames,
    podSpecFragment,
    resolveProfiles,
} from "../crossAccount/profiles";
import { ChainedProfile, renderAwsConfigFile } from "../crossAccount/configFile";
import { checkedManagedPolicyArns, createRole, createRolePermissions } from "./role";
import { Problems, isPlain } from "../validation/problems";
import { InputRules } from "../validation/inputRules";
import { checkShapeFirst } from "../validation/shape";
import { wellKnownPolicyNames } from "../wellKnownPolicies";
import { createWellKnownManagedPolicies, prepareWellKnownDocuments } from "./wellKnownPolicySet";
import {
    checkAccountId,
    checkClusterArn,
    checkClusterName,
    checkNamespace,
    checkNamespaceOnceKnown,
    checkOidcProviderArn,
    checkOwnNamespaceTrusted,
    checkOwnServiceAccountTrusted,
    checkPolicyArn,
    checkServiceAccountName,
    checkWorkloadArgs,
    createsNamespace,
} from "../validation/workload";

export const PODIDENTITYWORKLOAD_TYPE = "eks-pod-identity:index:PodIdentityWorkload";

/**
 * A Kubernetes workload on EKS with its AWS permissions through EKS Pod Identity: the IAM role and its policies,
 * the Pod Identity association, optionally the agent add-on, and the namespace, service account and Deployment.
 */
export class PodIdentityWorkload extends pulumi.ComponentResource {
    /** ARN of the role the pods receive (created, or the given `roleArn`). */
    public readonly roleArn: pulumi.Output<string>;
    /** Name of that role. */
    public readonly roleName: pulumi.Output<string>;
    /** ARN of the Pod Identity association. */
    public readonly associationArn: pulumi.Output<string>;
    /** Id of the Pod Identity association (`a-...`). */
    public readonly associationId: pulumi.Output<string>;
    /** The workload's namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The workload's service account. */
    public readonly serviceAccountName: pulumi.Output<string>;
    /** Name of the Deployment; undefined without `workload`. */
    public readonly deploymentName: pulumi.Output<string | undefined>;
    /** The role's trust policy JSON; undefined with an existing `roleArn`. */
    public readonly trustPolicy: pulumi.Output<string | undefined>;
    /** The inline policy JSON rendered from `policyStatements`; undefined without statements. */
    public readonly permissionsPolicy: pulumi.Output<string | undefined>;
    /**
     * Hash of what the pods' credentials depend on (role, association, session settings); carried by the pod
     * template so a change restarts the pods, since the agent keeps serving cached credentials otherwise.
     */
    public readonly credentialsRevision: pulumi.Output<string>;
    /** The rendered AWS config file (cross-account `configFile` mode); undefined otherwise. */
    public readonly awsConfigFile: pulumi.Output<string | undefined>;
    /** Profile names of the cross-account targets, in order; empty without `crossAccount`. */
    public readonly awsProfiles: pulumi.Output<string[]>;
    /** The profile `AWS_PROFILE` selects; undefined without `crossAccount` in `configFile` mode. */
    public readonly defaultAwsProfile: pulumi.Output<string | undefined>;
    /**
     * Volumes, volume mounts and environment variables that give a pod the cross-account profile, for workloads
     * deployed by Helm or Argo CD instead of this component's Deployment; undefined without `configFile` mode.
     */
    public readonly podSpecFragment: pulumi.Output<PodSpecFragment | undefined>;
    /** The association's external id for the target role's trust policy (native mode), as EKS reports it. */
    public readonly externalId: pulumi.Output<string | undefined>;

    constructor(name: string, args: PodIdentityWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = `PodIdentityWorkload "${name}"`;
        const { typed, inputs, rules } = validate(name, component, args);
        // Registered only once the inputs are valid: a rejected component leaves nothing half-registered.
        // Set once the component exists (the gate reads its Kubernetes provider); children are registered after that.
        const gateRef: { gate?: pulumi.Output<true> } = {};
        super(PODIDENTITYWORKLOAD_TYPE, name, {}, behindOwnershipGate(opts, () => gateRef.gate));
        const owner = ownerName({ organization: organization(), project: pulumi.getProject(), stack: pulumi.getStack(), component: name });
        // Before anything registers: every resource below waits for the gate, so a refused component changes nothing.
        const gate = (gateRef.gate = ownershipGate({ parent: this, component, owner, cluster: inputs.clusterName, objects: plannedObjects(name, typed, inputs), kubeconfig: typed.kubeconfig }));
        const step: Step = { parent: this, name, component, owner, args: typed, inputs, rules, ownClusterArn: lookupOnce(this, rules, inputs) };
        preflight(step);

        const identity = inputs.givenRoleArn !== undefined ? existingRole(step, inputs.givenRoleArn) : createdRole(step);
        const association = podIdentityAssociation(step, identity);
        const agent = podIdentityAgent(step);
        const objects = kubernetesObjects(step, identity, association, agent);

        const outputs = afterGate(gate, {
            roleArn: identity.roleArn,
            roleName: identity.roleName,
            associationArn: association.resource.associationArn,
            associationId: association.resource.associationId,
            namespace: objects.namespace,
            serviceAccountName: objects.serviceAccountName,
            deploymentName: objects.deploymentName,
            trustPolicy: identity.trustPolicy,
            permissionsPolicy: identity.permissionsPolicy,
            credentialsRevision: objects.credentialsRevision,
            awsConfigFile: objects.awsConfigFile,
            awsProfiles: identity.chain ? identity.chain.apply((c) => c.profiles.map((p) => p.name)) : pulumi.output([]),
            defaultAwsProfile: identity.chain && !inputs.nativeChain ? identity.chain.apply((c) => c.defaultProfile as string | undefined) : pulumi.output(undefined),
            podSpecFragment: objects.podSpecFragment,
            externalId: inputs.nativeChain ? association.resource.externalId.apply((id) => id as string | undefined) : pulumi.output(undefined),
        });
        this.roleArn = outputs.roleArn;
        this.roleName = outputs.roleName;
        this.associationArn = outputs.associationArn;
        this.associationId = outputs.associationId;
        this.namespace = outputs.namespace;
        this.serviceAccountName = outputs.serviceAccountName;
        this.deploymentName = outputs.deploymentName;
        this.trustPolicy = outputs.trustPolicy;
        this.permissionsPolicy = outputs.permissionsPolicy;
        this.credentialsRevision = outputs.credentialsRevision;
        this.awsConfigFile = outputs.awsConfigFile;
        this.awsProfiles = outputs.awsProfiles;
        this.defaultAwsProfile = outputs.defaultAwsProfile;
        this.podSpecFragment = outputs.podSpecFragment;
        this.externalId = outputs.externalId;
        this.registerOutputs(outputs);
    }
}

type StringMap = Record<string, pulumi.Input<string>>;

/**
 * The inputs once checked (see validation/inputRules.ts): plain values as given, values known later wrapped so they
 * are checked as they resolve. Everything below reads these, never the inputs as given.
 */
interface CheckedInputs {
    clusterName: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    serviceAccountName: pulumi.Input<string>;
    givenClusterArn?: pulumi.Input<string>;
    givenRoleArn?: pulumi.Input<string>;
    managedPolicyArns: pulumi.Input<string>[];
    permissionsBoundary?: pulumi.Input<string>;
    trust: TrustSettings;
    /** The partition the given ARNs share, when any is plain. */
    partition?: PartitionReference;
    trustClusterArns?: pulumi.Input<string>[];
    trustAccounts?: pulumi.Input<string>[];
    irsaArn?: pulumi.Input<string>;
    /** `crossAccount.targets`, with their role ARNs and external ids checked. */
    targets: pulumi.Input<ResolvedTarget>[];
    /** `workload.image`, checked. */
    image?: pulumi.Input<string>;
    sessionTagsDisabled: boolean;
    /** The user's inline policy documents, rendered (and when plain, checked) in the validate step. */
    documents: PreparedDocument[];
    /** The association's session policy, rendered likewise. */
    sessionPolicy?: pulumi.Input<string>;
    /** The well-known policies' documents, rendered likewise when the cluster ARN is given; else once it is looked up. */
    wellKnownDocuments?: pulumi.Input<Record<string, string>>;
    /** `trust.additionalStatements`, rendered likewise. */
    additionalStatements: pulumi.Input<StatementJson>[];
    createsNamespace: boolean;
    /** Pod annotations (the one Kubernetes map whose values may be outputs): values known later are checked as they resolve. */
    podAnnotations: StringMap;
    nativeChain: boolean;
    /** Cluster, namespace and service account, claimed for this program once known. */
    ownership: pulumi.Output<{ cluster: string; ns: string; sa: string }>;
}

/** What every step reads: the component, its args and checked inputs, and the cluster ARN (looked up at most once). */
interface Step {
    parent: PodIdentityWorkload;
    name: string;
    component: string;
    /** The args as the shape check hands them on: every Output leaf wrapped in its type check. */
    args: PodIdentityWorkloadArgs;
    inputs: CheckedInputs;
    /** The owner annotation's value for this component (kubernetes/ownership.ts). */
    owner: string;
    /** What the values known later are checked by, as they resolve. */
    rules: InputRules;
    ownClusterArn: () => pulumi.Input<string>;
}

type Chain = pulumi.Output<{ profiles: ChainedProfile[]; defaultProfile: string }>;

/** The role the pods receive, with what was rendered for it and the resources its permissions are made of. */
interface Identity {
    roleArn: pulumi.Output<string>;
    roleName: pulumi.Output<string>;
    trustPolicy: pulumi.Output<string | undefined>;
    permissionsPolicy: pulumi.Output<string | undefined>;
    /** Every policy and attachment, for the Deployment's `dependsOn`. */
    permissionResources: pulumi.Resource[];
    /** The cross-account targets with their profiles resolved; undefined without `crossAccount`. */
    chain?: Chain;
}

/**
 * Checks every input: plain values now, together, so one preview reports every mistake before anything registers;
 * values known later as they resolve, by the same rules (`rules`, see validation/inputRules.ts). Claims the service
 * account (and namespace) at once when their names are plain.
 */
function validate(name: string, component: string, given: PodIdentityWorkloadArgs): { typed: PodIdentityWorkloadArgs; inputs: CheckedInputs; rules: InputRules } {
    // Types first: the rules below assume well-typed values, so they run only once the shape is right; values known
    // later come back wrapped in the same type check, run as they resolve.
    const { args, addMissing } = checkShapeFirst(component, PODIDENTITYWORKLOAD_TYPE, given);
    const rules = new InputRules(component);
    const problems = rules.problems;
    checkWorkloadArgs(name, args, problems);
    const trust: TrustSettings = args.trust ?? {};
    const createsNs = createsNamespace(args);
    const clusterName = rules.check("clusterName", args.clusterName, (p, _path, v) => checkClusterName(p, v))!;
    // A reserved name is only known to be one here when plain: known later, it needs createNamespace: false.
    const namespaceKnownNow = isPlain(args.namespace);
    const namespace = rules.check("namespace", args.namespace, (p, _path, v) => {
        const before = p.list.length;
        if (namespaceKnownNow) {
            checkNamespace(p, v);
        } else {
            checkNamespaceOnceKnown(p, v, createsNs);
        }
        if (p.list.length === before) {
            checkOwnNamespaceTrusted(p, trust, v);
        }
    })!;
    const serviceAccountName = rules.check("serviceAccountName", args.serviceAccountName ?? name, (p, _path, v) => {
        const before = p.list.length;
        checkServiceAccountName(p, v);
        if (args.serviceAccountName === undefined && p.list.length > before) {
            p.list[p.list.length - 1].reason += " (it defaults to the component name: give serviceAccountName or rename the component)";
        } else if (p.list.length === before) {
            checkOwnServiceAccountTrusted(p, trust, v);
        }
    })!;
    // The partition every ARN must share: the cluster's when its ARN is given, else the first plain ARN's. ARNs known
    // later are held to it as they resolve, and so is the looked-up cluster (see lookupOnce).
    const partition = partitionReference(givenArns(args));
    const nativeChain = args.crossAccount?.mode === "native";
    // The cluster ARN must name the cluster `clusterName` names: checked once both are known.
    const givenClusterArn =
        args.clusterArn === undefined
            ? undefined
            : rules.whenKnown({ arn: args.clusterArn, name: clusterName }, (p, known) => {
                  inPartition(partition, (q, path, v) => checkClusterArn(q, path, v, known.name))(p, "clusterArn", known.arn);
                  return known.arn;
              });
    const checked = {
        clusterName,
        namespace,
        serviceAccountName,
        givenClusterArn,
        givenRoleArn: rules.check("roleArn", args.roleArn, inPartition(partition, checkRoleArn)),
        managedPolicyArns: checkedManagedPolicyArns(rules, args.managedPolicyArns, inPartition(partition, checkPolicyArn)),
        permissionsBoundary: rules.check("role.permissionsBoundary", args.role?.permissionsBoundary, inPartition(partition, checkPolicyArn)),
        trust,
        partition,
        trustClusterArns: rules.checkEach("trust.clusterArns", trust.clusterArns, inPartition(partition, checkClusterArn)),
        trustAccounts: rules.checkEach("trust.sourceAccounts", trust.sourceAccounts, checkAccountId),
        irsaArn: rules.check("trust.irsaOidcProviderArn", trust.irsaOidcProviderArn, inPartition(partition, checkOidcProviderArn)),
        targets: (Array.isArray(args.crossAccount?.targets) ? args.crossAccount.targets : []).map((target, i) => ({
            ...target,
            roleArn: rules.check(`crossAccount.targets[${i}].roleArn`, target.roleArn, inPartition(partition, (p, path, v) => checkTargetRoleArn(p, path, v, target)))!,
            // Native mode refuses an external id (EKS generates it): see checkCrossAccountSettings.
            externalId: nativeChain ? undefined : rules.check(`crossAccount.targets[${i}].externalId`, target.externalId, checkExternalId),
        })) as pulumi.Input<ResolvedTarget>[],
        image: rules.check("workload.image", args.workload?.image, checkContainerImage),
        sessionTagsDisabled: args.association?.disableSessionTags === true,
        createsNamespace: createsNs,
        podAnnotations: checkedAnnotations(rules, args.workload?.podAnnotations),
        nativeChain,
    };
    const documentOptions = { sessionTagsDisabled: checked.sessionTagsDisabled, allowFullAccess: args.allowFullAccess, partition };
    // Documents are rendered once, here: plain ones are checked now, before the component registers anything.
    const documents = args.roleArn === undefined ? preparePermissionDocuments(rules, args, documentOptions) : [];
    const sessionPolicy = args.association?.sessionPolicy === undefined ? undefined : prepareSessionPolicy(rules, args.association.sessionPolicy, partition);
    const additionalStatements = prepareTrustStatements(rules, trust, partition);
    const wellKnownDocuments =
        problems.list.length === 0 && args.roleArn === undefined && typeof args.clusterArn === "string" && wellKnownPolicyNames(args.wellKnownPolicies).length > 0
            ? prepareWellKnownDocuments(rules, "wellKnownPolicies", args.wellKnownPolicies!, args.clusterArn)
            : undefined;
    // Plain target ARNs are checked against a plain source account now, with the other input problems.
    const knownClusterAccount = typeof args.clusterArn === "string" ? parseClusterArn(args.clusterArn)?.accountId : undefined;
    const knownSourceAccount = typeof args.roleArn === "string" ? parseRoleArn(args.roleArn)?.accountId : knownClusterAccount;
    // (Only targets whose ARN passed its rule, as when the ARNs are known later.)
    const passed = (i: number) => !problems.list.some((p) => p.propertyPath === `crossAccount.targets[${i}].roleArn`);
    const plainTargets = checked.targets.filter((t, i): t is ResolvedTarget => isPlain(t) && typeof t.roleArn === "string" && passed(i));
    if (plainTargets.length > 0 && plainTargets.length === checked.targets.length) {
        checkTargetAccounts(problems, plainTargets, knownSourceAccount);
    }
    addMissing(problems);
    rules.throwIfAny();
    // The service account's one association (and the namespace, when created here) claimed for this program: at once
    // for plain names, so a duplicate fails before anything is registered; as they resolve otherwise.
    const ownership = pulumi.output(
        rules.beforeRegistering({ cluster: clusterName, ns: namespace, sa: serviceAccountName }, (p, owner) => {
            claimServiceAccount(p, component, owner.cluster, owner.ns, owner.sa, checked.createsNamespace);
            return owner;
        }),
    ) as pulumi.Output<{ cluster: string; ns: string; sa: string }>;
    return { typed: args, rules, inputs: { ...checked, documents, sessionPolicy, additionalStatements, wellKnownDocuments, ownership } };
}

/** The stack's organization; DIY backends and engines that send none (older CLIs, mocks without one) use "organization". */
function organization(): string {
    try {
        return pulumi.getOrganization();
    } catch {
        return "organization";
    }
}

/** The Kubernetes objects the component will create, for the ownership check: the namespace first. */
function plannedObjects(name: string, args: PodIdentityWorkloadArgs, inputs: CheckedInputs): PlannedInput[] {
    const adopt = args.adopt ?? {};
    const namespace = inputs.namespace;
    const renameComponent = (object: string) => `rename the component (the ${object} is named after it)`;
    const objects: (PlannedInput | false | undefined)[] = [
        inputs.createsNamespace && { kind: "Namespace", apiVersion: "v1", name: namespace, path: "namespace", adoptSetting: "adopt.namespace", adopt: adopt.namespace === true },
        args.createServiceAccount !== false && {
            kind: "ServiceAccount",
            apiVersion: "v1",
            name: inputs.serviceAccountName,
            namespace,
            path: "serviceAccountName",
            adoptSetting: "adopt.serviceAccount",
            adopt: adopt.serviceAccount === true,
        },
        args.crossAccount !== undefined && !inputs.nativeChain && { kind: "ConfigMap", apiVersion: "v1", name: `${name}-aws-config`, namespace, path: "crossAccount", rename: renameComponent("ConfigMap"), adopt: false },
        args.workload?.waitForCredentials !== undefined && {
            kind: "ConfigMap",
            apiVersion: "v1",
            name: `${name}-credentials-wait`,
            namespace,
            path: "workload.waitForCredentials",
            rename: renameComponent("ConfigMap"),
            adopt: false,
        },
        args.workload !== undefined && { kind: "Deployment", apiVersion: "apps/v1", name: args.workload.name ?? name, namespace, path: "workload.name", adopt: false },
    ];
    return objects.filter((object): object is PlannedInput => Boolean(object));
}

/**
 * Pod annotations, the one Kubernetes map whose values may be outputs. A map whose values are all plain was checked
 * with the other inputs (checkWorkloadSettings); otherwise it is checked whole once every value is known, and each
 * value is taken from that check, so no Kubernetes object carrying one registers unchecked. (Labels, node selectors
 * and namespace labels are plain by their types: the shape check refuses outputs there.)
 */
function checkedAnnotations(rules: InputRules, map: StringMap | undefined): StringMap {
    const entries = Object.entries(map ?? {});
    if (entries.every(([, item]) => isPlain(item))) {
        return map ?? {};
    }
    const checkedMap = pulumi.output(
        rules.whenKnown(map ?? {}, (p, resolved) => {
            checkAnnotations(p, "workload.podAnnotations", resolved, { [CREDENTIALS_REVISION_ANNOTATION]: "0123456789abcdef" });
            return resolved;
        }),
    );
    // Plain values stay as given (known at preview); the later ones come through the check.
    return Object.fromEntries(entries.map(([key, item]) => [key, isPlain(item) ? item : checkedMap.apply((m) => m[key])]));
}

/**
 * Every ARN the user gives, plain ones only, the cluster's first: they must all be in the cluster's partition (the
 * first one's, while the cluster's is not known yet).
 */
function givenArns(args: PodIdentityWorkloadArgs): { path: string; arn: unknown }[] {
    const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
    return [
        { path: "clusterArn", arn: args.clusterArn },
        { path: "roleArn", arn: args.roleArn },
        ...list(args.trust?.clusterArns).map((arn, i) => ({ path: `trust.clusterArns[${i}]`, arn })),
        ...list(args.managedPolicyArns).map((arn, i) => ({ path: `managedPolicyArns[${i}]`, arn })),
        { path: "role.permissionsBoundary", arn: args.role?.permissionsBoundary },
        { path: "trust.irsaOidcProviderArn", arn: args.trust?.irsaOidcProviderArn },
        ...list(args.crossAccount?.targets).map((target, i) => ({ path: `crossAccount.targets[${i}].roleArn`, arn: target?.roleArn })),
    ].filter((entry) => typeof entry.arn === "string");
}

/** `trust.additionalStatements`, checked at the paths the user wrote: now when plain, else as they resolve. */
function prepareTrustStatements(rules: InputRules, trust: TrustSettings, partition?: PartitionReference): pulumi.Input<StatementJson>[] {
    const statements = Array.isArray(trust.additionalStatements) ? trust.additionalStatements : [];
    return statements.map((statement, i) => rules.whenKnown(statement, (p, resolved) => checkTrustStatement(p, `trust.additionalStatements[${i}]`, resolved as ResolvedTrustStatement, partition)));
}

/** The workload's cluster ARN: the given one, else read from the cluster once, on first need. */
function lookupOnce(parent: PodIdentityWorkload, rules: InputRules, inputs: CheckedInputs): () => pulumi.Input<string> {
    let lookedUp: pulumi.Input<string> | undefined;
    const inClusterPartition = (check: Problems, arn: string) => {
        // The given ARNs were held to the first one's partition; the cluster's real one decides.
        if (inputs.partition && partitionOf(arn) !== undefined && partitionOf(arn) !== inputs.partition.partition) {
            check.add(inputs.partition.path, `is in partition "${inputs.partition.partition}" but the cluster is in "${partitionOf(arn)}" (${arn}): ARNs of one partition cannot be used from another`);
        }
        return arn;
    };
    return () => inputs.givenClusterArn ?? (lookedUp ??= rules.whenKnown(aws.eks.getClusterOutput({ name: inputs.clusterName }, { parent }).arn, inClusterPartition));
}

/**
 * Cross-account targets, checked once their ARNs, external ids and the source account are known, with profile names
 * and regions resolved (a profile without its own region gets the cluster's, read only when one is missing).
 */
function resolveTargets(step: Step, sourceAccount: pulumi.Input<string | undefined>): Chain | undefined {
    const settings = step.args.crossAccount;
    if (!settings) {
        return undefined;
    }
    const needsRegion = !step.inputs.nativeChain && (settings.targets ?? []).some((target) => target.region === undefined);
    const clusterRegion = needsRegion ? pulumi.output(step.ownClusterArn()).apply((arn) => parseClusterArn(arn)?.region) : undefined;
    // The targets' ARNs and external ids passed their rules (see validate); what is left needs them all known.
    return pulumi.output(
        step.rules.whenKnown({ targets: step.inputs.targets, account: sourceAccount, region: clusterRegion }, (check, known) => {
            const targets = known.targets as ResolvedTarget[];
            checkTargetAccounts(check, targets, known.account);
            if (check.list.length > 0) {
                return { profiles: [], defaultProfile: "" };
            }
            const resolved = resolveProfiles(targets, known.region);
            for (const duplicate of duplicateProfileNames(resolved.profiles)) {
                check.add("crossAccount.targets", `two targets get the profile name "${duplicate}" (a role's name is the default): give them distinct profileName values`);
            }
            return resolved;
        }),
    );
}

/** An existing role (`roleArn`): nothing IAM is created, the chain's source account is the role's. */
function existingRole(step: Step, givenRoleArn: pulumi.Input<string>): Identity {
    // Name and account are taken from the ARN through its rule: a value that did not pass fails here, by name.
    const parsed = pulumi.output(step.rules.whenKnown(givenRoleArn, (p, arn) => checkRoleArn(p, "roleArn", arn) ?? { name: "", accountId: "" }));
    return {
        roleArn: pulumi.output(givenRoleArn),
        roleName: parsed.apply((arn) => arn.name),
        trustPolicy: pulumi.output(undefined),
        permissionsPolicy: pulumi.output(undefined),
        permissionResources: [],
        chain: resolveTargets(step, parsed.apply((arn) => arn.accountId)),
    };
}

/** The role `<name>-role` with its trust policy, then its permissions: statements, inline, managed and well-known policies. */
function createdRole(step: Step): Identity {
    const { parent, name, args, inputs, rules } = step;
    const trustPolicy = roleTrustPolicy(step);
    const role = createRole(parent, name, args.role, {
        trustPolicy,
        defaultDescription: pulumi.interpolate`EKS Pod Identity role for ${inputs.namespace}/${inputs.serviceAccountName} on cluster ${inputs.clusterName}`,
        permissionsBoundary: inputs.permissionsBoundary,
        tags: args.tags,
    });
    // The role is created in the cluster's account: knowing that at preview lets the plan show the config file.
    const chain = args.crossAccount ? resolveTargets(step, pulumi.output(step.ownClusterArn()).apply((arn) => parseClusterArn(arn)?.accountId)) : undefined;
    const permissions = createRolePermissions(parent, name, rules, role, {
        managedPolicyArns: inputs.managedPolicyArns,
        documents: inputs.documents,
        derivedPolicies: chain ? [{ name: "cross-account", input: "crossAccount", document: chainPolicyDocument(step, chain, role.arn) }] : [],
    });
    return {
        roleArn: role.arn,
        roleName: role.name,
        trustPolicy,
        permissionsPolicy: permissions.permissionsPolicy,
        permissionResources: [...permissions.resources, ...wellKnownPolicies(step, role)],
        chain,
    };
}

/** The trust policy, rendered once the cluster ARN (read from the cluster when none is given) and names are known. */
function roleTrustPolicy(step: Step): pulumi.Output<string> {
    const { inputs } = step;
    const trust = inputs.trust;
    const needsOwnArn = !trust.clusterArns && (!trust.anyCluster || (!trust.anySourceAccount && !trust.sourceAccounts));
    const clusterArn: pulumi.Input<string> = inputs.givenClusterArn ?? (needsOwnArn ? step.ownClusterArn() : "");
    const parts = {
        thisClusterArn: clusterArn,
        clusterArns: inputs.trustClusterArns ?? [],
        sourceAccounts: inputs.trustAccounts ?? [],
        owner: inputs.ownership,
        irsa: inputs.irsaArn,
        additional: inputs.additionalStatements,
    };
    return pulumi.output(
        step.rules.whenKnown(parts, (_check, known) =>
            renderTrustPolicy(
                step.component,
                workloadTrustPolicy({
                    clusterArn: known.thisClusterArn,
                    clusterArns: known.clusterArns,
                    sourceAccounts: known.sourceAccounts,
                    anyCluster: trust.anyCluster,
                    anySourceAccount: trust.anySourceAccount,
                    anyNamespace: trust.anyNamespace,
                    anyServiceAccount: trust.anyServiceAccount,
                    namespaces: trust.namespaces,
                    serviceAccounts: trust.serviceAccounts,
                    sessionTagsDisabled: inputs.sessionTagsDisabled,
                    namespace: known.owner.ns,
                    serviceAccount: known.owner.sa,
                    irsaOidcProviderArn: known.irsa,
                    additionalStatements: known.additional as StatementJson[],
                }),
            ),
        ),
    );
}

/** The `cross-account` inline policy, checked again against the account the role really landed in (the AWS provider's). */
function chainPolicyDocument(step: Step, chain: Chain, createdRoleArn: pulumi.Output<string>): pulumi.Output<string> {
    const createdIn = createdRoleArn.apply((arn) => parseRoleArn(arn)?.accountId);
    return pulumi.output(
        step.rules.whenKnown({ chain, account: createdIn, targets: step.inputs.targets }, (check, known) => {
            checkTargetAccounts(check, known.targets as ResolvedTarget[], known.account);
            return JSON.stringify(chainPolicy(known.chain.profiles.map((p) => p.roleArn)), null, 2);
        }),
    );
}

/**
 * Well-known add-on policies: customer-managed policies, each with its own 6,144-character budget, rather than inline
 * ones (together they would far exceed the role's 10,240 shared with the user's statements). Returns the policies and
 * their attachments.
 */
function wellKnownPolicies(step: Step, role: aws.iam.Role): pulumi.Resource[] {
    const { parent, name, args, inputs, rules } = step;
    if (wellKnownPolicyNames(args.wellKnownPolicies).length === 0) {
        return [];
    }
    const { managed } = createWellKnownManagedPolicies(parent, name, {
        policies: args.wellKnownPolicies!,
        // Rendered in the validate step when the cluster ARN was given plain; else once it is known.
        documents: inputs.wellKnownDocuments ?? prepareWellKnownDocuments(rules, "wellKnownPolicies", args.wellKnownPolicies!, step.ownClusterArn()),
        path: args.role?.path,
        tags: args.tags,
        description: (policyName, key) =>
            pulumi.interpolate`${policyName} for ${inputs.namespace}/${inputs.serviceAccountName} on cluster ${inputs.clusterName} (pulumi-eks-pod-identity wellKnownPolicies.${key})`,
    });
    return managed.flatMap(({ name: policyName, policy }) => [
        policy,
        new aws.iam.RolePolicyAttachment(`${name}-${policyName}-attachment`, { role: role.name, policyArn: policy.arn }, { parent }),
    ]);
}

/** The EKS Pod Identity association `<name>-association`, with its session policy as prepared in the validate step. */
function podIdentityAssociation(step: Step, identity: Identity): { resource: aws.eks.PodIdentityAssociation; sessionPolicy?: pulumi.Output<string> } {
    const { parent, name, args, inputs } = step;
    const association = args.association ?? {};
    const sessionPolicy = inputs.sessionPolicy === undefined ? undefined : pulumi.output(inputs.sessionPolicy);
    const resource = new aws.eks.PodIdentityAssociation(
        `${name}-association`,
        {
            clusterName: inputs.ownership.cluster,
            namespace: inputs.ownership.ns,
            serviceAccount: inputs.ownership.sa,
            roleArn: identity.roleArn,
            disableSessionTags: association.disableSessionTags,
            policy: sessionPolicy,
            targetRoleArn: inputs.nativeChain ? identity.chain!.apply((c) => c.profiles[0].roleArn) : undefined,
            tags: { ...args.tags, ...association.tags },
        },
        { parent },
    );
    return { resource, sessionPolicy };
}

/** The agent the Deployment waits for: installed here as `<name>-agent` (`agent.install`), or the given `agent.waitFor`. */
function podIdentityAgent(step: Step): PodIdentityAgent | undefined {
    const { parent, name, args, inputs } = step;
    if (!args.agent?.install) {
        return args.agent?.waitFor;
    }
    const { install: _install, waitFor: _waitFor, ...settings } = args.agent;
    return new PodIdentityAgent(`${name}-agent`, { ...settings, clusterName: inputs.clusterName, tags: { ...args.tags, ...settings.tags } }, { parent });
}

/**
 * The Kubernetes side: namespace and service account (unless told otherwise), the cross-account config file
 * (`configFile` mode), and the Deployment, created after the association, permissions and agent.
 */
function kubernetesObjects(
    step: Step,
    identity: Identity,
    association: { resource: aws.eks.PodIdentityAssociation; sessionPolicy?: pulumi.Output<string> },
    agent: PodIdentityAgent | undefined,
) {
    const { parent, name, args, inputs, owner } = step;
    const adopt = args.adopt ?? {};
    // Adopted on purpose: managed here, never deleted here (it may hold what others created).
    const namespaceResource =
        inputs.createsNamespace
            ? new k8s.core.v1.Namespace(
                  `${name}-namespace`,
                  namespaceManifest({ name: inputs.namespace, labels: args.namespaceLabels ?? {}, podSecurityLevel: "restricted", annotations: ownershipAnnotations(owner, adopt.namespace === true) }),
                  { parent, retainOnDelete: adopt.namespace === true },
              )
            : undefined;
    const namespace = namespaceResource ? namespaceResource.metadata.name : pulumi.output(inputs.namespace);
    const serviceAccount =
        args.createServiceAccount === false
            ? undefined
            : new k8s.core.v1.ServiceAccount(
                  `${name}-service-account`,
                  serviceAccountManifest({ name: inputs.serviceAccountName, namespace, labels: {}, annotations: ownershipAnnotations(owner, adopt.serviceAccount === true) }),
                  { parent, retainOnDelete: adopt.serviceAccount === true },
              );
    const serviceAccountName = serviceAccount ? serviceAccount.metadata.name : pulumi.output(inputs.serviceAccountName);

    const profile = crossAccountProfile(step, identity, namespace);
    // The config file is read once by the SDK at start, and a new target role needs fresh agent credentials.
    const credentialsRevision = pulumi
        .all([
            identity.roleArn,
            association.resource.associationId,
            args.association?.disableSessionTags ?? false,
            association.sessionPolicy,
            association.resource.targetRoleArn,
            profile.awsConfigFile,
        ])
        .apply((parts) => contentHash(JSON.stringify(parts.map((part) => part ?? null))));

    let deploymentName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (args.workload) {
        const w = args.workload;
        const wait = waitForCredentials(step, namespace);
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            deploymentManifest({
                name: w.name ?? name,
                instance: name,
                namespace,
                serviceAccountName,
                containerName: w.containerName ?? "app",
                image: inputs.image!,
                replicas: w.replicas ?? 1,
                command: w.command,
                args: w.args,
                env: w.env ?? {},
                ports: w.ports ?? [],
                resources: w.resources,
                livenessProbe: w.livenessProbe,
                readinessProbe: w.readinessProbe,
                startupProbe: w.startupProbe,
                nodeSelector: w.nodeSelector ?? {},
                tolerations: w.tolerations ?? [],
                labels: w.labels ?? {},
                podAnnotations: inputs.podAnnotations,
                credentialsRevision,
                annotations: ownershipAnnotations(owner, false),
                runAsUser: w.runAsUser,
                runAsGroup: w.runAsGroup,
                readOnlyRootFilesystem: w.readOnlyRootFilesystem ?? true,
                initContainers: wait,
                extra: profile.podSpecFragment,
            }),
            {
                parent,
                // The webhook injects credentials only into pods created after the association exists, and
                // the first AWS call should find the permissions in place.
                // The wait's ConfigMap is mounted by name: the pods would stay ContainerCreating until it exists.
                dependsOn: [association.resource, ...identity.permissionResources, ...(agent ? [agent.installation] : []), ...(wait ? [wait.configMap] : [])],
            },
        );
        deploymentName = deployment.metadata.name;
    }
    return { namespace, serviceAccountName, deploymentName, credentialsRevision, ...profile };
}

/**
 * `workload.waitForCredentials`: the ConfigMap `<name>-credentials-wait` with the wait script and the credential helper,
 * and the init container that runs them.
 */
function waitForCredentials(step: Step, namespace: pulumi.Output<string>): { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[]; configMap: k8s.core.v1.ConfigMap } | undefined {
    const { parent, name, args, owner } = step;
    const settings = args.workload?.waitForCredentials;
    if (!settings) {
        return undefined;
    }
    const configMapName = `${name}-credentials-wait`;
    const configMap = new k8s.core.v1.ConfigMap(configMapName, { metadata: { name: configMapName, namespace, labels: { ...MANAGED_BY_LABEL }, annotations: ownershipAnnotations(owner, false) }, data: waitConfigMapData() }, { parent });
    const parts = waitForCredentialsPodParts(settings, configMapName);
    return { containers: [parts.initContainer], volumes: parts.volumes, configMap };
}

/**
 * Preflight warnings at preview (see agent/preflight.ts): the workload's pods on nodes without an agent (Fargate
 * profile selectors matching its namespace, Windows node selectors).
 */
function preflight(step: Step): void {
    const { parent, args, name } = step;
    const workload = args.workload;
    warnAll(parent, nodeSelectorWarnings("workload.nodeSelector", workload?.nodeSelector));
    if (args.fargateProfileSelectors === undefined) {
        return;
    }
    const podLabels = workload ? { ...(workload.labels ?? {}), ...selectorLabels(workload.name ?? name, name) } : undefined;
    void pulumi.all([step.inputs.namespace, args.fargateProfileSelectors]).apply(([ns, selectors]) => {
        warnAll(parent, fargateWarnings(ns, podLabels, (selectors ?? []) as FargateProfileSelector[]));
    });
}

/** Cross-account `configFile` mode: the config file and helper in the ConfigMap `<name>-aws-config`, and how pods mount it. */
function crossAccountProfile(step: Step, identity: Identity, namespace: pulumi.Output<string>) {
    const { parent, name, args, inputs, owner } = step;
    const settings = args.crossAccount;
    if (!identity.chain || !settings || inputs.nativeChain) {
        return { awsConfigFile: pulumi.output<string | undefined>(undefined), podSpecFragment: pulumi.output<PodSpecFragment | undefined>(undefined) };
    }
    const chain = identity.chain;
    const awsConfigFile = chain.apply((c) => renderAwsConfigFile(configFileSpec(settings, c.profiles)));
    const configMap = new k8s.core.v1.ConfigMap(
        `${name}-aws-config`,
        {
            metadata: { name: `${name}-aws-config`, namespace, labels: { ...MANAGED_BY_LABEL }, annotations: ownershipAnnotations(owner, false) },
            data: awsConfigFile.apply((text) => configMapData(settings, text)),
        },
        { parent },
    );
    const fragment = pulumi.all([configMap.metadata.name, chain]).apply(([configMapName, c]) => podSpecFragment(settings, configMapName, c.defaultProfile));
    return { awsConfigFile: awsConfigFile as pulumi.Output<string | undefined>, podSpecFragment: fragment as pulumi.Output<PodSpecFragment | undefined> };
}

/** Claims the service account's one association (and the namespace, when created here) for this program. */
function claimServiceAccount(problems: Problems, component: string, cluster: string, ns: string, sa: string, createsNamespace: boolean): void {
    const owner = claim("association", `${cluster}/${ns}/${sa}`, component);
    if (owner) {
        problems.add("serviceAccountName", `service account "${ns}/${sa}" of cluster "${cluster}" is already associated by ${owner}: EKS allows one association per service account; share that workload's role through roleArn, or choose another serviceAccountName`);
    }
    const namespaceOwner = createsNamespace ? claim("namespace", `${cluster}/${ns}`, component) : undefined;
    if (namespaceOwner) {
        problems.add("createNamespace", `namespace "${ns}" of cluster "${cluster}" is already created by ${namespaceOwner}: set createNamespace to false here`);
    }
}
