// Cross-check against TensorFlow 2.21: tf.quantization.fake_quant_with_min_max_vars (and
// _per_channel) outputs and gradients, recorded by test/fixtures/quant/make_quant_reference.py.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  fakeQuant,
  fakeQuantGradient,
  fakeQuantPerChannel,
  fakeQuantPerChannelGradient,
} from "./fakequant";

interface Case {
  min: number;
  max: number;
  numBits: number;
  narrowRange: boolean;
  x: number[];
  y: number[];
  dy: number[];
  dx: number[];
  dmin: number;
  dmax: number;
}
interface ChannelCase extends Omit<Case, "min" | "max" | "dmin" | "dmax"> {
  shape: number[];
  min: number[];
  max: number[];
  dmin: number[];
  dmax: number[];
}

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const ref = JSON.parse(
  readFileSync(join(root, "test", "fixtures", "quant", "fakequant_reference.json"), "utf8"),
) as { perTensor: Case[]; perChannel: ChannelCase[] };

function firstMismatch(actual: ArrayLike<number>, expected: number[]): string | null {
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(actual[i] === 0 && expected[i] === 0)) {
      return `index ${i}: tsquant ${actual[i]}, TF ${expected[i]}`;
    }
  }
  return null;
}

describe("fakeQuant equals TF FakeQuantWithMinMaxVars bit for bit", () => {
  test(`${ref.perTensor.length} (range, numBits, narrowRange) cases: outputs and gradients`, () => {
    let values = 0;
    for (const c of ref.perTensor) {
      const what = `[${c.min}, ${c.max}] ${c.numBits} bits${c.narrowRange ? " narrow" : ""}`;
      const opts = { numBits: c.numBits, narrowRange: c.narrowRange };
      const y = fakeQuant(c.x, c.min, c.max, opts);
      assert.equal(firstMismatch(y, c.y), null, `${what} output`);
      const g = fakeQuantGradient(c.dy, c.x, c.min, c.max, opts);
      assert.equal(firstMismatch(g.dx, c.dx), null, `${what} dx`);
      assert.equal(g.dmin, c.dmin, `${what} dmin`);
      assert.equal(g.dmax, c.dmax, `${what} dmax`);
      values += c.x.length;
    }
    assert.ok(values > 10000);
  });
  test("per-channel (last axis)", () => {
    for (const c of ref.perChannel) {
      const opts = { numBits: c.numBits, narrowRange: c.narrowRange };
      const y = fakeQuantPerChannel(c.x, c.shape, c.min, c.max, opts);
      assert.equal(firstMismatch(y, c.y), null, `${c.numBits} bits output`);
      const g = fakeQuantPerChannelGradient(c.dy, c.x, c.shape, c.min, c.max, opts);
      assert.equal(firstMismatch(g.dx, c.dx), null);
      assert.deepEqual([...g.dmin], c.dmin);
      assert.deepEqual([...g.dmax], c.dmax);
    }
  });
});
