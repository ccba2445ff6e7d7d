/**
 * tsquant's Interpreter against the goldens LiteRT computed for every fixture model (the TF
 * tutorial CNN as float32, float16, dynamic range, int8 with float fallback, integer-only with
 * uint8 I/O; the "every op" CNN as float32, dynamic range, int8, integer-only with int8 I/O) on
 * the first 300 MNIST test images. No Python needed: the goldens are .npy files.
 *
 * Against LiteRT's reference kernels (BUILTIN_REF): integer outputs identical, float outputs
 * equal within 1e-5 relative (in practice bit-identical except where float TANH is involved,
 * see kernels/README.md). Against the default resolver (XNNPACK and optimized kernels), which
 * differs from the reference itself: tsquant's differences from it are exactly LiteRT's own
 * reference-vs-default differences recorded in the manifest.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FIXTURE_MODELS, fixtureGolden, fixtureInputs, fixtureManifest } from "../helpers/fixtures";
import { argmaxRows, assertParity, diff, runTsquant } from "./parity";

describe("fixture models vs LiteRT goldens (300 MNIST test images)", () => {
  for (const name of FIXTURE_MODELS) {
    test(`${name}: equals LiteRT BUILTIN_REF; differs from the default resolver as LiteRT's reference does`, () => {
      const ours = runTsquant(name, fixtureInputs(name));
      const ref = fixtureGolden(name, "ref");
      assertParity(ours, ref, `${name} vs ref`);

      const entry = fixtureManifest().models[name];
      const fromDefault = diff(ours, fixtureGolden(name, "default"));
      const refFromDefault = diff(ref, fixtureGolden(name, "default"));
      if (ours.dtype !== "float32") {
        // ours == ref bit for bit, so the distance to the default path is LiteRT's own.
        assert.deepEqual(fromDefault, refFromDefault);
        assert.equal(fromDefault.count, entry.refVsDefault.elementsDiffering);
        assert.equal(fromDefault.maxAbs, entry.refVsDefault.maxAbsDiff);
      }
      const ourTop1 = argmaxRows(ours);
      const defaultTop1 = argmaxRows(fixtureGolden(name, "default"));
      const disagree = ourTop1.filter((c, i) => c !== defaultTop1[i]).length;
      assert.equal(disagree, entry.refVsDefault.argmaxDiffering);
    });
  }
});
