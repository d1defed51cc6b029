/**
 * One Pulumi operation on one workload's stack, in a process of its own (forked by server.ts): the SDK keeps its
 * runtime state per process, so inline programs of different workloads must not share one. Receives a JobSpec over
 * IPC, streams PortalEvents back while the CLI runs, ends with one JobResult and exits.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import type { EngineEvent, LocalWorkspaceOptions, Stack } from "@pulumi/pulumi/automation";
import { systemClock } from "./clock";
import { EksClient } from "./eks";
import { parseDocument, workloadOutputs } from "./outputs";
import { PendingImport, PendingOperation, adoptPendingCreates, adoptedAssociation, associationLookups, pendingImports } from "./pendingCreates";
import { killProcessTree } from "./processTree";
import { validateWithComponent, workloadProgram } from "./program";
import { LeaseDeadline } from "./replicaLease";
import { JobResult, JobSpec, PlannedResource, PortalEvent, PreviewResult, StackState, WorkerMessage } from "./protocol";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const auto: typeof import("@pulumi/pulumi/automation") = require("@pulumi/pulumi/automation");

// ./program loads @pulumi/pulumi already, so reading the SDK's constant costs the worker no start-up time.
const { unknownValue } = pulumi.runtime;

function send(message: WorkerMessage): Promise<void> {
    return new Promise((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));
}

function emit(event: PortalEvent["event"], data: Record<string, unknown>): void {
    void send({ type: "event", event: { event, data } });
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** Engine events as the portal streams them; errors are collected for the result. */
class EventRelay {
    readonly planned: PlannedResource[] = [];
    readonly errors: string[] = [];
    changes: Record<string, number> = {};
    /** Inputs the engine will send for IAM documents, where already known at preview. */
    readonly inputs = new Map<string, { type: string; inputs: Record<string, any> }>();

    readonly onOutput = (text: string) => emit("output", { text });

    readonly onEvent = (e: EngineEvent) => {
        const step = e.resourcePreEvent ?? e.resOutputsEvent ?? e.resOpFailedEvent;
        if (step) {
            const m = step.metadata;
            const phase = e.resourcePreEvent ? "pre" : e.resOutputsEvent ? "done" : "failed";
            emit("resource", { phase, op: m.op, type: m.type, name: nameOf(m.urn), urn: m.urn });
            if (phase === "pre" && m.type !== "pulumi:pulumi:Stack" && !m.type.startsWith("pulumi:providers:")) {
                this.planned.push({ op: m.op, type: m.type, name: nameOf(m.urn), urn: m.urn });
                if (m.new?.inputs) this.inputs.set(m.urn, { type: m.type, inputs: m.new.inputs });
            }
        } else if (e.diagnosticEvent && !e.diagnosticEvent.ephemeral && (e.diagnosticEvent.severity as string) !== "debug") {
            const d = e.diagnosticEvent;
            const message = d.message.trim();
            emit("diagnostic", { severity: d.severity, message, ...(d.urn ? { urn: d.urn } : {}) });
            if (d.severity === "error") this.errors.push(d.urn ? `${nameOf(d.urn)}: ${message}` : message);
        } else if (e.summaryEvent) {
            this.changes = { ...e.summaryEvent.resourceChanges } as Record<string, number>;
            emit("summary", { changes: this.changes, durationSeconds: e.summaryEvent.durationSeconds });
        }
    };
}

async function openStack(job: JobSpec, create: boolean): Promise<Stack> {
    const pulumiCommand = await auto.PulumiCommand.get({ root: job.root, skipVersionCheck: true });
    fs.mkdirSync(job.workDir, { recursive: true });
    const args = { stackName: job.id, projectName: job.project, program: workloadProgram(job.request, job.cluster, job.id) };
    const options: LocalWorkspaceOptions = {
        workDir: job.workDir,
        pulumiCommand,
        projectSettings: { name: job.project, runtime: "nodejs", description: "EKS Pod Identity access granted through the self-service portal" },
    };
    let stack: Stack;
    if (!create) {
        stack = await auto.LocalWorkspace.selectStack(args, options);
    } else {
        try {
            stack = await auto.LocalWorkspace.createStack(args, options);
        } catch (error) {
            if (!(error instanceof auto.StackAlreadyExistsError)) throw error;
            // Left by a preview the portal did not see finish: any lock on it is stale.
            stack = await auto.LocalWorkspace.selectStack(args, options);
            await stack.cancel();
        }
    }
    if (create) {
        const config: Record<string, { value: string }> = { "aws:region": { value: job.cluster.region } };
        if (job.cluster.kubeconfig) config["kubernetes:kubeconfig"] = { value: job.cluster.kubeconfig };
        if (job.cluster.context) config["kubernetes:context"] = { value: job.cluster.context };
        await stack.setAllConfig(config);
    }
    return stack;
}

async function stackState(stack: Stack): Promise<StackState> {
    const { deployment } = await stack.exportStack();
    const resources = (deployment?.resources ?? []).filter((r: any) => r.custom && !String(r.type).startsWith("pulumi:providers:")).length;
    const pendingOperations = (deployment?.pending_operations ?? []).map((p: any) => `${p.type} ${p.resource?.urn}`);
    return { resources, pendingOperations };
}

/**
 * The pending association creates of `pending` that EKS has, as imports, and why any other was left alone. A lookup
 * that fails is reported, and its create is cleared as before (the update's create then either succeeds or is refused
 * with ResourceInUseException, and the failure's hint says why).
 */
async function associationImports(pending: PendingOperation[], job: JobSpec): Promise<{ imports: PendingImport[]; notes: string[] }> {
    const lookups = associationLookups(pending);
    const imports: PendingImport[] = [];
    const notes: string[] = [];
    if (lookups.length === 0) return { imports, notes };
    let eks: EksClient;
    try {
        eks = new EksClient(job.cluster.region, process.env);
    } catch (error) {
        return { imports, notes: [`the interrupted run's Pod Identity association create could not be looked up in EKS: ${(error as Error).message}`] };
    }
    for (const lookup of lookups) {
        try {
            const outcome = adoptedAssociation(lookup, await eks.findPodIdentityAssociation(lookup.clusterName, lookup.namespace, lookup.serviceAccount));
            if ("adopt" in outcome) imports.push(outcome.adopt);
            if ("refused" in outcome) notes.push(outcome.refused);
        } catch (error) {
            notes.push(`the Pod Identity association of ${lookup.namespace}/${lookup.serviceAccount} could not be looked up in EKS (${eks.endpoint.origin}): ${(error as Error).message}`);
        }
    }
    return { imports, notes };
}

/**
 * After a failed or interrupted operation: removes a lock a killed CLI left (the server starts an operation only once
 * no live process holds the stack's lock, so any lock is stale), adopts the pending creates whose cloud id is known
 * (pendingCreates.ts; a Pod Identity association's is looked up in EKS) and clears the others; the update's own
 * refresh then reads every adopted resource from the cloud, keeping what the cloud has and dropping what it does not.
 * Returns what recovery left alone and why (for the failure's hint, should the operation still fail).
 */
async function recover(stack: Stack, relay: EventRelay, job: JobSpec): Promise<string[]> {
    await stack.cancel();
    const exported = await stack.exportStack();
    const pending: PendingOperation[] = exported.deployment?.pending_operations ?? [];
    if (pending.length === 0) return [];
    const associations = await associationImports(pending, job);
    const imports = [...pendingImports(pending), ...associations.imports];
    emit("status", {
        message: `recovering ${pending.length} pending operation(s) of the interrupted run: ${pending.map((p) => `${p.type} ${p.resource.urn}`).join(", ")}`,
        ...(imports.length > 0 ? { imports: imports.map(({ urn, id }) => ({ urn, id })) } : {}),
        ...(associations.notes.length > 0 ? { notAdopted: associations.notes } : {}),
    });
    if (imports.length > 0) await stack.importStack(adoptPendingCreates(exported, imports));
    if ((await stackState(stack)).pendingOperations.some((p) => p.startsWith("creating "))) {
        await stack.refresh({ clearPendingCreates: true, onEvent: relay.onEvent, onOutput: relay.onOutput });
    }
    return associations.notes;
}

function failure(error: unknown, relay: EventRelay, state?: StackState, notes: string[] = []): JobResult {
    const text = error instanceof Error ? error.message : String(error);
    const fromCli = text.split("\n").filter((l) => /^\s*error:/.test(l)).map((l) => l.trim());
    const diagnostics = relay.errors.length > 0 ? relay.errors : fromCli;
    const summary = diagnostics.find((d) => !/^update failed$|^preview failed$/.test(d)) ?? diagnostics[0] ?? text.split("\n").slice(-3).join(" ").trim();
    return { ok: false, kind: "failed", error: summary, diagnostics, ...(state ? { state } : {}), ...(notes.length > 0 ? { hint: `Recovery: ${notes.join("; ")}.` } : {}) };
}

async function preview(job: JobSpec): Promise<JobResult> {
    // The component's own validation first: a rejected request never gets a stack.
    emit("status", { status: "previewing", message: "validating the request with the PodIdentityWorkload component" });
    const validation = await validateWithComponent(job.request, job.cluster, job.id);
    if (!validation.ok) {
        return "problems" in validation ? { ok: false, kind: "invalid", problems: validation.problems } : { ok: false, kind: "failed", error: validation.error, diagnostics: [] };
    }
    const relay = new EventRelay();
    const stack = await openStack(job, true);
    try {
        const result = await stack.preview({ onEvent: relay.onEvent, onOutput: relay.onOutput });
        const policies = validation.policies;
        // Where the engine already knows a document at preview, show exactly what it will send to AWS.
        for (const { type, inputs } of relay.inputs.values()) {
            if (type === "aws:iam/role:Role" && typeof inputs.assumeRolePolicy === "string" && inputs.assumeRolePolicy !== unknownValue) {
                policies.trustPolicy = parseDocument(inputs.assumeRolePolicy);
            }
            if (type === "aws:iam/rolePolicy:RolePolicy" && typeof inputs.name === "string" && typeof inputs.policy === "string" && inputs.policy !== unknownValue) {
                policies.inlinePolicies[inputs.name] = parseDocument(inputs.policy);
            }
        }
        const outcome: PreviewResult = { changes: { ...result.changeSummary } as Record<string, number>, resources: relay.planned, policies };
        return { ok: true, operation: "preview", preview: outcome };
    } catch (error) {
        // Nothing was created: leave nothing behind either.
        await stack.workspace.removeStack(job.id).catch(() => undefined);
        return failure(error, relay);
    }
}

async function apply(job: JobSpec): Promise<JobResult> {
    const relay = new EventRelay();
    const stack = await openStack(job, false);
    let notes: string[] = [];
    try {
        if (job.recover) notes = await recover(stack, relay, job);
        const result = await stack.up({ onEvent: relay.onEvent, onOutput: relay.onOutput, refresh: job.recover });
        const outputs = workloadOutputs(Object.fromEntries(Object.entries(result.outputs).map(([key, output]) => [key, output.value])));
        return { ok: true, operation: "apply", outputs, changes: { ...result.summary.resourceChanges } as Record<string, number> };
    } catch (error) {
        return failure(error, relay, await stackState(stack).catch(() => undefined), notes);
    }
}

async function destroy(job: JobSpec): Promise<JobResult> {
    const relay = new EventRelay();
    const stack = await openStack(job, false);
    let notes: string[] = [];
    try {
        if (job.recover) notes = await recover(stack, relay, job);
        const result = await stack.destroy({ onEvent: relay.onEvent, onOutput: relay.onOutput, refresh: job.recover, remove: true });
        fs.rmSync(job.workDir, { recursive: true, force: true });
        return { ok: true, operation: "destroy", changes: { ...result.summary.resourceChanges } as Record<string, number> };
    } catch (error) {
        return failure(error, relay, await stackState(stack).catch(() => undefined), notes);
    }
}

async function run(job: JobSpec): Promise<JobResult> {
    try {
        return job.operation === "preview" ? await preview(job) : job.operation === "apply" ? await apply(job) : await destroy(job);
    } catch (error) {
        // Failing to start the CLI or to select the stack.
        return failure(error, new EventRelay());
    }
}

/**
 * The worker dies with the portal. It runs in a process group of its own (server.ts forks it detached, so that stopping
 * it stops the CLI and plugins too), so a portal killed outright (SIGKILL, OOM) would leave it running, reparented,
 * still updating a stack the restarted portal then recovers beside it. When the IPC channel to the portal closes, or
 * the parent changes, the whole group is ended: the stack is left as after any interrupted update, which the next
 * apply or DELETE recovers.
 */
function endWithPortal(): void {
    try {
        killProcessTree(process.pid);
    } catch {
        process.exit(1);
    }
}
const portalPid = process.ppid;
process.once("disconnect", endWithPortal);
// On an s3:// backend the portal passes on its lease (replicaLease.ts): past it, the portal may be frozen and the
// other replicas about to take over the stack, so the run ends without waiting to hear from the portal.
const leaseDeadline = new LeaseDeadline(systemClock);
process.on("message", (message: { leaseValidForMs?: number }) => {
    if (typeof message.leaseValidForMs === "number") leaseDeadline.extend(message.leaseValidForMs);
});
systemClock.every(250, () => (process.ppid !== portalPid || leaseDeadline.passed) && endWithPortal());

process.once("message", (message: { job: JobSpec }) => {
    run(message.job)
        .then((result) => send({ type: "result", result }))
        .finally(() => process.exit(0));
});
