// ESLint for the library, its tooling, tests and examples (`npm run lint`, run by `npm test`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: [".venv-aws-cli/**", ".sdk-build/**", "**/node_modules/**", "examples/java/target/**", "dist/**", "sdk/**", "node_modules/**", "out/**", "bin/**", "examples/*/node_modules/**", "examples/typescript/**", "**/*.d.ts"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        rules: {
            // Engine and gRPC payloads are untyped JSON; `any` is confined to those edges, not banned.
            "@typescript-eslint/no-explicit-any": "off",
            // `_name` marks a binding taken only to leave it out of a rest object.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        files: ["**/*.mjs", "**/*.js"],
        languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly" } },
    },
);
