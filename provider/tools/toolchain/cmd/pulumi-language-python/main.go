// Code-generation-only pulumi-language-python (see ../../codegenhost).
package main

import (
	codegen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/pulumi-eks-pod-identity/toolchain/codegenhost"
)

func main() {
	codegenhost.Main("python", func(tool string, pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
		loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return codegen.GeneratePackage(tool, pkg, req.ExtraFiles, loader)
	})
}
