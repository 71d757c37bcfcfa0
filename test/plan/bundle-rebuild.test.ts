/**
 * Issue 27: `npm run plan` and the Pulumi program (`pulumi preview` / `up`, through scripts/program.cjs) run from
 * bundles that scripts/cli-bundle.cjs keeps in `.cache/cli/`. A bundle left stale after a source edit would plan, or
 * deploy, another program than the sources: every edit of a file the bundle holds, a file a new import brings in, or
 * the TypeScript settings must make the next run use a new bundle. Checked on a small project of its own (the
 * launcher, the program loader and the dependencies of this checkout), so the edits never touch the checkout.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { PROJECT_DIR } from "../harness";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-rebuild-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/**
 * A project of its own in a new folder: the launcher, the program loader, the checkout's dependencies and lockfile, and
 * a command `cli/probe.ts` and a program `index.ts` that print and export `lib/word.ts`'s word.
 */
function project(name: string) {
    const work = path.join(root, name);
    fs.mkdirSync(path.join(work, "scripts"), { recursive: true });
    for (const f of ["cli-bundle.cjs", "program.cjs", "lazy-modules.cjs"])
        fs.copyFileSync(path.join(PROJECT_DIR, "scripts", f), path.join(work, "scripts", f));
    fs.symlinkSync(fs.realpathSync(path.join(PROJECT_DIR, "node_modules")), path.join(work, "node_modules"));
    fs.copyFileSync(path.join(PROJECT_DIR, "package-lock.json"), path.join(work, "package-lock.json"));
    const write = (rel: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
        fs.writeFileSync(path.join(work, rel), text);
    };
    const node = (args: string[], cwd: string) => {
        const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 120_000 });
        assert.equal(r.status, 0, `node ${args.join(" ")}: ${r.stdout}${r.stderr}`);
        return r.stdout.trim();
    };
    write("lib/word.ts", 'export const word = "one";\n');
    write("cli/probe.ts", 'import { word } from "../lib/word";\nconsole.log(word);\n');
    write("index.ts", 'import { word } from "./lib/word";\nexport const out = word;\n');
    return {
        work,
        write,
        /** What `npm run plan` would print, for the command `cli/probe.ts`, run from `cwd`. */
        command: (cwd = work) => node([path.join(work, "scripts", "cli-bundle.cjs"), "probe"], cwd),
        /** The program's exports as Pulumi gets them: package.json `main` loaded, its function called and awaited. */
        program: () =>
            JSON.parse(
                node(
                    [
                        "-e",
                        `require(${JSON.stringify(path.join(work, "scripts", "program.cjs"))})().then((x) => console.log(JSON.stringify(x)))`,
                    ],
                    work,
                ),
            ),
        /** The bundles of the command kept in `.cache/cli/`. */
        bundles: () => fs.readdirSync(path.join(work, ".cache", "cli")).filter((f) => /^probe-.*\.cjs$/.test(f)),
    };
}

describe("a bundle after a source edit", () => {
    it("a command runs what its sources say after each edit, a new import's file included", () => {
        const { write, command, bundles } = project("command");
        assert.equal(command(), "one");
        assert.equal(command(), "one", "from the kept bundle");
        write("lib/word.ts", 'export const word = "two";\n');
        assert.equal(command(), "two", "an imported file edited");
        write("lib/word.ts", 'import { suffix } from "./suffix";\nexport const word = `three${suffix}`;\n');
        write("lib/suffix.ts", 'export const suffix = "-a";\n');
        assert.equal(command(), "three-a", "a new import");
        write("lib/suffix.ts", 'export const suffix = "-b";\n');
        assert.equal(command(), "three-b", "the newly imported file edited");
        assert.deepEqual(bundles().length, 1, `old bundles removed: ${bundles().join(", ")}`);
    });

    it("is built again after an edit when run from another folder than the project's", () => {
        const { work, write, command } = project("elsewhere");
        const deep = path.join(work, "a", "b");
        fs.mkdirSync(deep, { recursive: true });
        assert.equal(command(deep), "one");
        write("lib/word.ts", 'export const word = "two";\n');
        assert.equal(command(deep), "two");
        assert.equal(command(), "two");
    });

    it("the Pulumi program (scripts/program.cjs) exports what its sources say after each edit", () => {
        const { write, program } = project("program");
        assert.deepEqual(program(), { out: "one" });
        write("lib/word.ts", 'export const word = "two";\n');
        assert.deepEqual(program(), { out: "two" });
        write("index.ts", 'import { word } from "./lib/word";\nexport const out = word;\nexport const more = 1;\n');
        assert.deepEqual(program(), { out: "two", more: 1 });
    });

    it("is built again when tsconfig.json changes (esbuild reads it: class fields, decorators, paths)", () => {
        const { write, command, bundles } = project("tsconfig");
        command();
        const before = bundles();
        assert.equal(before.length, 1);
        write("tsconfig.json", '{ "compilerOptions": { "useDefineForClassFields": false } }\n');
        command();
        assert.notDeepEqual(bundles(), before);
    });
});
