// The set-up's failure messages and its idempotence, driven through a fake Python: a shell script
// that answers the three things setup.mjs asks of an interpreter (its version, `-m venv`,
// `-m pip`) as the FAKE_* variables say. The venv goes to a temporary TSQUANT_VENV and the build
// is skipped, so these tests touch nothing in the repository and need no network.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const setup = join(root, "kernel", "scripts", "setup.mjs");

const FAKE_PYTHON = `#!/bin/sh
# Fake python for setup.test.ts.
case "$1" in
  -c) echo "$FAKE_VERSION"; exit 0 ;;
esac
if [ "$1 $2" = "-m venv" ]; then
  shift 2
  [ "$1" = "--clear" ] && shift
  mkdir -p "$1/bin"
  if [ "$FAKE_VENV" = "no-ensurepip" ]; then
    # What Debian's python3 prints without python3-venv (after creating the folder).
    echo "The virtual environment was not created successfully because ensurepip is not"
    echo "available.  On Debian/Ubuntu systems, you need to install the python3-venv package."
    exit 1
  fi
  cp "$0" "$1/bin/python"
  exit 0
fi
if [ "$1 $2 $3" = "-m pip --version" ]; then echo "pip 25.0"; exit 0; fi
if [ "$1 $2 $3" = "-m pip install" ]; then
  echo "pip install $*" >> "$FAKE_LOG"
  if [ "$FAKE_PIP" = "fail" ]; then
    i=1; while [ $i -le 30 ]; do echo "Collecting package-$i"; i=$((i+1)); done
    echo "ERROR: Could not find a version that satisfies the requirement ai-edge-litert==2.3.0" >&2
    echo "ERROR: No matching distribution found for ai-edge-litert==2.3.0" >&2
    exit 1
  fi
  echo "Successfully installed everything"; exit 0
fi
echo "fake python: unexpected arguments: $*" >&2; exit 2
`;

let dir = "";
let fakePython = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "tsquant-setup-"));
  fakePython = join(dir, "python3");
  writeFileSync(fakePython, FAKE_PYTHON);
  chmodSync(fakePython, 0o755);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs setup.mjs with a fresh venv path (or the given one) and the given environment. */
function runSetup(env: Record<string, string>, venv = join(mkdtempSync(join(dir, "v-")), ".venv")) {
  const r = spawnSync(process.execPath, [setup], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      TSQUANT_VENV: venv,
      TSQUANT_SKIP_BUILD: "1",
      FAKE_LOG: join(dir, "pip.log"),
      ...env,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, venv };
}

/** One paragraph of explanation on stderr, exit 1, and no stack trace. */
function assertCleanFailure(r: { status: number | null; stderr: string }, ...patterns: RegExp[]) {
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /tsquant setup failed: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  for (const p of patterns) assert.match(r.stderr, p);
}

describe("setup.mjs fails with a clear message", () => {
  test("no Python at the given path", () => {
    const r = runSetup({ PYTHON: "/nonexistent/python3" });
    assertCleanFailure(
      r,
      /Python was not found: tried `\/nonexistent\/python3` \(from PYTHON\)/,
      /Python >= 3\.10/,
      /apt-get install python3 python3-venv/,
      /TSQUANT_SKIP_SETUP=1/,
    );
  });

  test("no python3 on PATH", () => {
    const r = runSetup({ PATH: join(dir, "empty-path") });
    assertCleanFailure(r, /Python was not found: tried `python3` on PATH/);
  });

  test("Python too old", () => {
    const r = runSetup({ PYTHON: fakePython, FAKE_VERSION: "3.9.18" });
    assertCleanFailure(
      r,
      /Python 3\.9\.18 \(.*python3\) is too old: tsquant needs Python >= 3\.10/,
    );
  });

  test("no venv module / ensurepip (Debian without python3-venv); no half-made venv left", () => {
    const r = runSetup({ PYTHON: fakePython, FAKE_VERSION: "3.11.2", FAKE_VENV: "no-ensurepip" });
    assertCleanFailure(
      r,
      /cannot create a virtual environment/,
      /apt-get install python3-venv/,
      /python3\.11-venv/,
    );
    assert.equal(existsSync(r.venv), false);
  });

  test("pip failure shows pip's last lines and keeps the whole log", () => {
    const r = runSetup({ PYTHON: fakePython, FAKE_VERSION: "3.11.2", FAKE_PIP: "fail" });
    assertCleanFailure(
      r,
      /pip could not install the Python packages \(exit 1\)/,
      /No matching distribution found for ai-edge-litert==2\.3\.0/,
      /pip-install\.log/,
    );
    assert.doesNotMatch(r.stderr, /Collecting package-1\n/, "only the last lines");
    assert.match(readFileSync(join(r.venv, "pip-install.log"), "utf8"), /Collecting package-1\n/);
    assert.equal(
      existsSync(join(r.venv, ".tsquant-setup.json")),
      false,
      "no stamp after a failure",
    );
  });
});

describe("setup.mjs is idempotent", () => {
  test("second run skips pip; a changed Python version re-runs it; config copied into etc/jupyter", () => {
    const venv = join(mkdtempSync(join(dir, "v-")), ".venv");
    const log = join(dir, "idem.log");
    const env = { PYTHON: fakePython, FAKE_VERSION: "3.12.1", FAKE_LOG: log };
    const first = runSetup(env, venv);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /creating .*\.venv with Python 3\.12\.1/);
    assert.match(first.stdout, /installing the Python packages/);
    assert.match(readFileSync(log, "utf8"), /-r .*kernel\/python\/requirements\.txt/);
    const stamp = JSON.parse(readFileSync(join(venv, ".tsquant-setup.json"), "utf8"));
    assert.equal(stamp.python, "3.12.1");
    assert.deepEqual(
      readFileSync(join(venv, "etc", "jupyter", "jupyter_server_config.json")),
      readFileSync(join(root, "jupyter-config", "jupyter_server_config.json")),
    );

    const second = runSetup(env, venv);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /Python packages up to date/);
    assert.doesNotMatch(second.stdout, /creating|installing|copied/);
    assert.equal(readFileSync(log, "utf8").split("\n").filter(Boolean).length, 1, "pip ran once");

    const third = runSetup({ ...env, FAKE_VERSION: "3.12.2" }, venv);
    assert.equal(third.status, 0, third.stderr);
    assert.match(third.stdout, /installing the Python packages/);
  });

  test("TSQUANT_SKIP_SETUP=1 skips Python entirely", () => {
    const r = runSetup({ TSQUANT_SKIP_SETUP: "1", PYTHON: "/nonexistent/python3" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /TSQUANT_SKIP_SETUP=1: skipping the Python environment/);
    assert.equal(existsSync(r.venv), false);
  });
});
