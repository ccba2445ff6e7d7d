// The peer benchmark's judgement (compare.ts) on hand-made outputs: what passes, what fails and
// the line it fails with, and the table writer. No TensorFlow, no LiteRT.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../../../kernel/src/tflite/reader";
import {
  TOLERANCES,
  accuracyOf,
  argmax,
  crossCheck,
  failureLines,
  inputQuantization,
  isIntegerMode,
  pipelineCheck,
  tensorNameBytes,
  predictions,
  ratio,
  table,
} from "./compare";

/** n images × 3 classes whose top class is `top[i]` (logit 1 there, 0 elsewhere). */
function oneHotLogits(top: readonly number[]): Float32Array {
  const out = new Float32Array(top.length * 3);
  top.forEach((c, i) => (out[i * 3 + c] = 1));
  return out;
}

describe("argmax and accuracy", () => {
  test("ties go to the first class, as numpy", () => {
    assert.equal(argmax([0, 5, 5], 0, 3), 1);
    assert.deepEqual([...predictions([1, 2, 0, 7, 7, 7], 3)], [1, 0]);
  });
  test("accuracy counts matches; empty is 0", () => {
    assert.equal(accuracyOf(Int32Array.from([1, 2, 3, 4]), [1, 2, 0, 0]), 0.5);
    assert.equal(accuracyOf(new Int32Array(0), []), 0);
  });
});

describe("crossCheck", () => {
  const top = Array.from({ length: 1000 }, (_, i) => i % 3);
  test("identical outputs pass in every mode", () => {
    const y = oneHotLogits(top);
    for (const mode of ["float32", "int8", "qat"] as const) {
      const c = crossCheck("f", mode, y, Float32Array.from(y), 3);
      assert.equal(c.ok, true);
      assert.equal(c.differing, 0);
      assert.equal(c.agreement, 1);
    }
  });
  test("an integer file with one flipped prediction in 1,000 fails", () => {
    const flipped = [...top];
    flipped[7] = (top[7] + 1) % 3;
    const c = crossCheck("ts_int8", "int8", oneHotLogits(top), oneHotLogits(flipped), 3);
    assert.equal(c.ok, false);
    assert.equal(c.agreement, 0.999);
    assert.match(c.reason, /1 of 1000 predictions differ/);
  });
  test("an integer file whose outputs differ without changing predictions passes, counted", () => {
    const a = oneHotLogits(top);
    const b = Float32Array.from(a);
    b[1] = 0.5; // image 0's class 1 logit: still below class 0's 1
    const c = crossCheck("ts_int8", "int8-only", a, b, 3);
    assert.equal(c.ok, true);
    assert.equal(c.differing, 1);
    assert.equal(c.maxAbsDiff, 0.5);
  });
  test("a float file passes at 99.9 % argmax agreement and fails below", () => {
    const one = [...top];
    one[0] = (top[0] + 1) % 3;
    assert.equal(crossCheck("f", "dynamic", oneHotLogits(top), oneHotLogits(one), 3).ok, true);
    const two = [...one];
    two[1] = (top[1] + 1) % 3;
    const c = crossCheck("f", "float16", oneHotLogits(top), oneHotLogits(two), 3);
    assert.equal(c.ok, false);
    assert.match(c.reason, /argmax agreement 99\.80 % < 99\.9 %/);
  });
  test("NaN outputs count as differing", () => {
    const a = oneHotLogits([0, 1]);
    const b = Float32Array.from(a);
    b[0] = NaN;
    const c = crossCheck("f", "float32", a, b, 3);
    assert.equal(c.differing, 1);
    assert.ok(Number.isNaN(c.maxAbsDiff));
  });
  test("outputs of different lengths fail", () => {
    const c = crossCheck("f", "float32", new Float32Array(30), new Float32Array(27), 3);
    assert.equal(c.ok, false);
    assert.match(c.reason, /output lengths differ \(tsquant 30, LiteRT 27, 3 classes\)/);
  });
});

describe("pipelineCheck", () => {
  test("0.1 point and 2 % are inside; beyond either fails with a named reason", () => {
    const tf = { accuracy: 0.9817, bytes: 25000 };
    assert.equal(pipelineCheck("int8", tf, { accuracy: 0.9827, bytes: 25500 }).ok, true);
    assert.equal(pipelineCheck("int8", tf, { accuracy: 0.9807, bytes: 24500 }).ok, true);
    const acc = pipelineCheck("int8", tf, { accuracy: 0.9829, bytes: 25000 });
    assert.equal(acc.ok, false);
    assert.match(acc.reason, /accuracy 98\.29 % vs TF 98\.17 % \(Δ 0\.12 points > 0\.1\)/);
    const size = pipelineCheck("float16", tf, { accuracy: 0.9817, bytes: 25501 });
    assert.equal(size.ok, false);
    assert.match(
      size.reason,
      /size net of tensor names 25501 vs TF 25000 bytes \(Δ 2\.00 % > 2 %; whole files 25501 vs 25000\)/,
    );
  });
  test("size is checked net of tensor-name strings; the whole-file delta is still reported", () => {
    // The peers run's QAT case: same graph, tfmot's names take 898 bytes, tsquant's 322, so the
    // whole files differ by -2.09 % while the content differs by +0.3 %.
    const tf = { accuracy: 0.98, bytes: 24072, nameBytes: 898 };
    const ts = { accuracy: 0.98, bytes: 23568, nameBytes: 322 };
    const p = pipelineCheck("qat", tf, ts);
    assert.equal(p.ok, true, p.reason);
    assert.ok(p.sizeDeltaFraction < -0.02);
    assert.ok(Math.abs(p.contentDeltaFraction - 72 / (24072 - 898)) < 1e-12);
    // Net sizes 2.5 % apart fail even when the whole files are equal.
    const q = pipelineCheck("int8", tf, { accuracy: 0.98, bytes: 24072, nameBytes: 898 - 600 });
    assert.equal(q.ok, false);
    assert.match(q.reason, /size net of tensor names/);
  });
  test("the quantized input's scale and zero point must be TF's (float on both sides passes)", () => {
    const tf = { accuracy: 0.98, bytes: 24000, input: { scale: 1 / 255, zeroPoint: -128 } };
    const close = { ...tf, input: { scale: (1 / 255) * (1 + 5e-7), zeroPoint: -128 } };
    assert.equal(pipelineCheck("qat", tf, close).ok, true);
    // The session-4 bug: tsquant's QAT input range stayed [−6, 6] where tfmot's is the data's.
    const wide = pipelineCheck("qat", tf, { ...tf, input: { scale: 12 / 255, zeroPoint: 0 } });
    assert.equal(wide.ok, false);
    assert.match(
      wide.reason,
      /^input quantization scale 0\.047\d+ zero point 0 vs TF scale 0\.0039\d+ zero point -128$/,
    );
    const shifted = pipelineCheck("int8", tf, { ...tf, input: { scale: 1 / 255, zeroPoint: 0 } });
    assert.equal(shifted.ok, false);
    const float = pipelineCheck("int8", tf, { ...tf, input: null });
    assert.match(float.reason, /^input quantization float vs TF scale/);
    const none = { accuracy: 0.98, bytes: 24000, input: null };
    assert.equal(pipelineCheck("float32", none, none).ok, true);
  });
  test("inputQuantization reads the graph input's or its QUANTIZE op's parameters", () => {
    const fixture = (name: string) =>
      readModel(readFileSync(join(__dirname, "..", "..", "fixtures", "models", `${name}.tflite`)));
    assert.equal(inputQuantization(fixture("cnn_float32")), null);
    assert.equal(inputQuantization(fixture("cnn_dynamic_range")), null);
    // Float I/O: the QUANTIZE op's int8 output; uint8 I/O: the input itself (pixels / 255).
    const int8 = inputQuantization(fixture("cnn_int8"));
    assert.equal(int8?.zeroPoint, -128);
    assert.ok(Math.abs((int8?.scale ?? 0) - 1 / 255) < 1e-9, String(int8?.scale));
    const uint8 = inputQuantization(fixture("cnn_int8_only_uint8_io"));
    assert.equal(uint8?.zeroPoint, 0);
    assert.ok(Math.abs((uint8?.scale ?? 0) - 1 / 255) < 1e-9, String(uint8?.scale));
  });
  test("tensorNameBytes: length word + UTF-8 + NUL, padded to 4", () => {
    // "a" → 4 + 1 + 1 = 6 → 8; "abc" → 4 + 3 + 1 = 8 → 8; "µ" is 2 UTF-8 bytes → 7 → 8.
    assert.equal(tensorNameBytes(["a", "abc", "µ"]), 24);
    assert.equal(tensorNameBytes([]), 0);
  });
  test("QAT has its own, wider accuracy tolerance", () => {
    const tf = { accuracy: 0.98, bytes: 25000 };
    const ts = { accuracy: 0.984, bytes: 25000 };
    assert.equal(pipelineCheck("int8", tf, ts).ok, false);
    assert.equal(pipelineCheck("qat", tf, ts).ok, true);
    assert.equal(
      pipelineCheck("qat", tf, {
        accuracy: 0.98 + (TOLERANCES.qatAccuracyPoints + 0.01) / 100,
        bytes: 25000,
      }).ok,
      false,
    );
  });
  test("a NaN accuracy fails", () => {
    assert.equal(
      pipelineCheck("float32", { accuracy: 0.9, bytes: 1 }, { accuracy: NaN, bytes: 1 }).ok,
      false,
    );
  });
});

describe("failureLines", () => {
  test("one PEERS FAIL line per failed check, naming dataset, file or mode", () => {
    const good = crossCheck("tf_int8", "int8", oneHotLogits([0]), oneHotLogits([0]), 3);
    const bad = crossCheck("ts_int8", "int8", oneHotLogits([0]), oneHotLogits([1]), 3);
    const p = pipelineCheck(
      "dynamic",
      { accuracy: 0.9, bytes: 100 },
      { accuracy: 0.8, bytes: 100 },
    );
    const lines = failureLines("mnist", [good, bad], [p]);
    assert.equal(lines.length, 2);
    assert.match(
      lines[0] ?? "",
      /^PEERS FAIL mnist runtimes disagree on ts_int8: 1 of 1 predictions differ/,
    );
    assert.match(lines[1] ?? "", /^PEERS FAIL mnist pipelines disagree in mode dynamic: accuracy/);
    assert.deepEqual(failureLines("mnist", [good], []), []);
  });
});

describe("tables", () => {
  test("ratio is tsquant ÷ peer, n/a when missing", () => {
    assert.equal(ratio(3, 2), "1.50");
    assert.equal(ratio(1, 250), "0.0040");
    assert.equal(ratio(null, 2), "n/a");
    assert.equal(ratio(1, 0), "n/a");
  });
  test("numeric columns are right-aligned, text columns not", () => {
    const t = table(
      ["mode", "bytes", "accuracy"],
      [
        ["int8", "25,360", "98.16 %"],
        ["qat", "n/a", "9.70e-1"],
      ],
    );
    assert.equal(
      t,
      [
        "| mode | bytes | accuracy |",
        "| --- | ---: | ---: |",
        "| int8 | 25,360 | 98.16 % |",
        "| qat | n/a | 9.70e-1 |",
      ].join("\n"),
    );
  });
  test("a row with the wrong number of cells is refused", () => {
    assert.throws(() => table(["a", "b"], [["1"]]), /row has 1 cells, header 2/);
  });
  test("integer modes are the ones with int8 activations", () => {
    assert.deepEqual(
      (["float32", "float16", "dynamic", "int8", "int8-only", "qat"] as const).filter(
        isIntegerMode,
      ),
      ["int8", "int8-only", "qat"],
    );
  });
});
