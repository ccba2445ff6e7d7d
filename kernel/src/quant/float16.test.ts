import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  fromBfloat16,
  fromBfloat16Array,
  fromFloat16,
  fromFloat16Array,
  toBfloat16,
  toBfloat16Array,
  toFloat16,
  toFloat16Array,
} from "./float16";

const f32 = Math.fround;

describe("float16", () => {
  test("all 65,536 bit patterns round-trip (NaNs stay NaN)", () => {
    for (let h = 0; h < 65536; h++) {
      const x = fromFloat16(h);
      if (Number.isNaN(x)) {
        assert.ok(Number.isNaN(fromFloat16(toFloat16(x))), `NaN pattern ${h.toString(16)}`);
        continue;
      }
      assert.equal(toFloat16(x), h, `pattern 0x${h.toString(16)} (${x})`);
      assert.equal(f32(x), x, "every half is exact in float32");
    }
  });

  test("exact midpoints between neighbours round to the even pattern; one float32 ulp off goes to the nearer", () => {
    // For every pair of adjacent finite positive halves h, h+1, the midpoint has 12 significant
    // bits and is exact in float32; ties go to the even pattern, x ± 1 ulp goes to the nearer.
    for (let h = 0; h < 0x7bff; h++) {
      const a = fromFloat16(h);
      const b = fromFloat16(h + 1);
      const mid = (a + b) / 2;
      assert.equal(f32(mid), mid);
      const even = h % 2 === 0 ? h : h + 1;
      assert.equal(toFloat16(mid), even, `midpoint of 0x${h.toString(16)}`);
      assert.equal(toFloat16(-mid), 0x8000 | even);
      const up = nextFloat32Up(mid);
      const down = nextFloat32Down(mid);
      assert.equal(toFloat16(up), h + 1);
      assert.equal(toFloat16(down), h);
    }
  });

  test("named edge cases", () => {
    assert.equal(toFloat16(1), 0x3c00);
    assert.equal(toFloat16(-2), 0xc000);
    assert.equal(toFloat16(65504), 0x7bff); // largest finite
    assert.equal(toFloat16(65519.99), 0x7bff); // below the midpoint to 2^16
    assert.equal(toFloat16(65520), 0x7c00); // midpoint, ties to even = Infinity
    assert.equal(toFloat16(1e6), 0x7c00);
    assert.equal(toFloat16(-Infinity), 0xfc00);
    assert.equal(toFloat16(2 ** -14), 0x0400); // smallest normal
    assert.equal(toFloat16(2 ** -24), 0x0001); // smallest subnormal
    assert.equal(toFloat16(2 ** -25), 0x0000); // tie between 0 and 2^-24 → even (0): underflow
    assert.equal(toFloat16(1.5 * 2 ** -25), 0x0001);
    assert.equal(toFloat16(-(2 ** -26)), 0x8000); // underflow keeps the sign
    assert.equal(toFloat16(-0), 0x8000);
    assert.equal(toFloat16(0.1), 0x2e66); // 0.1 = 0x2e66 (0.0999755859375)
    assert.equal(toFloat16(2 ** -14 - 2 ** -25), 0x0400); // rounds up out of the subnormals
    assert.ok(Number.isNaN(fromFloat16(toFloat16(NaN))));
    assert.equal(fromFloat16(0x7c00), Infinity);
    assert.equal(fromFloat16(0x0001), 2 ** -24);
    assert.equal(fromFloat16(0x3555), 0.333251953125);
  });

  test("bulk conversions, and saturation at ±65504 as TF's float16 PTQ", () => {
    const x = new Float32Array([1, -0.5, 70000, -70000, Infinity, NaN]);
    const h = toFloat16Array(x);
    assert.deepEqual([...h.slice(0, 5)], [0x3c00, 0xb800, 0x7c00, 0xfc00, 0x7c00]);
    const s = toFloat16Array(x, { saturate: true });
    assert.deepEqual([...s.slice(0, 5)], [0x3c00, 0xb800, 0x7bff, 0xfbff, 0x7bff]);
    assert.ok(Number.isNaN(fromFloat16(s[5])));
    assert.deepEqual([...fromFloat16Array(h.slice(0, 2))], [1, -0.5]);
  });
});

describe("bfloat16", () => {
  test("all 65,536 bit patterns round-trip", () => {
    for (let b = 0; b < 65536; b++) {
      const x = fromBfloat16(b);
      if (Number.isNaN(x)) assert.ok(Number.isNaN(fromBfloat16(toBfloat16(x))));
      else assert.equal(toBfloat16(x), b, `pattern 0x${b.toString(16)}`);
    }
  });
  test("round to nearest even on the 16 dropped bits", () => {
    assert.equal(toBfloat16(1), 0x3f80);
    assert.equal(toBfloat16(1 + 2 ** -8), 0x3f80); // tie → even 0x3f80
    assert.equal(toBfloat16(1 + 3 * 2 ** -8), 0x3f82); // tie → even 0x3f82
    assert.equal(toBfloat16(1 + 2 ** -8 + 2 ** -20), 0x3f81); // above the tie
    assert.equal(toBfloat16(3.4028234663852886e38), 0x7f80); // max float32 rounds to Infinity
    assert.equal(toBfloat16(-0), 0x8000);
    assert.ok(Number.isNaN(fromBfloat16(toBfloat16(NaN))));
    assert.deepEqual([...fromBfloat16Array(toBfloat16Array([1, -2, 0.15625]))], [1, -2, 0.15625]);
  });
});

function nextFloat32Up(x: number): number {
  const a = new Float32Array([x]);
  const u = new Uint32Array(a.buffer);
  u[0] += x >= 0 ? 1 : -1;
  return a[0];
}
function nextFloat32Down(x: number): number {
  const a = new Float32Array([x]);
  const u = new Uint32Array(a.buffer);
  if (x === 0) return -(2 ** -149);
  u[0] += x > 0 ? -1 : 1;
  return a[0];
}
