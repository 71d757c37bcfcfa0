import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { createRequire } from "node:module";

const pulumiPlugin = createRequire(import.meta.url)("./scripts/pulumi-eslint-plugin.cjs");

/**
 * The layers (docs/development.md): each folder imports only the folders below it. A back-edge fails lint.
 * lib → catalog → config → k8s → modules → addons → platform → pipeline, ops → cli, index.ts; testing/ and the tests
 * sit on top and nothing else imports them. Add-ons and modules may import `platform/contracts.ts` for types only.
 */
const ABOVE = {
    lib: ["catalog", "config", "k8s", "modules", "addons", "platform", "pipeline", "ops", "cli", "testing", "test"],
    catalog: ["config", "k8s", "modules", "addons", "platform", "pipeline", "ops", "cli", "testing", "test"],
    config: ["k8s", "modules", "addons", "platform", "pipeline", "ops", "cli", "testing", "test"],
    k8s: ["modules", "addons", "platform", "pipeline", "ops", "cli", "testing", "test"],
    modules: ["addons", "pipeline", "ops", "cli", "testing", "test"],
    addons: ["pipeline", "ops", "cli", "testing", "test"],
    platform: ["pipeline", "ops", "cli", "testing", "test"],
    pipeline: ["ops", "cli", "testing", "test"],
    ops: ["pipeline", "cli", "testing", "test"],
    cli: ["testing", "test"],
};
const folders = (names) => names.flatMap((n) => [`../${n}`, `../${n}/**`, `**/../${n}`, `**/../${n}/**`]);
const layer = (folder, extra = [], typeOnly = [], regex = undefined) => ({
    files: [`${folder}/**/*.ts`],
    ignores: ["**/*.test.ts", "**/engine-fixture.ts"],
    rules: {
        "@typescript-eslint/no-restricted-imports": [
            "error",
            {
                patterns: [
                    {
                        group: [...folders(ABOVE[folder.split("/")[0]] ?? []), ...extra],
                        message: "imports a higher layer (see the layer rules at the top of eslint.config.mjs)",
                    },
                    ...(regex
                        ? [{ regex, message: "an add-on imports no other add-on (declare it in `requires`)" }]
                        : []),
                    ...(typeOnly.length
                        ? [
                              {
                                  group: typeOnly,
                                  allowTypeImports: true,
                                  message: "platform contracts are imported as types only",
                              },
                          ]
                        : []),
                ],
            },
        ],
    },
});
const PLATFORM_BUT_CONTRACTS = ["**/platform/*", "!**/platform/contracts"];

export default tseslint.config(
    {
        ignores: ["node_modules/", "bin/", ".cache/", "bundle/", ".pulumi-tmp/", "addons/*/fixture/**/templates/"],
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
    layer("lib"),
    layer("catalog"),
    layer("config"),
    layer("k8s"),
    layer(
        "modules/ceph",
        ["**/modules/aihub/**", "**/modules/backup/**", "**/modules/mirror/**", ...PLATFORM_BUT_CONTRACTS],
        ["**/platform/contracts"],
    ),
    layer(
        "modules/aihub",
        ["**/modules/backup/**", "**/modules/mirror/**", ...PLATFORM_BUT_CONTRACTS],
        ["**/platform/contracts"],
    ),
    layer("modules/backup", ["**/modules/mirror/**", ...PLATFORM_BUT_CONTRACTS], ["**/platform/contracts"]),
    layer(
        "modules/mirror",
        ["**/modules/ceph/**", "**/modules/aihub/**", "**/modules/backup/**", ...PLATFORM_BUT_CONTRACTS],
        ["**/platform/contracts"],
    ),
    // An add-on imports no other add-on (only addons/shared); a need for another's config or output is declared in
    // its `requires` and passed through platform contracts.
    layer("addons", PLATFORM_BUT_CONTRACTS, ["**/platform/contracts"], "^\\.\\./(?!shared(/|$)|\\.\\./)[^/]+"),
    layer("platform"),
    layer("pipeline", ["**/platform/platform"]),
    layer("ops", ["**/platform/platform"]),
    layer("cli"),
    {
        files: ["**/*.mjs", "**/*.cjs"],
        languageOptions: {
            globals: {
                process: "readonly",
                console: "readonly",
                require: "readonly",
                module: "writable",
                __dirname: "readonly",
                __filename: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
