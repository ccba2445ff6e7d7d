import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../errors";
import {
  fakeQuant,
  fakeQuantGradient,
  fakeQuantPerChannel,
  fakeQuantPerChannelGradient,
  nudge,
} from "./fakequant";

describe("fakeQuant (TF FakeQuantWithMinMaxVars)", () => {
  test("[0, 255] with 8 bits: scale 1, codes are integers, halves round up (not away, not even)", () => {
    const y = fakeQuant([1.5, 2.5, -0.5, 0.49, 300, -3], 0, 255);
    // floor(x + 0.5): 1.5 → 2, 2.5 → 3; -0.5 and -3 clamp to 0; 300 clamps to 255
    assert.deepEqual([...y], [2, 3, 0, 0, 255, 0]);
  });
  test("the range is nudged so that 0 is a code: [-0.4, 254.6] becomes [0, 255]", () => {
    // scale = 255/255 = 1; zero point from min = 0.4 → round → 0; nudged = [0, 255]
    const r = nudge(-0.4, 254.6);
    assert.equal(r.scale, 1);
    assert.equal(r.zeroPoint, 0);
    assert.equal(r.nudgedMin, 0);
    assert.equal(r.nudgedMax, 255);
    assert.deepEqual([...fakeQuant([-0.4, 0, 254.9], -0.4, 254.6)], [0, 0, 255]);
  });
  test("narrow range uses codes [1, 255]: [0, 254] → zero point 1, nudged [0, 254]", () => {
    const r = nudge(0, 254, { narrowRange: true });
    assert.deepEqual([r.scale, r.zeroPoint, r.nudgedMin, r.nudgedMax], [1, 1, 0, 254]);
  });
  test("2 bits: [-1, 2] has codes {0..3}, scale 1, outputs -1, 0, 1, 2", () => {
    assert.deepEqual(
      [...fakeQuant([-5, -0.6, 0.2, 1.5, 9], -1, 2, { numBits: 2 })],
      [-1, -1, 0, 2, 2],
    );
  });
  test("16 bits: [0, 65535] is the identity on integers", () => {
    assert.deepEqual(
      [...fakeQuant([0, 1, 40000, 65535], 0, 65535, { numBits: 16 })],
      [0, 1, 40000, 65535],
    );
  });
  test("positive-only range [2, 257]: zero point clamps to qmin, the nudged range slides to [0, 255]", () => {
    const r = nudge(2, 257);
    assert.deepEqual([r.nudgedMin, r.nudgedMax], [0, 255]);
  });
  test("degenerate min = max = 0 outputs 0", () => {
    assert.deepEqual([...fakeQuant([-1, 0, 3], 0, 0)], [0, 0, 0]);
  });
  test("bad numBits and min > max are UsageErrors", () => {
    assert.throws(() => fakeQuant([0], 0, 1, { numBits: 1 }), UsageError);
    assert.throws(() => fakeQuant([0], 0, 1, { numBits: 17 }), UsageError);
    assert.throws(() => fakeQuant([0], 1, 0), UsageError);
  });
});

describe("fakeQuant gradient (straight-through, clipped to the nudged range)", () => {
  test("passes dy inside [nudgedMin, nudgedMax] (inclusive), sums it below/above into dmin/dmax", () => {
    const g = fakeQuantGradient([1, 2, 3, 4, 5], [-1, 0, 100, 255, 256], 0, 255);
    assert.deepEqual([...g.dx], [0, 2, 3, 4, 0]);
    assert.equal(g.dmin, 1);
    assert.equal(g.dmax, 5);
  });
});

describe("fakeQuantPerChannel", () => {
  test("last axis by default, each channel its own range", () => {
    // shape [2, 2]: channel 0 range [0, 255] (scale 1), channel 1 range [0, 2.55·…] (scale 2)
    const y = fakeQuantPerChannel([1.4, 3.1, 300, -1], [2, 2], [0, 0], [255, 510]);
    assert.deepEqual([...y], [1, 4, 255, 0]);
    const g = fakeQuantPerChannelGradient(
      [1, 1, 1, 1],
      [1.4, 3.1, 300, -1],
      [2, 2],
      [0, 0],
      [255, 510],
    );
    assert.deepEqual([...g.dx], [1, 1, 0, 0]);
    assert.deepEqual([...g.dmin], [0, 1]);
    assert.deepEqual([...g.dmax], [1, 0]);
  });
});
