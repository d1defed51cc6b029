// Command etcd is the etcd server at the version kube-apiserver's module requires; upstream's main package lives in
// the repository-root module go.etcd.io/etcd/v3, which would pull a second copy of the dependency graph.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
