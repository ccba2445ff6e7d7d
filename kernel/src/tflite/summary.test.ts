import { test } from "node:test";
import assert from "node:assert/strict";
import { describeQuantization, summarizeModel } from "./summary";
import { everyOpModel, perAxis, perTensor } from "./testing";
import { finalizeModel } from "./versions";

test("summarizeModel lists operators with versions and options, and tensors with dtype, shape and quantization", () => {
  const text = summarizeModel(finalizeModel(everyOpModel()));
  const lines = text.split("\n");
  assert.match(
    lines[0] ?? "",
    /^Model: schema v3, 1 subgraph\(s\), 18 operator\(s\), 29 buffer\(s\), 248 bytes of buffer data$/,
  );
  // 27 tensors + sentinel + min_runtime_version = 29 buffers. Runtime: RELU int8 is v2, first
  // run by 2.1.0; every other op needs at most 2.0.0 (FULLY_CONNECTED v5, keep_num_dims).
  assert.ok(lines.includes('Metadata: min_runtime_version = "2.1.0"'), text);
  assert.ok(
    lines.includes("Signature 'serving_default' (subgraph 0): inputs input→#0; outputs output→#26"),
  );
  assert.ok(
    lines.includes("  #2 CONV_2D v3  padding=VALID stride=3x2 dilation=1x2 activation=RELU6"),
    text,
  );
  assert.ok(lines.includes("      in:  #3 int8[1,6,6,2]; #4 int8[3,3,3,2]; #5 int32[3]"));
  assert.ok(
    lines.includes(
      "  #3 DEPTHWISE_CONV_2D v3  padding=SAME stride=2x1 depthMultiplier=2 dilation=3x1 activation=RELU",
    ),
  );
  assert.ok(lines.includes("      in:  #6 int8[1,2,2,3]; #7 int8[1,3,3,6]; -"));
  assert.ok(lines.includes("  #0  'input'  float32[1,4,4,2]  (input)"));
  assert.ok(
    lines.includes(
      "  #4  'conv/w'  int8[3,3,3,2]  per-axis(axis 0, 3 scales 0.01..0.03, zeroPoint=0)  (constant 54 B)",
    ),
    text,
  );
  assert.ok(lines.includes("  #1  'input_int8'  int8[1,4,4,2]  scale=0.02 zeroPoint=5"));
});

test("describeQuantization: per-tensor, per-axis, calibration range, none", () => {
  assert.equal(describeQuantization(perTensor(1 / 256, -128)), "scale=0.00390625 zeroPoint=-128");
  assert.equal(
    describeQuantization({ ...perAxis([0.5, 0.25], 1), zeroPoint: [1, -1] }),
    "per-axis(axis 1, 2 scales 0.25..0.5, zeroPoints -1..1)",
  );
  assert.equal(
    describeQuantization({
      min: [-1.5],
      max: [6],
      scale: null,
      zeroPoint: null,
      quantizedDimension: 0,
    }),
    "range [-1.5, 6]",
  );
  assert.equal(describeQuantization(null), "");
});
