//go:build tools

// Package dotnet pins the Pulumi dotnet language host at the pulumi/pulumi version its release was built with (its own
// go.mod's requirements, reproduced here by minimal version selection); ../../build.sh builds it into bin/.
// The replace directives are copied from its go.mod (they are not inherited from dependencies).
package dotnet

import (
	_ "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3"
)
