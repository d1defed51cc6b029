// Package codegenhost is a code-generation-only Pulumi language host for Node.js, Python and Go.
//
// The upstream language hosts of those languages (github.com/pulumi/pulumi/sdk/{nodejs,python,go}/...) are separate
// Go modules that the Go module proxy reachable from this project's machines does not serve, while the code
// generators they call live in github.com/pulumi/pulumi/pkg/v3/codegen, which is served. This host answers the
// engine's GeneratePackage exactly as the upstream hosts do (bind the schema with the engine's loader, call
// pkg/v3/codegen/<language>.GeneratePackage with the upstream tool name, write the files), so that
// `pulumi package gen-sdk` works unchanged. It runs no programs: Run and every other method are unimplemented.
package codegenhost

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Generator renders a bound package into files (relative path → contents).
type Generator func(tool string, pkg *schema.Package, req *pulumirpc.GeneratePackageRequest,
	loader schema.ReferenceLoader) (map[string][]byte, error)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	tool     string
	generate Generator
}

// Main serves the host: prints the port for the engine and serves until the engine goes away.
func Main(language string, generate Generator) {
	tool := "pulumi-language-" + language
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{tool: tool, generate: generate})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start %s: %w", tool, err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("%s stopped serving: %w", tool, err))
	}
}

func (h *host) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.Schema), &spec); err != nil {
		return nil, err
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	rpcDiagnostics := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiagnostics}, nil
	}
	files, err := h.generate(h.tool, pkg, req, loader)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		out := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(out, data, 0o600); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiagnostics}, nil
}
