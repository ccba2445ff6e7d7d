// start.mjs against a fake `jupyter-lab` (a shell script in a temporary TSQUANT_VENV that logs its
// arguments and prints a server URL the way Jupyter does, on stderr): the arguments it adds, the
// URL it restates, and the message when the venv is missing.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const start = join(root, "kernel", "scripts", "start.mjs");

const FAKE_JUPYTER_LAB = `#!/bin/sh
for a in "$@"; do echo "ARG $a" >&2; done
echo "[I ServerApp] Jupyter Server 2.21.1 is running at:" >&2
echo "[I ServerApp] http://localhost:8891/lab?token=0123abcd" >&2
exit 3
`;

let venv = "";
before(() => {
  venv = join(mkdtempSync(join(tmpdir(), "tsquant-start-")), ".venv");
  mkdirSync(join(venv, "bin"), { recursive: true });
  writeFileSync(join(venv, "bin", "jupyter-lab"), FAKE_JUPYTER_LAB);
  chmodSync(join(venv, "bin", "jupyter-lab"), 0o755);
});
after(() => rmSync(join(venv, ".."), { recursive: true, force: true }));

function runStart(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [start, ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", TSQUANT_VENV: venv, ...env },
  });
  const passed = [...r.stderr.matchAll(/^ARG (.*)$/gm)].map((m) => m[1]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, passed };
}

describe("start.mjs", () => {
  test("headless: adds --no-browser and serves notebooks/; passes user arguments through", () => {
    const r = runStart(["--port", "8891"]);
    assert.deepEqual(r.passed.slice(0, 3), ["--port", "8891", "--no-browser"]);
    assert.ok(r.passed.includes(`--ServerApp.root_dir=${join(root, "notebooks")}`), r.stderr);
    assert.equal(r.status, 3, "exits with Jupyter's exit code");
  });

  test("restates the URL with its token", () => {
    const r = runStart([]);
    assert.match(
      r.stdout,
      /JupyterLab is serving .*notebooks at\n\n {4}http:\/\/localhost:8891\/lab\?token=0123abcd\n/,
    );
  });

  test("with a display, no --no-browser; an explicit one is not doubled", () => {
    assert.ok(!runStart([], { DISPLAY: ":0" }).passed.includes("--no-browser"));
    assert.equal(runStart(["--no-browser"]).passed.filter((a) => a === "--no-browser").length, 1);
  });

  test("--allow-root exactly when running as root", () => {
    const isRoot = process.getuid?.() === 0;
    assert.equal(runStart([]).passed.includes("--allow-root"), isRoot);
  });

  test("a given root dir is kept", () => {
    const r = runStart(["--ServerApp.root_dir=/tmp"]);
    assert.equal(r.passed.filter((a) => a.startsWith("--ServerApp.root_dir")).length, 1);
  });

  test("no venv: says to run npm install, exit 1", () => {
    const r = runStart([], { TSQUANT_VENV: join(venv, "..", "missing") });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /JupyterLab is not installed: .*missing\/bin\/jupyter-lab is missing\. Run `npm install`/,
    );
  });
});
