/**
 * End-to-end driver for TypeScript and YAML programs, over the Pulumi Automation API and the real CLI.
 *
 *   node node.js typescript <op>   the example's exported `program` as an inline program (the Node.js Automation
 *                                  API serves it to the CLI itself, so no Node.js language host is needed)
 *   node node.js yaml <op>         the YAML example as a local program, run by the built pulumi-language-yaml
 *   node node.js program <op>      the inline program exported by the compiled module E2E_PROGRAM (test programs
 *                                  on the TypeScript library, e.g. programs/claimServiceAccount.ts), with
 *                                  @pulumi/pulumi from E2E_PROGRAM_DIR (default: this repository)
 *
 * The protocol every language driver follows: <op> is preview | up | destroy; E2E_WORK_DIR is the stack's
 * workspace folder, E2E_PROJECT its project name, E2E_CONFIG a JSON object of stack configuration set before the
 * operation; the CLI's progress goes to stderr and the last stdout line is `E2E-RESULT <json>` with the stack
 * outputs as plain values and the change counts.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../../../..");

type Operation = "preview" | "up" | "destroy";

async function main(): Promise<void> {
    const [language, op] = process.argv.slice(2) as ["typescript" | "yaml" | "program", Operation];
    const workDir = required("E2E_WORK_DIR");
    const project = required("E2E_PROJECT");
    const config: Record<string, string> = JSON.parse(process.env.E2E_CONFIG ?? "{}");

    // E2E_PROGRAM_DIR: a project of its own for `program` (the release consumer test's, outside the repository).
    const exampleDir = language === "program" ? (process.env.E2E_PROGRAM_DIR ?? ROOT) : path.join(ROOT, "examples", language);
    // The program and the Automation API must share one copy of @pulumi/pulumi: resolve it from the example.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the example at run time
    const auto = require(require.resolve("@pulumi/pulumi/automation", { paths: [exampleDir] }));
    const pulumiCommand = await auto.PulumiCommand.get({ root: ROOT, skipVersionCheck: true });
    fs.mkdirSync(workDir, { recursive: true });

    let stack;
    if (language === "typescript" || language === "program") {
        // The example is built by tests/sdk/check.sh (tsc -p examples/typescript), against the built generated SDK.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the program under test, chosen at run time
        const { program } = require(language === "program" ? required("E2E_PROGRAM") : path.join(exampleDir, "bin", "program"));
        stack = await auto.LocalWorkspace.createOrSelectStack(
            { stackName: "e2e", projectName: project, program },
            { workDir, pulumiCommand, projectSettings: { name: project, runtime: "nodejs" } },
        );
    } else {
        // A copy, so that the stack's settings file is written outside the repository.
        fs.cpSync(exampleDir, workDir, { recursive: true });
        const settings = path.join(workDir, "Pulumi.yaml");
        // The copy keeps pointing at this checkout's plugin (the example names it by a relative path).
        const text = fs
            .readFileSync(settings, "utf8")
            .replace(/^name:.*$/m, `name: ${project}`)
            .replace(/path: (\.\.\/\.\.\/provider\/plugin)$/m, (_m, relative) => `path: ${path.resolve(exampleDir, relative)}`);
        fs.writeFileSync(settings, text);
        stack = await auto.LocalWorkspace.createOrSelectStack({ stackName: "e2e", workDir }, { pulumiCommand });
    }
    for (const [key, value] of Object.entries(config)) await stack.setConfig(key, { value });

    const onOutput = (text: string) => process.stderr.write(text);
    let changes: Record<string, number>;
    if (op === "preview") {
        changes = (await stack.preview({ onOutput, diff: true })).changeSummary;
    } else if (op === "up") {
        changes = (await stack.up({ onOutput })).summary.resourceChanges ?? {};
    } else if (op === "destroy") {
        changes = (await stack.destroy({ onOutput })).summary.resourceChanges ?? {};
    } else {
        throw new Error(`unknown operation ${op}`);
    }
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(await stack.outputs())) outputs[key] = (value as { value: unknown }).value;
    process.stdout.write(`E2E-RESULT ${JSON.stringify({ outputs, changes })}\n`);
}

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
}

main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
});
