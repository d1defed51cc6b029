// Pulumi components that give Kubernetes workloads on Amazon EKS their AWS permissions through EKS Pod Identity, secure by default
package ekspodidentity
