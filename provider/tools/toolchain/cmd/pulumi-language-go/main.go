// Code-generation-only pulumi-language-go (see ../../codegenhost).
package main

import (
	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/pulumi-eks-pod-identity/toolchain/codegenhost"
)

func main() {
	codegenhost.Main("go", func(tool string, pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		_ schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return codegen.GeneratePackage(tool, pkg, req.LocalDependencies)
	})
}
