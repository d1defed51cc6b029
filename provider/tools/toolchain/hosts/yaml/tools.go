//go:build tools

// Package yaml pins the Pulumi yaml language host at the pulumi/pulumi version its release was built with (its own
// go.mod's requirements, reproduced here by minimal version selection); ../../build.sh builds it into bin/.
// The replace directives are copied from its go.mod (they are not inherited from dependencies).
package yaml

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
