//go:build tools

// Package toolchain pins the Pulumi CLI this project builds from source (the prebuilt binaries cannot be
// downloaded here): `go build` of the required command into the git-ignored bin/.
package toolchain

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
