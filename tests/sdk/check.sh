#!/usr/bin/env bash
# Compile/import checks of the generated SDKs (sdk/) through the example programs in examples/<language>/.
#
#   bash tests/sdk/check.sh                 every language: nodejs python go java yaml
#   bash tests/sdk/check.sh go java         only those
#
# Everything it builds or installs goes to the git-ignored .sdk-build/ (plus the usual caches: npm, pip, Go modules
# and build cache, ~/.m2); examples/typescript/node_modules and examples/java/target are git-ignored too. Nothing is
# written into sdk/: `npm run check:sdk` would report any file there as hand-added, so the last step verifies it.
# .NET (sdk/dotnet) is generated but not compiled: this machine has no .NET SDK.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/.sdk-build"
all="nodejs python go java yaml"
selected=${*:-$all}
for l in $selected; do
    case " $all " in *" $l "*) ;; *) echo "check.sh: unknown language $l (one of: $all)" >&2; exit 2 ;; esac
done
mkdir -p "$build"
cd "$root"

say() { printf '== %s\n' "$*"; }

# The project's own Node.js dependencies (TypeScript, @pulumi/pulumi, yaml) from the root lockfile.
need_root_node_modules() {
    if [ ! -x node_modules/.bin/tsc ] || [ ! -f node_modules/@pulumi/pulumi/package.json ] || [ ! -d node_modules/yaml ]; then
        say "npm ci (root node_modules missing)"
        npm ci --no-audit --no-fund
    fi
}

check_nodejs() {
    need_root_node_modules
    local out="$build/nodejs"
    say "nodejs: tsc -p sdk/nodejs (the SDK's own tsconfig) -> .sdk-build/nodejs"
    rm -rf "$out"
    node_modules/.bin/tsc -p sdk/nodejs/tsconfig.json --outDir "$out"
    # Laid out like the published package (compiled files plus package.json, which utilities.ts reads).
    cp sdk/nodejs/package.json sdk/nodejs/README.md "$out/"
    node -e '
        const sdk = require(process.argv[1]);
        for (const name of ["PodIdentityWorkload", "PodIdentityAgent", "CrossAccountRole", "Provider"]) {
            if (typeof sdk[name] !== "function") throw new Error("the built SDK exports no " + name);
        }' "$out"
    # What npm would link for the example's "file:../../.sdk-build/nodejs" dependency; @pulumi/pulumi comes from the
    # root node_modules, so the example and the SDK share one copy of it.
    local ex=examples/typescript
    mkdir -p "$ex/node_modules"
    rm -rf "$ex/node_modules/pulumi-eks-pod-identity-sdk"
    ln -s ../../../.sdk-build/nodejs "$ex/node_modules/pulumi-eks-pod-identity-sdk"
    (cd "$ex" && node -e '
        const want = require("./package.json").dependencies["@pulumi/pulumi"];
        const got = require("@pulumi/pulumi/package.json").version;
        if (got !== want) throw new Error(`@pulumi/pulumi ${got} resolves from examples/typescript; package.json pins ${want}`);')
    # Emitted to examples/typescript/bin (git-ignored), where the end-to-end driver loads program.js from.
    say "nodejs: tsc -p examples/typescript -> examples/typescript/bin"
    rm -rf "$ex/bin"
    node_modules/.bin/tsc -p "$ex/tsconfig.json"
}

check_python() {
    local venv="$build/venv" py="$build/venv/bin/python"
    local tools="mypy==2.4.1 setuptools==84.2.1"
    local stamp
    stamp=$(printf '%s\n' "$tools" | cat - examples/python/requirements.txt | cksum)
    if [ ! -x "$py" ]; then
        say "python: venv .sdk-build/venv"
        python3 -m venv "$venv"
    fi
    if [ "$(cat "$venv/.check-stamp" 2>/dev/null)" != "$stamp" ]; then
        say "python: pip install -r examples/python/requirements.txt $tools"
        # shellcheck disable=SC2086
        "$py" -m pip install -q --disable-pip-version-check -r examples/python/requirements.txt $tools
        printf '%s\n' "$stamp" >"$venv/.check-stamp"
    fi
    # Built from a copy: an in-tree build would leave build/ and *.egg-info in sdk/python.
    say "python: pip install sdk/python (from a copy in .sdk-build/python-src)"
    rm -rf "$build/python-src"
    cp -R sdk/python "$build/python-src"
    "$py" -m pip uninstall -q -y pulumi_eks_pod_identity >/dev/null 2>&1 || true
    "$py" -m pip install -q --disable-pip-version-check --no-build-isolation "$build/python-src"
    "$py" -m pip show -q pulumi_eks_pod_identity >/dev/null
    say "python: import pulumi_eks_pod_identity and examples/python/workload_program"
    (cd examples/python && PYTHONDONTWRITEBYTECODE=1 "$py" -c '
import importlib.metadata as md, pulumi_eks_pod_identity as sdk, workload_program
for name in ("PodIdentityWorkload", "PodIdentityAgent", "CrossAccountRole", "Provider", "PolicyStatementArgs", "WorkloadSettingsArgs"):
    assert hasattr(sdk, name), "the SDK exports no " + name
assert callable(workload_program.program)
print("   pulumi", md.version("pulumi"), "/ pulumi_eks_pod_identity", md.version("pulumi_eks_pod_identity"))')
    say "python: mypy --strict examples/python"
    (cd examples/python && "$py" -m mypy --strict --cache-dir "$build/mypy-cache" --no-error-summary \
        workload_program.py __main__.py)
}

check_go() {
    [ -d examples/go/sdkmodule/go/ekspodidentity ] ||
        { echo "examples/go/sdkmodule/go must be a symbolic link to sdk/go" >&2; return 1; }
    say "go: go build ./... && go vet ./... in examples/go"
    # go.sum is committed and complete (-mod=readonly, the default), so no checksum database is asked.
    (cd examples/go && GOFLAGS=-buildvcs=false GOSUMDB=off go build ./... && GOFLAGS=-buildvcs=false GOSUMDB=off go vet ./...)
}

check_java() {
    local want got
    want=$(node -p 'require("./provider/plugin/schema.json").version')
    got=$(sed -n 's:.*<eks-pod-identity.version>\(.*\)</eks-pod-identity.version>.*:\1:p' examples/java/pom.xml)
    [ "$want" = "$got" ] ||
        { echo "examples/java/pom.xml: eks-pod-identity.version is $got, provider/plugin/schema.json has $want" >&2; return 1; }
    say "java: mvn compile in examples/java (generated sources from sdk/java/src/main/java)"
    (cd examples/java && mvn -B -q --no-transfer-progress -Dstyle.color=never compile)
}

check_yaml() {
    need_root_node_modules
    say "yaml: examples/*/Pulumi.yaml parse; examples/yaml against provider/plugin/schema.json"
    node tests/sdk/check-examples.mjs
}

now() { date +%s%N; }
# Untracked and ignored files under sdk/, before and after: the checks must add none.
sdk_extras() { git status --porcelain --ignored --untracked-files=all -- sdk | grep -e '^??' -e '^!!' | sort || true; }
extras_before=$(sdk_extras)
results=""
failed=0
for l in $selected; do
    start=$(now)
    set +e
    (set -e; "check_$l")
    rc=$?
    set -e
    secs=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    if [ "$rc" -eq 0 ]; then status=ok; else status="FAILED (exit $rc)"; failed=1; fi
    results="$results$(printf '%-8s %7s s  %s' "$l" "$secs" "$status")\n"
done

# Nothing may have been written into sdk/ (the generator's --check lists every extra file).
stray=$(comm -13 <(printf '%s\n' "$extras_before") <(sdk_extras) | sed '/^$/d')
if [ -n "$stray" ]; then
    printf 'check.sh: files appeared under sdk/:\n%s\n' "$stray" >&2
    failed=1
fi

printf '\nSDK checks:\n%b' "$results"
printf '%-8s %7s    %s\n' dotnet - "not compiled (no .NET SDK on this machine)"
exit "$failed"
