/**
 * GELU: y = x·Φ(x). Exact form (TFLite `GeluTransform`): `0.5·x·erfc(−x/√2)`; approximate
 * (`approximate` option): `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`; every float step in
 * float32. int8 and uint8 through a 256-entry table of the same float function (TFLite builds
 * its table from these two formulas).
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareElementwise } from "./math";

/** erfc in double precision: a power series of erf below 2, a continued fraction above. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/√π · Σ (−1)^n x^(2n+1) / (n! (2n + 1)); terms below 2^−60 of the sum end it.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 100; n++) {
      term *= -x2 / n;
      const contribution = term / (2 * n + 1);
      sum += contribution;
      if (Math.abs(contribution) < 1e-18 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (x > 27) return 0;
  // erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated by Lentz's method.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

const SQRT1_2 = Math.fround(-Math.SQRT1_2);
const SQRT_2_OVER_PI = Math.fround((2 / Math.sqrt(Math.PI)) * Math.SQRT1_2);
const CUBIC = Math.fround(0.044715);

/** `0.5f · x · erfcf(x · (−1/√2)f)`. */
function gelu(x: number): number {
  const e = Math.fround(erfc(Math.fround(x * SQRT1_2)));
  return Math.fround(Math.fround(0.5 * x) * e);
}

/** `0.5f · x · (1 + tanhf(√(2/π)f · (x + 0.044715f·x·x·x)))`. */
function geluApproximate(x: number): number {
  const cube = Math.fround(Math.fround(Math.fround(CUBIC * x) * x) * x);
  const inner = Math.fround(SQRT_2_OVER_PI * Math.fround(x + cube));
  const t = Math.fround(1 + Math.fround(Math.tanh(inner)));
  return Math.fround(Math.fround(0.5 * x) * t);
}

export const Gelu: Kernel = {
  op: "GELU",
  prepare(node: Node): Eval {
    const approximate = node.optionsOrNull("GeluOptions")?.approximate ?? false;
    const f = approximate ? geluApproximate : gelu;
    return prepareElementwise(node, f, f, true);
  },
};
