/**
 * The tsquant kernel as Jupyter tools see it, from the project's .venv: jupyter_kernel_test's
 * conformance suite (test/kernel/kernel_tests.py, plus a restart) and nbclient executing a small
 * notebook (test/kernel/run_notebook.py: execution counts filled, outputs saved with the tsquant
 * MIME type as JSON, an error cell that does not stop the next). The kernelspec is installed into
 * a temp prefix by `installKernelspec` and found through JUPYTER_PATH.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installKernelspec, uninstallKernelspec } from "../../kernel/src/jupyter/install";
import { ROOT, buildKernel } from "./client";

const PYTHON = join(ROOT, ".venv", "bin", "python");
let prefix: string;
let env: NodeJS.ProcessEnv;

/** Run the venv's python with `args` in test/kernel; resolves with exit code and output. */
function python(
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, args, { cwd: __dirname, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("tsquant kernel under jupyter_client", { timeout: 600_000 }, () => {
  before(async () => {
    buildKernel();
    prefix = mkdtempSync(join(tmpdir(), "tsquant-jupyter-"));
    const { kernelDir } = await installKernelspec({ prefix, labextension: false });
    assert.ok(existsSync(join(kernelDir, "logo-64x64.png")));
    const spec = JSON.parse(readFileSync(join(kernelDir, "kernel.json"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(spec["interrupt_mode"], "signal");
    assert.equal(spec["display_name"], "TypeScript (tsquant)");
    env = {
      ...process.env,
      JUPYTER_PATH: join(prefix, "share", "jupyter"),
      PYTHONDONTWRITEBYTECODE: "1",
    };
  });
  after(async () => {
    const { existed } = await uninstallKernelspec({ prefix, labextension: false });
    assert.equal(existed, true);
    rmSync(prefix, { recursive: true, force: true });
  });

  test("jupyter kernelspec list finds it", async () => {
    const r = await python(["-m", "jupyter", "kernelspec", "list", "--json"], 60_000);
    assert.equal(r.code, 0, r.output);
    const specs = (
      JSON.parse(r.output) as { kernelspecs: Record<string, { resource_dir: string }> }
    ).kernelspecs;
    assert.equal(
      specs["tsquant"]?.resource_dir,
      join(prefix, "share", "jupyter", "kernels", "tsquant"),
    );
  });

  test("jupyter_kernel_test: every configured check passes", async () => {
    const r = await python(["-m", "unittest", "-v", "kernel_tests"], 420_000);
    assert.equal(r.code, 0, r.output);
    // 12 checks (completion, display_data, error, execute_result, stderr, stdout, history,
    // inspect, is_complete, kernel_info, restart, + iopub welcome skipped) and the pager skip.
    assert.match(r.output, /Ran 1[34] tests/);
    assert.doesNotMatch(r.output, /FAIL|ERROR/);
  });

  test("nbclient runs a notebook and saves counts and tsquant outputs", async () => {
    const out = join(prefix, "executed.ipynb");
    const r = await python(["run_notebook.py", out], 180_000);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /notebook ok: \[1, 2, 3, 4, 5\]/);
  });
});
