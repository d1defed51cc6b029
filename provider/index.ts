export * from "./podIdentityWorkload";
export * from "./podIdentityAgent";
export * from "./podIdentityWorkloadArgs";
export { PolicyStatement, PolicyCondition, SessionTagScope, SessionTagName, POD_IDENTITY_SESSION_TAGS } from "./policyDocument";
export { ContainerPort, Probe, ResourceRequirements, Toleration } from "./kubernetesWorkload";
export { AgentSettings } from "./agentConfiguration";
export { InputProblem } from "./validation";
