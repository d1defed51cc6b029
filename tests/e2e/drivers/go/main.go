// End-to-end driver for the Go example, over the Pulumi Automation API and the real CLI.
//
// The example's workload.Program runs as an inline program: the Go Automation API serves it to the CLI itself, so
// no Go language host is needed. Protocol (shared by every language driver, see ../node.ts): the argument is
// preview | up | destroy; E2E_WORK_DIR, E2E_PROJECT and E2E_CONFIG (JSON) describe the stack; progress goes to
// stderr and the last stdout line is `E2E-RESULT <json>`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity/examples/go/workload"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: %s preview|up|destroy", os.Args[0])
	}
	op := os.Args[1]
	ctx := context.Background()
	root := os.Getenv("E2E_ROOT")
	workDir := os.Getenv("E2E_WORK_DIR")
	project := os.Getenv("E2E_PROJECT")
	config := map[string]string{}
	if err := json.Unmarshal([]byte(os.Getenv("E2E_CONFIG")), &config); err != nil {
		return fmt.Errorf("E2E_CONFIG: %w", err)
	}
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return err
	}
	command, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root, SkipVersionCheck: true})
	if err != nil {
		return err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, "e2e", project, workload.Program,
		auto.WorkDir(workDir),
		auto.Pulumi(command),
		auto.Project(workspace.Project{
			Name:    tokens.PackageName(project),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		}))
	if err != nil {
		return err
	}
	for key, value := range config {
		if err := stack.SetConfig(ctx, key, auto.ConfigValue{Value: value}); err != nil {
			return err
		}
	}

	changes := map[string]int{}
	switch op {
	case "preview":
		result, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stderr), optpreview.Diff())
		if err != nil {
			return err
		}
		for kind, count := range result.ChangeSummary {
			changes[string(kind)] = count
		}
	case "up":
		result, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		if result.Summary.ResourceChanges != nil {
			changes = *result.Summary.ResourceChanges
		}
	case "destroy":
		result, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
		if err != nil {
			return err
		}
		if result.Summary.ResourceChanges != nil {
			changes = *result.Summary.ResourceChanges
		}
	default:
		return fmt.Errorf("unknown operation %s", op)
	}

	outputs := map[string]any{}
	values, err := stack.Outputs(ctx)
	if err != nil {
		return err
	}
	for key, value := range values {
		outputs[key] = value.Value
	}
	result, err := json.Marshal(map[string]any{"outputs": outputs, "changes": changes})
	if err != nil {
		return err
	}
	fmt.Printf("E2E-RESULT %s\n", result)
	return nil
}

