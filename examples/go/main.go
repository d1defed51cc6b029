// Entry point for `pulumi up` in this folder.
package main

import (
	"github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity/examples/go/workload"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(workload.Program)
}
