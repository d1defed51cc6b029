//go:build tools

// Package cluster pins the throwaway Kubernetes control plane the tests run against (see build.sh):
// kube-apiserver, kube-controller-manager and kube-scheduler of one Kubernetes release, kwok as the fake kubelet,
// and etcd (./cmd/etcd). kwok v0.8.0 is built against the same k8s.io libraries (v0.36.1), so everything shares one
// module and one compilation of those libraries.
package cluster

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
