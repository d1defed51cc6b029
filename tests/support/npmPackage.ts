/**
 * What the library's npm package may hold: the product only (library JS and types, the plugin files, its schema,
 * the helper scripts, README, LICENSE, package.json). Checked on `npm pack --dry-run` (tests/architecture.test.ts)
 * and on the released tarball itself (tests/release/consumer.e2e.ts).
 */
export const PRODUCT_FILES: RegExp[] = [
    /^(README\.md|LICENSE|package\.json)$/,
    /^dist\/provider\/(?!tools\/)([\w]+\/)*[\w]+\.(js|d\.ts)$/,
    /^dist\/provider\/iam\/action-catalog\.json$/,
    /^provider\/plugin\/(schema\.json|PulumiPlugin\.yaml|package\.json|pulumi-resource-eks-pod-identity)$/,
    /^provider\/crossAccount\/credential-process\.sh$/,
    /^provider\/agent\/wait-for-credentials\.sh$/,
];

/** Files the package must hold for the library and the plugin to work. */
export const REQUIRED_FILES = [
    "dist/provider/index.js",
    "dist/provider/index.d.ts",
    "dist/provider/plugin/main.js",
    "dist/provider/iam/action-catalog.json",
    "provider/plugin/schema.json",
    "provider/plugin/pulumi-resource-eks-pod-identity",
    "provider/crossAccount/credential-process.sh",
    "provider/agent/wait-for-credentials.sh",
    "README.md",
    "LICENSE",
];

/** The files of `files` that are not the product. */
export function notProduct(files: string[]): string[] {
    return files.filter((file) => !PRODUCT_FILES.some((pattern) => pattern.test(file)));
}
