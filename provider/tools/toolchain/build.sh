#!/bin/sh
# Builds the Pulumi CLI and the language hosts pinned in go.mod into bin/ at the repository root (git-ignored):
#   pulumi                      github.com/pulumi/pulumi/pkg/v3 (the version of @pulumi/pulumi)
#   pulumi-language-yaml        github.com/pulumi/pulumi-yaml               (module hosts/yaml)
#   pulumi-language-java        github.com/pulumi/pulumi-java/pkg           (module hosts/java)
#   pulumi-language-dotnet      github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3 (module hosts/dotnet)
#   Each host is its own module, built against the pulumi/pulumi Go API of its release (pkg/v3's Go API changes
#   between minor releases, so they cannot share the CLI's module); hosts and CLI only talk gRPC.
#   pulumi-language-nodejs, -python, -go   ./cmd/*: code-generation-only hosts of ours (./codegenhost) around
#                               pkg/v3/codegen, because the module proxy does not serve the upstream host modules.
# go.sum is committed: sum.golang.org is not reachable from this workplace, so the checksum database is skipped
# and the committed hashes verify the downloads; -mod=readonly refuses any change to go.mod/go.sum.
# Reuses the Go build and module caches: a warm rebuild only relinks what changed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bin="$root/bin"
mkdir -p "$bin"
cd "$here"
export GOSUMDB=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local

ver() { go list -m -f '{{.Version}}' "$1"; }
build() { # output, ldflags, package (in the current module)
    echo "go build $3 -> bin/$1" >&2
    go build -trimpath -ldflags "$2" -o "$bin/$1" "$3"
}

pulumi_version=$(ver github.com/pulumi/pulumi/pkg/v3)
sdkver=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
build pulumi "-X $sdkver=$pulumi_version" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
for lang in nodejs python go; do
    build "pulumi-language-$lang" "-X $sdkver=$pulumi_version" "./cmd/pulumi-language-$lang"
done

cd "$here/hosts/yaml"
build pulumi-language-yaml "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$(ver github.com/pulumi/pulumi-yaml)" \
    github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
cd "$here/hosts/java"
build pulumi-language-java "-X github.com/pulumi/pulumi-java/pkg/version.Version=$(ver github.com/pulumi/pulumi-java/pkg)" \
    github.com/pulumi/pulumi-java/pkg/cmd/pulumi-language-java
cd "$here/hosts/dotnet"
m=github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3
build pulumi-language-dotnet "-X $m/version.Version=$(ver $m)" $m

"$bin/pulumi" version
