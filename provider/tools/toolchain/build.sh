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
#   pulumi-resource-kubernetes  the real Kubernetes provider (module kubernetes-provider, see its tools.go)
#   cluster/                    the test cluster (module cluster): etcd, kube-apiserver, kube-controller-manager,
#                               kube-scheduler, kwok and kwok's stage configuration
# go.sum is committed: sum.golang.org is not reachable from this workplace, so the checksum database is skipped
# and the committed hashes verify the downloads; -mod=readonly refuses any change to go.mod/go.sum.
# Reuses the Go build and module caches: a warm rebuild only relinks what changed.
# Usage: build.sh [cli] [cluster] [kubernetes-provider]: those parts only ("cli" includes the language hosts); all
# three without arguments. `npm test` builds the first two before the suites and the provider during the first suites.
set -eu
targets=${*:-cli cluster kubernetes-provider}
for target in $targets; do
    case $target in cli|cluster|kubernetes-provider) ;; *) echo "build.sh: unknown part '$target' (cli, cluster, kubernetes-provider)" >&2; exit 2;; esac
done
wants() { case " $targets " in *" $1 "*) return 0;; esac; return 1; }
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
bin="$root/bin"
mkdir -p "$bin"
cd "$here"
export GOSUMDB=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local

ver() { go list -m -f '{{.Version}}' "$1"; }
build() { # output, ldflags, package (in the current module)
    echo "go build $3 -> bin/$1" >&2
    started=$(date +%s)
    go build -trimpath -ldflags "$2" -o "$bin/$1" "$3"
    echo "  $(( $(date +%s) - started )) s" >&2
}

# Downloads are network-bound and compiling is CPU-bound: fetch the modules of the later builds (the cluster and the
# Kubernetes provider; go list downloads what their packages need) while the CLI compiles. The module cache is
# locked per module, so the concurrent go commands share it safely.
if wants cli; then
prefetch_log=$(mktemp)
(
    cd "$here/cluster" && go list -deps k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler sigs.k8s.io/kwok/cmd/kwok ./cmd/etcd >/dev/null
    cd "$here/kubernetes-provider/source" && go mod download github.com/pulumi/pulumi-kubernetes/provider/v4
) >"$prefetch_log" 2>&1 &
prefetch=$!

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

# A failed prefetch is not fatal (the builds below download what is missing), but say why it failed.
wait "$prefetch" || { echo "module prefetch failed (the builds retry):" >&2; cat "$prefetch_log" >&2; }
rm -f "$prefetch_log"
"$bin/pulumi" version
fi

# The test cluster: one go build, so the Kubernetes libraries compile once for all five binaries.
if wants cluster; then
cd "$here/cluster"
echo "go build kube-apiserver kube-controller-manager kube-scheduler kwok etcd -> bin/cluster/" >&2
mkdir -p "$bin/cluster"
k8s=$(ver k8s.io/kubernetes)
k8sx="-X k8s.io/component-base/version.gitVersion=$k8s -X k8s.io/component-base/version.gitMajor=1"
k8sx="$k8sx -X k8s.io/component-base/version.gitMinor=$(echo "$k8s" | cut -d. -f2) -X k8s.io/component-base/version.gitTreeState=clean"
started=$(date +%s)
go build -trimpath -ldflags "$k8sx" -o "$bin/cluster/" k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler sigs.k8s.io/kwok/cmd/kwok ./cmd/etcd
echo "  $(( $(date +%s) - started )) s" >&2
# kwok refuses to start without stages; its "fast" ones make nodes Ready and pods Running/Ready at once.
stages=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
for stage in node/fast/node-initialize pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    cat "$stages/$stage.yaml"; echo "---"
done > "$bin/cluster/kwok-stages.yaml"
fi

# The real Kubernetes provider, at the version @pulumi/kubernetes asks the engine for (it finds the binary on PATH).
wants kubernetes-provider || exit 0
cd "$here/kubernetes-provider"
kubernetes_version=$(node -p 'require(process.argv[1]).version' "$root/node_modules/@pulumi/kubernetes/package.json")
src="$bin/.src/pulumi-kubernetes-provider"
module=$(cd source && go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ ! -f "$src/.version" ] || [ "$(cat "$src/.version")" != "$module $kubernetes_version" ]; then
    rm -rf "$src"
    mkdir -p "$(dirname "$src")"
    cp -R "$module" "$src"
    chmod -R u+w "$src"
    # Its go.mod points the SDK module at the repository's ../sdk; go.sum pins the released SDK it requires instead.
    sed -i '/^replace github.com\/pulumi\/pulumi-kubernetes\/sdk\/v4 => \.\.\/sdk$/d' "$src/go.mod"
    # What upstream's `go generate` (cmd/pulumi-resource-kubernetes/generate.go) writes: the schema with the version
    # stamped, and the Terraform mapping, compacted.
    node -e '
        const fs = require("fs");
        const [dir, version] = process.argv.slice(1);
        const read = (f) => JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"));
        fs.writeFileSync(dir + "/schema-embed.json", JSON.stringify({ ...read("schema.json"), version }));
        fs.writeFileSync(dir + "/terraform-mapping-embed.json", JSON.stringify(read("terraform-mapping.json")));
    ' "$src/cmd/pulumi-resource-kubernetes" "$kubernetes_version"
    echo "$module $kubernetes_version" > "$src/.version"
fi
build pulumi-resource-kubernetes "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$kubernetes_version" \
    github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes
