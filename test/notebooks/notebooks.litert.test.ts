/**
 * The bundled notebooks, executed: `node kernel/scripts/tutorial.mjs --out <temp>` runs every
 * notebook on the tsquant kernel with nbclient from the project's .venv (as `npm run tutorial`
 * does), then this checks that no cell failed and that the side-by-side table (the JSON the
 * 05 notebook writes) shows the tutorials' pattern.
 *
 * The default is the full run (5 epochs on 60,000 images: minutes of CPU). CI may shorten
 * training with TSQUANT_TUTORIAL_EPOCHS / TSQUANT_TUTORIAL_TRAIN_IMAGES; the thresholds then
 * widen to what a briefly trained model still meets (see `thresholds`).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const NOTEBOOKS = join(ROOT, "notebooks");

interface Row {
  variant: string;
  accuracy: number;
  sizeBytes: number;
  latencyMs: number | null;
  inputType: string;
  outputType: string;
}
interface SideBySide {
  baseline: string;
  rows: Row[];
  settings: { epochs: number; trainImages: number; testImages: number };
}

/**
 * Full run: the pattern — float ≥ 97.5 %, float16 and dynamic range within 0.1 point of
 * float, int8 within 0.5 point, QAT ≥ int8 PTQ − 0.1 point. Shortened run (fewer epochs or
 * images): float ≥ 85 %, float16 within 0.2 point, dynamic within 0.5, int8 within 1.0, QAT ≥
 * PTQ − 1.0 — a less trained model has flatter logits, so rounding flips more argmaxes.
 * Sizes do not depend on training: float16 0.45–0.55 × float, int8 0.2–0.33 × float.
 */
function thresholds(full: boolean): {
  floatMin: number;
  float16: number;
  dynamic: number;
  int8: number;
  qat: number;
} {
  return full
    ? { floatMin: 0.975, float16: 0.001, dynamic: 0.001, int8: 0.005, qat: 0.001 }
    : { floatMin: 0.85, float16: 0.002, dynamic: 0.005, int8: 0.01, qat: 0.01 };
}

function run(
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function runPython(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, ".venv", "bin", "python"), args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

interface Cell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: { output_type: string; ename?: string; evalue?: string }[];
}

describe("bundled notebooks (npm run tutorial)", { timeout: 4 * 3600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), "tsquant-tutorial-"));
  const names = readdirSync(NOTEBOOKS)
    .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
    .sort();
  let result: { code: number | null; output: string } = { code: null, output: "" };

  test("the six notebooks are there, on the tsquant kernel", () => {
    assert.deepEqual(names, [
      "00-quantization-arithmetic.ipynb",
      "01-float16.ipynb",
      "02-dynamic-range.ipynb",
      "03-integer.ipynb",
      "04-qat.ipynb",
      "05-side-by-side.ipynb",
    ]);
    for (const n of names) {
      const nb = JSON.parse(readFileSync(join(NOTEBOOKS, n), "utf8")) as {
        metadata: { kernelspec: { name: string; language: string } };
      };
      assert.equal(nb.metadata.kernelspec.name, "tsquant", n);
      assert.equal(nb.metadata.kernelspec.language, "typescript", n);
    }
  });

  test("the committed notebooks are build_notebooks.py's sources, saved with their outputs", async () => {
    const check = await runPython([
      "-c",
      [
        "import sys, nbformat",
        `sys.path.insert(0, ${JSON.stringify(NOTEBOOKS)})`,
        "sys.dont_write_bytecode = True",
        "import build_notebooks as b",
        "for name, cells in b.NOTEBOOKS.items():",
        `    nb = nbformat.read(${JSON.stringify(NOTEBOOKS)} + '/' + name, as_version=4)`,
        "    nbformat.validate(nb)",
        "    assert [c.source for c in nb.cells] == [c.source for c in cells], name",
        "print('sources ok')",
      ].join("\n"),
    ]);
    assert.equal(check.code, 0, check.output);
    for (const n of names) {
      const cells = (
        JSON.parse(readFileSync(join(NOTEBOOKS, n), "utf8")) as { cells: Cell[] }
      ).cells.filter((c) => c.cell_type === "code");
      cells.forEach((c, i) => {
        assert.equal(c.execution_count, i + 1, `${n} cell ${i + 1} is not saved executed`);
        const err = c.outputs?.find((o) => o.output_type === "error");
        assert.equal(err, undefined, `${n} cell ${i + 1}: ${err?.ename}: ${err?.evalue}`);
      });
      assert.ok(
        cells.some((c) => (c.outputs?.length ?? 0) > 0),
        `${n} has no outputs`,
      );
    }
  });

  test("every notebook runs without error", async () => {
    result = await run(
      [join(ROOT, "kernel", "scripts", "tutorial.mjs"), "--out", out],
      4 * 3600_000 - 60_000,
      { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    );
    assert.equal(result.code, 0, result.output.slice(-4000));
    for (const n of names) {
      const path = join(out, "executed", n);
      assert.ok(existsSync(path), `${n} was not written`);
      const cells = (JSON.parse(readFileSync(path, "utf8")) as { cells: Cell[] }).cells.filter(
        (c) => c.cell_type === "code",
      );
      cells.forEach((c, i) => {
        assert.equal(typeof c.execution_count, "number", `${n} cell ${i + 1} did not run`);
        const err = c.outputs?.find((o) => o.output_type === "error");
        assert.equal(err, undefined, `${n} cell ${i + 1}: ${err?.ename}: ${err?.evalue}`);
      });
    }
    // The script prints the table at the end.
    assert.match(result.output, /\| int8 only, uint8 I\/O \|/);
  });

  test("the side-by-side table shows the tutorials' pattern", (ctx) => {
    assert.equal(result.code, 0, "the notebooks did not run");
    const table = JSON.parse(readFileSync(join(out, "side-by-side.json"), "utf8")) as SideBySide;
    const full = table.settings.epochs >= 5 && table.settings.trainImages >= 60000;
    const t = thresholds(full);
    const row = (v: string): Row => {
      const r = table.rows.find((x) => x.variant === v);
      assert.ok(r, `no row ${v} in ${table.rows.map((x) => x.variant).join(", ")}`);
      return r;
    };
    const float = row("float32");
    const f16 = row("float16");
    const dyn = row("dynamic range");
    const int8 = row("int8 (float fallback)");
    const only = row("int8 only, uint8 I/O");
    const qat = row("int8 QAT");
    for (const r of table.rows)
      ctx.diagnostic(`${r.variant}: ${(100 * r.accuracy).toFixed(2)} %, ${r.sizeBytes} bytes`);
    const why = `(${full ? "full" : "shortened"} run: ${JSON.stringify(table.settings)})`;
    assert.ok(float.accuracy >= t.floatMin, `float ${float.accuracy} ${why}`);
    assert.ok(Math.abs(f16.accuracy - float.accuracy) <= t.float16, `float16 ${f16.accuracy} ${why}`);
    assert.ok(Math.abs(dyn.accuracy - float.accuracy) <= t.dynamic, `dynamic ${dyn.accuracy} ${why}`);
    assert.ok(int8.accuracy >= float.accuracy - t.int8, `int8 ${int8.accuracy} ${why}`);
    assert.ok(only.accuracy >= float.accuracy - t.int8, `int8 only ${only.accuracy} ${why}`);
    assert.ok(qat.accuracy >= int8.accuracy - t.qat, `QAT ${qat.accuracy} vs ${int8.accuracy} ${why}`);
    const ratio = (r: Row) => r.sizeBytes / float.sizeBytes;
    assert.ok(ratio(f16) >= 0.45 && ratio(f16) <= 0.55, `float16 size ratio ${ratio(f16)}`);
    for (const r of [dyn, int8, only, qat])
      assert.ok(ratio(r) >= 0.2 && ratio(r) <= 0.33, `${r.variant} size ratio ${ratio(r)}`);
    assert.deepEqual([float.inputType, float.outputType], ["float32", "float32"]);
    assert.deepEqual([int8.inputType, int8.outputType], ["float32", "float32"]);
    assert.deepEqual([only.inputType, only.outputType], ["uint8", "uint8"]);
    // Every variant is in the table, with a measured latency.
    assert.equal(table.rows.length, 11);
    for (const r of table.rows) assert.ok(r.latencyMs !== null && r.latencyMs > 0, r.variant);
    // The .tflite files are kept.
    for (const f of ["mnist_float.tflite", "mnist_float16.tflite", "mnist_dynamic.tflite"])
      assert.ok(existsSync(join(out, f)), f);
    // Kept when a check fails, for a look at the executed notebooks.
    rmSync(out, { recursive: true, force: true });
  });
});
