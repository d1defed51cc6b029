"""End-to-end driver for the Python example, over the Pulumi Automation API and the real CLI.

The example's ``program`` runs as an inline program: the Python Automation API serves it to the CLI itself, so
no Python language host is needed. Protocol (shared by every language driver, see drivers/node.ts): argv[1] is
preview | up | destroy; E2E_WORK_DIR, E2E_PROJECT and E2E_CONFIG (JSON) describe the stack; progress goes to
stderr and the last stdout line is ``E2E-RESULT <json>``.
"""

import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
# E2E_PYTHON_EXAMPLE: a copy of examples/python elsewhere (the release consumer test runs it outside the repository).
sys.path.insert(0, os.environ.get("E2E_PYTHON_EXAMPLE") or os.path.join(ROOT, "examples", "python"))

from pulumi import automation as auto  # noqa: E402

import workload_program  # noqa: E402


def main() -> None:
    op = sys.argv[1]
    work_dir = os.environ["E2E_WORK_DIR"]
    project = os.environ["E2E_PROJECT"]
    config = json.loads(os.environ.get("E2E_CONFIG", "{}"))
    os.makedirs(work_dir, exist_ok=True)

    stack = auto.create_or_select_stack(
        stack_name="e2e",
        project_name=project,
        program=workload_program.program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=work_dir,
            pulumi_command=auto.PulumiCommand(root=ROOT, skip_version_check=True),
            project_settings=auto.ProjectSettings(name=project, runtime="python"),
        ),
    )
    for key, value in config.items():
        stack.set_config(key, auto.ConfigValue(value=value))

    def on_output(text: str) -> None:
        print(text, file=sys.stderr)

    if op == "preview":
        changes = stack.preview(on_output=on_output, diff=True).change_summary
    elif op == "up":
        changes = stack.up(on_output=on_output).summary.resource_changes or {}
    elif op == "destroy":
        changes = stack.destroy(on_output=on_output).summary.resource_changes or {}
    else:
        raise SystemExit(f"unknown operation {op}")

    outputs = {key: value.value for key, value in stack.outputs().items()}
    changes = {str(getattr(key, "value", key)): count for key, count in changes.items()}
    print("E2E-RESULT " + json.dumps({"outputs": outputs, "changes": changes}))


if __name__ == "__main__":
    main()
