/**
 * Converter benchmark (issue 4; not a test): conversion time per mode, calibration on 100
 * samples included, for the tutorial CNN and the every-op fixture, against TensorFlow's own
 * converter (`test/bench/tf_converter_bench.py` in `.venv-tf`), one run each, in the same
 * process run so the ratio is meaningful on a noisy machine.
 *
 *   node --import tsx test/bench/converter.bench.ts
 *
 * tsquant converts from the float .tflite fixture (what `TFLiteConverter.fromBuffer` does); TF
 * converts from the Keras model (what its users do), so TF's time includes graph freezing and
 * float conversion — that is the cost a user of either pays. Prints a Markdown table and writes
 * the "converter" section of test/bench/RESULTS.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Family, MODES, type Mode, converterFor, representative } from "../converter/helpers";
import { replaceSection } from "./results";

const ROOT = join(__dirname, "..", "..");
const TF_PYTHON = join(ROOT, ".venv-tf", "bin", "python");

async function tsquantSeconds(
  family: Family,
  mode: Mode,
): Promise<{ seconds: number; bytes: number }> {
  const data = representative(family);
  const t = performance.now();
  const bytes = await converterFor(family, mode, data).convert();
  return { seconds: (performance.now() - t) / 1000, bytes: bytes.length };
}

function tfSeconds(): Record<Family, Record<Mode, number>> | null {
  if (!existsSync(TF_PYTHON)) return null;
  const r = spawnSync(TF_PYTHON, [join(__dirname, "tf_converter_bench.py")], { encoding: "utf8" });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) {
    process.stderr.write(`TF benchmark failed: ${r.stderr.slice(-500)}\n`);
    return null;
  }
  return (JSON.parse(line) as { seconds: Record<Family, Record<Mode, number>> }).seconds;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const tf = tfSeconds();
  for (const family of ["cnn", "everyop"] as Family[]) {
    await tsquantSeconds(family, "dynamic"); // warm-up (JIT), not reported
    for (const mode of MODES as readonly Mode[]) {
      const mine = await tsquantSeconds(family, mode);
      const theirs = tf?.[family]?.[mode];
      const ratio = theirs === undefined ? "—" : `${(theirs / mine.seconds).toFixed(1)}×`;
      rows.push(
        `| ${family === "cnn" ? "tutorial CNN" : "every-op"} | ${mode} | ${mine.seconds.toFixed(3)} | ${theirs === undefined ? "—" : theirs.toFixed(3)} | ${ratio} | ${mine.bytes.toLocaleString("en")} |`,
      );
    }
  }
  const body = [
    "`node --import tsx test/bench/converter.bench.ts` — one conversion per mode, calibration on the first 100 MNIST training images included; TF = `tf.lite.TFLiteConverter.from_keras_model(...).convert()` (TF 2.21, `.venv-tf`), tsquant = `TFLiteConverter.fromBuffer(float .tflite).convert()`.",
    "",
    "| model | mode | tsquant (s) | TensorFlow (s) | TF / tsquant | tsquant bytes |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
  process.stdout.write(`${body}\n`);
  replaceSection("converter", "Converter: conversion time per mode", body);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exitCode = 1;
});
