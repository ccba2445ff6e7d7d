/**
 * `tsquant install` / `uninstall` as the README writes them (`npx tsquant …`, the bin npm links
 * at install), checked with Jupyter's own tools from .venv: the kernelspec and the labextension
 * appear, then go away.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const JUPYTER = join(ROOT, ".venv", "bin", "jupyter");

function tsquant(...args: string[]) {
  return spawnSync("npx", ["--no-install", "tsquant", ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
}

function jupyter(prefix: string, ...args: string[]) {
  const env = { ...process.env, JUPYTER_PATH: join(prefix, "share", "jupyter") };
  return spawnSync(JUPYTER, args, { encoding: "utf8", env });
}

test("install --prefix puts the kernelspec and the extension where Jupyter finds them; uninstall removes them", () => {
  assert.ok(existsSync(JUPYTER), "no .venv/bin/jupyter: run npm install");
  const prefix = mkdtempSync(join(tmpdir(), "tsquant-install-"));
  try {
    const r = tsquant("install", "--prefix", prefix);
    assert.equal(r.status, 0, r.stderr);
    const kernelDir = join(prefix, "share", "jupyter", "kernels", "tsquant");
    const spec = JSON.parse(readFileSync(join(kernelDir, "kernel.json"), "utf8")) as {
      argv: string[];
      display_name: string;
      interrupt_mode: string;
    };
    assert.equal(spec.display_name, "TypeScript (tsquant)");
    assert.equal(spec.interrupt_mode, "signal");
    assert.ok(spec.argv.includes("{connection_file}"));
    assert.ok(existsSync(join(kernelDir, "logo-64x64.png")));

    const specs = jupyter(prefix, "kernelspec", "list", "--json");
    assert.equal(specs.status, 0, specs.stderr);
    const listed = JSON.parse(specs.stdout) as {
      kernelspecs: Record<string, { resource_dir: string }>;
    };
    assert.equal(listed.kernelspecs.tsquant?.resource_dir, kernelDir);

    const ext = jupyter(prefix, "labextension", "list");
    assert.match(`${ext.stdout}${ext.stderr}`, /tsquant-labextension v\S+ .*enabled.*OK/);

    const u = tsquant("uninstall", "--prefix", prefix);
    assert.equal(u.status, 0, u.stderr);
    assert.ok(!existsSync(kernelDir));
    assert.ok(
      !existsSync(join(prefix, "share", "jupyter", "labextensions", "tsquant-labextension")),
    );
    const after = JSON.parse(jupyter(prefix, "kernelspec", "list", "--json").stdout) as {
      kernelspecs: Record<string, { resource_dir: string }>;
    };
    assert.notEqual(after.kernelspecs.tsquant?.resource_dir, kernelDir);
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});

test("install refuses two destinations and stray arguments with one line", () => {
  const both = tsquant("install", "--user", "--prefix", "/tmp/x");
  assert.equal(both.status, 1);
  assert.equal(both.stderr.trim().split("\n").length, 1);
  assert.match(both.stderr, /at most one of --user, --sys-prefix, --prefix/);
  const stray = tsquant("uninstall", "somewhere");
  assert.equal(stray.status, 1);
  assert.match(stray.stderr, /takes no arguments/);
});
