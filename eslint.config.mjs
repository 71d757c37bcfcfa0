import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createRequire } from "node:module";

const pulumiPlugin = createRequire(import.meta.url)("./scripts/pulumi-eslint-plugin.cjs");

export default tseslint.config(
    {
        ignores: [
            "node_modules/",
            "bin/",
            ".cache/",
            "bundle/",
            "test/fixtures/**/templates/",
            "addons/*/fixture/**/templates/",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumiPlugin },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        files: ["**/*.mjs", "**/*.cjs"],
        languageOptions: {
            globals: { process: "readonly", console: "readonly", require: "readonly", module: "writable" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
