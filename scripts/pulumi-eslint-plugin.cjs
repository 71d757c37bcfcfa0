// @pulumi/eslint-plugin 0.3.1 is published with an empty dist/ but ships its TypeScript source: transpile that
// source in memory so eslint can use the plugin's rules.
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const ts = require("typescript");

const srcDir = path.join(path.dirname(require.resolve("@pulumi/eslint-plugin/package.json")), "src");

function load(file) {
    const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const m = new Module(file, module);
    m.filename = file;
    m.paths = Module._nodeModulePaths(srcDir);
    const req = (id) => (id.startsWith(".") ? load(path.resolve(path.dirname(file), `${id}.ts`)) : m.require(id));
    new Function("exports", "require", "module", "__filename", "__dirname", out)(
        m.exports,
        req,
        m,
        file,
        path.dirname(file),
    );
    return m.exports;
}

module.exports = load(path.join(srcDir, "index.ts"));
