// Module root for the generated Go SDK: sdkmodule/go is a symbolic link to sdk/go, so the package
// github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity/sdk/go/ekspodidentity is sdk/go/ekspodidentity.
module github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity/sdk

go 1.25.11

require (
	github.com/blang/semver v3.5.1+incompatible
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
)
