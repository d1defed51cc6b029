//go:build tools

// Package toolchain pins the Pulumi CLI this project builds from source (prebuilt binaries cannot be downloaded
// here), at the version of @pulumi/pulumi, plus the code generators of pkg/v3 that ./cmd/pulumi-language-{nodejs,
// python,go} serve. The YAML, Java and .NET language hosts live in ./hosts/<language>, one module each, because
// each is built against the pulumi/pulumi Go API of its own release (pkg/v3's Go API changes between minor
// releases; the hosts only talk gRPC to the CLI). build.sh builds everything into the git-ignored bin/.
package toolchain

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
