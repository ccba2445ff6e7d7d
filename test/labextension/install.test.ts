import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const SCRIPT = join(ROOT, "labextension", "scripts", "install.mjs");
const BUILT = join(ROOT, "labextension", "dist", "labextension", "package.json");
const JUPYTER = join(ROOT, ".venv", "bin", "jupyter");
const prefix = mkdtempSync(join(tmpdir(), "tsquant-prefix-"));
after(() => rmSync(prefix, { recursive: true, force: true }));

function run(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

test(
  "install puts the prebuilt extension where JupyterLab finds it; uninstall removes it",
  { skip: existsSync(BUILT) ? false : "extension not built (npm run build:labextension)" },
  () => {
    const dest = join(prefix, "share", "jupyter", "labextensions", "tsquant-labextension");
    assert.equal(run("--prefix", prefix).status, 0);
    assert.equal(run("--prefix", prefix).status, 0, "a second install replaces the first");
    assert.deepEqual(readdirSync(dest).sort(), ["install.json", "package.json", "static"]);
    if (existsSync(JUPYTER)) {
      // The .venv's JupyterLab lists it as enabled when the prefix is on the Jupyter data path.
      const list = spawnSync(JUPYTER, ["labextension", "list"], {
        encoding: "utf8",
        env: { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") },
      });
      assert.match(list.stdout + list.stderr, /tsquant-labextension v0\.1\.0 .*enabled.*OK/);
    }
    const removed = run("--prefix", prefix, "--uninstall");
    assert.equal(removed.status, 0);
    assert.match(removed.out, /removed/);
    assert.equal(existsSync(dest), false);
  },
);

test("install refuses, naming the folder, when there is no build to install", () => {
  const r = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { installLabextension } from ${JSON.stringify(SCRIPT)}; try { installLabextension(${JSON.stringify(prefix)}, "/nonexistent/build"); } catch (e) { console.log(e.message); }`,
    ],
    { encoding: "utf8" },
  );
  assert.match(r.stdout, /\/nonexistent\/build has no package\.json; build it first/);
});
