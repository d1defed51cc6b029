// Pins and checksums (go.sum) the upstream source of pulumi-resource-kubernetes; build.sh copies the verified
// module into bin/.src and completes it (see ../tools.go). Nothing here is compiled.
module github.com/pulumi-eks-pod-identity/toolchain/kubernetes-provider/source

go 1.24.7

require github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199
