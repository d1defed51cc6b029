import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseClusterArn, parseOidcProviderArn, parseRoleArn } from "./arn";
import { claim } from "./claims";
import { IAM_LIMITS, checkPolicyDocument, policySize } from "./iamValidation";
import { MANAGED_BY_LABEL, deploymentManifest, namespaceManifest, serviceAccountManifest } from "./kubernetesWorkload";
import { PodIdentityAgent } from "./podIdentityAgent";
import { PodIdentityWorkloadArgs, TrustSettings } from "./podIdentityWorkloadArgs";
import { StatementJson, renderConditions } from "./policyDocument";
import { buildTrustPolicy } from "./trustPolicy";
import {
    PodSpecFragment,
    ResolvedTarget,
    chainPolicy,
    checkTargetAccounts,
    configFileSpec,
    configMapData,
    contentHash,
    duplicateProfileNames,
    podSpecFragment,
    resolveProfiles,
} from "./crossAccount";
import { renderAwsConfigFile } from "./awsConfigFile";
import { createRole, createRolePermissions, renderTrustPolicy } from "./rolePermissions";
import { Problems, isPlain } from "./validation";
import { wellKnownPolicyNames } from "./wellKnownPolicies";
import { createWellKnownManagedPolicies } from "./wellKnownPolicySet";
import {
    checkAccountId,
    checkClusterArn,
    checkClusterName,
    checkNamespace,
    checkOidcProviderArn,
    checkPolicyArn,
    checkRoleArn,
    checkServiceAccountName,
    checkWorkloadArgs,
} from "./workloadValidation";

export const PODIDENTITYWORKLOAD_TYPE = "eks-pod-identity:index:PodIdentityWorkload";

type Check = (problems: Problems, value: string) => void;

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

        // Plain values are checked now, together, so one preview reports every mistake before anything registers.
        const problems = new Problems();
        checkWorkloadArgs(name, args, problems);
        const known = <T extends string>(value: pulumi.Input<T> | undefined, check: Check): pulumi.Input<T> | undefined => {
            if (value === undefined) {
                return undefined;
            }
            if (isPlain(value)) {
                check(problems, value as string);
                return value;
            }
            return pulumi.output(value).apply((resolved) => {
                const later = new Problems();
                check(later, resolved as string);
                later.throwIfAny(component);
                return resolved;
            }) as pulumi.Output<T>;
        };
        const clusterName = known(args.clusterName, checkClusterName)!;
        const namespace = known(args.namespace, checkNamespace)!;
        const serviceAccountName = known(args.serviceAccountName ?? name, (p, v) => {
            checkServiceAccountName(p, v);
            if (args.serviceAccountName === undefined && p.list.length > 0 && p.list[p.list.length - 1].propertyPath === "serviceAccountName") {
                p.list[p.list.length - 1].reason += " (it defaults to the component name: give serviceAccountName or rename the component)";
            }
        })!;
        const givenClusterArn = known(args.clusterArn, (p, v) => checkClusterArn(p, "clusterArn", v, typeof args.clusterName === "string" ? args.clusterName : undefined));
        const givenRoleArn = known(args.roleArn, (p, v) => checkRoleArn(p, "roleArn", v));
        const managedPolicyArns = (args.managedPolicyArns ?? []).map((arn, i) => known(arn, (p, v) => checkPolicyArn(p, `managedPolicyArns[${i}]`, v))!);
        const permissionsBoundary = known(args.role?.permissionsBoundary, (p, v) => checkPolicyArn(p, "role.permissionsBoundary", v));
        const trust: TrustSettings = args.trust ?? {};
        const trustClusterArns = trust.clusterArns?.map((arn, i) => known(arn, (p, v) => checkClusterArn(p, `trust.clusterArns[${i}]`, v))!);
        const trustAccounts = trust.sourceAccounts?.map((id, i) => known(id, (p, v) => checkAccountId(p, `trust.sourceAccounts[${i}]`, v))!);
        const irsaArn = known(trust.irsaOidcProviderArn, (p, v) => checkOidcProviderArn(p, "trust.irsaOidcProviderArn", v));
        // Plain target ARNs are checked against a plain source account now, with the other input problems.
        const knownClusterAccount = typeof args.clusterArn === "string" ? parseClusterArn(args.clusterArn)?.accountId : undefined;
        const knownSourceAccount = typeof args.roleArn === "string" ? parseRoleArn(args.roleArn)?.accountId : knownClusterAccount;
        const rawTargets = args.crossAccount?.targets ?? [];
        if (rawTargets.length > 0 && rawTargets.every((t) => typeof t.roleArn === "string" && parseRoleArn(t.roleArn))) {
            checkTargetAccounts(problems, rawTargets as ResolvedTarget[], knownSourceAccount);
        }
        problems.throwIfAny(component);
        const sessionTagsDisabled = args.association?.disableSessionTags === true;
        const createsNamespace = args.createNamespace !== false;
        if (isPlain(args.clusterName) && isPlain(args.namespace) && isPlain(serviceAccountName)) {
            // Plain names: claim now, so a duplicate fails before anything is registered.
            claimServiceAccount(component, args.clusterName as string, args.namespace as string, serviceAccountName as string, createsNamespace);
        }
        // Registered only once the inputs are valid: a rejected component leaves nothing half-registered.
        super(PODIDENTITYWORKLOAD_TYPE, name, {}, opts);
        const ownership = pulumi.all([clusterName, namespace, serviceAccountName]).apply(([cluster, ns, sa]) => {
            claimServiceAccount(component, cluster, ns, sa, createsNamespace);
            return { cluster, ns, sa };
        });

        const crossAccountSettings = args.crossAccount;
        const nativeChain = crossAccountSettings?.mode === "native";

        // ---- IAM role, trust and permissions ----
        let roleArn: pulumi.Output<string>;
        let roleName: pulumi.Output<string>;
        let trustPolicy: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let permissionsPolicy: pulumi.Output<string | undefined> = pulumi.output(undefined);
        const permissionResources: pulumi.Resource[] = [];
        // One lookup at most, shared by the trust policy and the cross-account checks.
        let lookedUpClusterArn: pulumi.Output<string> | undefined;
        const ownClusterArn = (): pulumi.Input<string> =>
            givenClusterArn ?? (lookedUpClusterArn ??= aws.eks.getClusterOutput({ name: clusterName }, { parent: this }).arn);
        // Cross-account targets, checked once their ARNs and the source account are known, with profile names resolved.
        const resolveTargets = (sourceAccount: pulumi.Input<string | undefined>) =>
            crossAccountSettings
                ? pulumi.all([rawTargets as pulumi.Input<ResolvedTarget>[], sourceAccount]).apply(([targets, account]) => {
                      const check = new Problems();
                      checkTargetAccounts(check, targets as ResolvedTarget[], account);
                      const resolved = resolveProfiles(targets as ResolvedTarget[]);
                      for (const duplicate of duplicateProfileNames(resolved.profiles)) {
                          check.add("crossAccount.targets", `two targets get the profile name "${duplicate}" (a role's name is the default): give them distinct profileName values`);
                      }
                      check.throwIfAny(component);
                      return resolved;
                  })
                : undefined;
        let chain: ReturnType<typeof resolveTargets>;
        if (givenRoleArn !== undefined) {
            roleArn = pulumi.output(givenRoleArn);
            roleName = roleArn.apply((arn) => parseRoleArn(arn)!.name);
            chain = resolveTargets(roleArn.apply((arn) => parseRoleArn(arn)?.accountId));
        } else {
            // The trust conditions need the cluster's ARN; without one given, it is read from the cluster.
            const needsOwnArn = !trust.clusterArns && (!trust.anyCluster || (!trust.anySourceAccount && !trust.sourceAccounts));
            const clusterArn: pulumi.Input<string> = givenClusterArn ?? (needsOwnArn ? ownClusterArn() : "");
            trustPolicy = pulumi
                .all([clusterArn, trustClusterArns ?? [], trustAccounts ?? [], ownership, irsaArn, trust.additionalStatements ?? []])
                .apply(([thisClusterArn, clusterArns, accounts, owner, irsa, additional]) => {
                    const arns = trust.anyCluster ? [] : clusterArns.length > 0 ? clusterArns : [thisClusterArn];
                    const sourceAccounts = trust.anySourceAccount
                        ? []
                        : accounts.length > 0
                          ? accounts
                          : unique((clusterArns.length > 0 ? clusterArns : [thisClusterArn]).map((arn) => parseClusterArn(arn)!.accountId));
                    const document = buildTrustPolicy({
                        clusterArns: arns,
                        sourceAccounts,
                        namespaces: sessionTagsDisabled || trust.anyNamespace ? [] : trust.namespaces ?? [owner.ns],
                        serviceAccounts: sessionTagsDisabled || trust.anyServiceAccount ? [] : trust.serviceAccounts ?? [owner.sa],
                        irsa: irsa ? { oidcProviderArn: irsa, issuer: parseOidcProviderArn(irsa)!.issuer, namespace: owner.ns, serviceAccount: owner.sa } : undefined,
                        additionalStatements: additional.map(
                            (s): StatementJson => ({
                                ...(s.sid !== undefined ? { Sid: s.sid } : {}),
                                Effect: s.effect ?? "Allow",
                                Principal: Object.fromEntries(s.principals.map((p) => [p.type, p.identifiers])),
                                ...(s.actions ? { Action: s.actions } : {}),
                                ...(s.notActions ? { NotAction: s.notActions } : {}),
                                ...(s.conditions ? { Condition: renderConditions(s.conditions) } : {}),
                            }),
                        ),
                    });
                    return renderTrustPolicy(component, document);
                });
            const role = createRole(this, name, args.role, {
                trustPolicy: trustPolicy.apply((t) => t!),
                defaultDescription: pulumi.interpolate`EKS Pod Identity role for ${namespace}/${serviceAccountName} on cluster ${clusterName}`,
                permissionsBoundary,
                tags: args.tags,
            });
            roleArn = role.arn;
            roleName = role.name;
            // The role is created in the cluster's account: knowing that at preview lets the plan show the config file.
            chain = crossAccountSettings ? resolveTargets(pulumi.output(ownClusterArn()).apply((arn) => parseClusterArn(arn)?.accountId)) : undefined;
            const createdIn = roleArn.apply((arn) => parseRoleArn(arn)?.accountId);

            const permissions = createRolePermissions(this, name, component, role, {
                managedPolicyArns,
                policyStatements: args.policyStatements,
                inlinePolicies: args.inlinePolicies,
                derivedPolicies: chain
                    ? [
                          {
                              name: "cross-account",
                              // Checked again against the account the role really landed in (the AWS provider's).
                              document: pulumi.all([chain, createdIn, rawTargets as pulumi.Input<ResolvedTarget>[]]).apply(([c, account, targets]) => {
                                  const check = new Problems();
                                  checkTargetAccounts(check, targets as ResolvedTarget[], account);
                                  check.throwIfAny(component);
                                  return JSON.stringify(chainPolicy(c.profiles.map((p) => p.roleArn)), null, 2);
                              }),
                          },
                      ]
                    : [],
                sessionTagsDisabled,
                allowFullAccess: args.allowFullAccess,
            });
            permissionResources.push(...permissions.resources);
            permissionsPolicy = permissions.permissionsPolicy;

            // Well-known add-on policies: customer-managed policies, each with its own 6,144-character budget, rather
            // than inline ones (together they would far exceed the role's 10,240 shared with the user's statements).
            if (wellKnownPolicyNames(args.wellKnownPolicies).length > 0) {
                const { managed } = createWellKnownManagedPolicies(this, name, component, "wellKnownPolicies", {
                    policies: args.wellKnownPolicies!,
                    clusterArn: ownClusterArn(),
                    path: args.role?.path,
                    tags: args.tags,
                    description: (policyName, key) =>
                        pulumi.interpolate`${policyName} for ${namespace}/${serviceAccountName} on cluster ${clusterName} (pulumi-eks-pod-identity wellKnownPolicies.${key})`,
                });
                for (const { name: policyName, policy } of managed) {
                    permissionResources.push(
                        policy,
                        new aws.iam.RolePolicyAttachment(`${name}-${policyName}-attachment`, { role: role.name, policyArn: policy.arn }, { parent: this }),
                    );
                }
            }
        }

        // ---- EKS Pod Identity association ----
        const association = args.association ?? {};
        const sessionPolicy =
            association.sessionPolicy === undefined
                ? undefined
                : pulumi.output(association.sessionPolicy).apply((policy) => {
                      const check = new Problems();
                      const parsed = checkPolicyDocument(check, "association.sessionPolicy", policy, { kind: "identity", allowFullAccess: true });
                      if (parsed && policySize(parsed) > IAM_LIMITS.sessionPolicy) {
                          check.add("association.sessionPolicy", `is ${policySize(parsed)} characters; STS accepts at most ${IAM_LIMITS.sessionPolicy}: shorten it`);
                      }
                      check.throwIfAny(component);
                      return JSON.stringify(parsed);
                  });
        const podIdentityAssociation = new aws.eks.PodIdentityAssociation(
            `${name}-association`,
            {
                clusterName: ownership.cluster,
                namespace: ownership.ns,
                serviceAccount: ownership.sa,
                roleArn,
                disableSessionTags: association.disableSessionTags,
                policy: sessionPolicy,
                targetRoleArn: nativeChain ? chain!.apply((c) => c.profiles[0].roleArn) : undefined,
                tags: { ...args.tags, ...association.tags },
            },
            { parent: this },
        );

        // ---- Agent ----
        let agent: PodIdentityAgent | undefined = args.agent?.waitFor;
        if (args.agent?.install) {
            const { install: _install, waitFor: _waitFor, ...settings } = args.agent;
            agent = new PodIdentityAgent(`${name}-agent`, { ...settings, clusterName, tags: { ...args.tags, ...settings.tags } }, { parent: this });
        }

        // ---- Kubernetes objects ----
        const namespaceResource =
            args.createNamespace === false
                ? undefined
                : new k8s.core.v1.Namespace(
                      `${name}-namespace`,
                      namespaceManifest({ name: namespace, labels: args.namespaceLabels ?? {}, podSecurityLevel: "restricted" }),
                      { parent: this },
                  );
        const namespaceName = namespaceResource ? namespaceResource.metadata.name : pulumi.output(namespace);
        const serviceAccount =
            args.createServiceAccount === false
                ? undefined
                : new k8s.core.v1.ServiceAccount(
                      `${name}-service-account`,
                      serviceAccountManifest({ name: serviceAccountName, namespace: namespaceName, labels: {}, annotations: {} }),
                      { parent: this },
                  );
        const serviceAccountOutput = serviceAccount ? serviceAccount.metadata.name : pulumi.output(serviceAccountName);

        // ---- Cross-account profile (config-file mode): the config file and helper, mounted into the pods ----
        let awsConfigFile: pulumi.Output<string | undefined> = pulumi.output(undefined);
        let fragment: pulumi.Output<PodSpecFragment | undefined> = pulumi.output(undefined);
        if (chain && crossAccountSettings && !nativeChain) {
            awsConfigFile = chain.apply((c) => renderAwsConfigFile(configFileSpec(crossAccountSettings, c.profiles)));
            const configMap = new k8s.core.v1.ConfigMap(
                `${name}-aws-config`,
                {
                    metadata: { name: `${name}-aws-config`, namespace: namespaceName, labels: { ...MANAGED_BY_LABEL } },
                    data: awsConfigFile.apply((text) => configMapData(crossAccountSettings, text!)),
                },
                { parent: this },
            );
            fragment = pulumi.all([configMap.metadata.name, chain]).apply(([configMapName, c]) => podSpecFragment(crossAccountSettings, configMapName, c.defaultProfile));
        }

        // The config file is read once by the SDK at start, and a new target role needs fresh agent credentials.
        const credentialsRevision = pulumi
            .all([roleArn, podIdentityAssociation.associationId, association.disableSessionTags ?? false, sessionPolicy, podIdentityAssociation.targetRoleArn, awsConfigFile])
            .apply((parts) => contentHash(JSON.stringify(parts.map((part) => part ?? null))));

        let deploymentName: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (args.workload) {
            const w = args.workload;
            const deployment = new k8s.apps.v1.Deployment(
                `${name}-deployment`,
                deploymentManifest({
                    name: w.name ?? name,
                    instance: name,
                    namespace: namespaceName,
                    serviceAccountName: serviceAccountOutput,
                    containerName: w.containerName ?? "app",
                    image: w.image,
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
                    podAnnotations: w.podAnnotations ?? {},
                    credentialsRevision,
                    runAsUser: w.runAsUser,
                    runAsGroup: w.runAsGroup,
                    readOnlyRootFilesystem: w.readOnlyRootFilesystem ?? true,
                    extra: fragment,
                }),
                {
                    parent: this,
                    // The webhook injects credentials only into pods created after the association exists, and
                    // the first AWS call should find the permissions in place.
                    dependsOn: [podIdentityAssociation, ...permissionResources, ...(agent ? [agent.addon] : [])],
                },
            );
            deploymentName = deployment.metadata.name;
        }

        this.roleArn = roleArn;
        this.roleName = roleName;
        this.associationArn = podIdentityAssociation.associationArn;
        this.associationId = podIdentityAssociation.associationId;
        this.namespace = namespaceName;
        this.serviceAccountName = serviceAccountOutput;
        this.deploymentName = deploymentName;
        this.trustPolicy = trustPolicy;
        this.permissionsPolicy = permissionsPolicy;
        this.credentialsRevision = credentialsRevision;
        this.awsConfigFile = awsConfigFile;
        this.awsProfiles = chain ? chain.apply((c) => c.profiles.map((p) => p.name)) : pulumi.output([]);
        this.defaultAwsProfile = chain && !nativeChain ? chain.apply((c) => c.defaultProfile as string | undefined) : pulumi.output(undefined);
        this.podSpecFragment = fragment;
        this.externalId = nativeChain ? podIdentityAssociation.externalId.apply((id) => id as string | undefined) : pulumi.output(undefined);
        this.registerOutputs({
            roleArn,
            roleName,
            associationArn: this.associationArn,
            associationId: this.associationId,
            namespace: namespaceName,
            serviceAccountName: serviceAccountOutput,
            deploymentName,
            trustPolicy,
            permissionsPolicy,
            credentialsRevision,
            awsConfigFile,
            awsProfiles: this.awsProfiles,
            defaultAwsProfile: this.defaultAwsProfile,
            podSpecFragment: fragment,
            externalId: this.externalId,
        });
    }
}

function unique<T>(values: T[]): T[] {
    return [...new Set(values)];
}

/** Claims the service account's one association (and the namespace, when created here) for this program. */
function claimServiceAccount(component: string, cluster: string, ns: string, sa: string, createsNamespace: boolean): void {
    const problems = new Problems();
    const owner = claim("association", `${cluster}/${ns}/${sa}`, component);
    if (owner) {
        problems.add("serviceAccountName", `service account "${ns}/${sa}" of cluster "${cluster}" is already associated by ${owner}: EKS allows one association per service account; share that workload's role through roleArn, or choose another serviceAccountName`);
    }
    const namespaceOwner = createsNamespace ? claim("namespace", `${cluster}/${ns}`, component) : undefined;
    if (namespaceOwner) {
        problems.add("createNamespace", `namespace "${ns}" of cluster "${cluster}" is already created by ${namespaceOwner}: set createNamespace to false here`);
    }
    problems.throwIfAny(component);
}
