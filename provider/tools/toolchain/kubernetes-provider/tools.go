//go:build tools

// Package kubernetesprovider pins the real Pulumi Kubernetes provider (pulumi-resource-kubernetes) the end-to-end
// tests deploy with. The module proxy serves github.com/pulumi/pulumi-kubernetes/provider/v4 only as a pseudo-version
// of its main branch, and that module ships its schema without the generated *-embed.json files that main.go embeds;
// build.sh generates them into a go build -overlay (upstream's generate.go does the same with the version stamped).
package kubernetesprovider

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"
)
