/**
 * Every tensor, not only the outputs: LiteRT's reference interpreter run with
 * `experimental_preserve_all_tensors` on one MNIST test image, compared tensor by tensor with
 * tsquant's Interpreter (every tensor is kept). Localizes a mismatch to the op that made it.
 * Integer tensors must be identical; float tensors within 1e-5 relative.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import type { NDArray } from "../../kernel/src/ir";
import { FIXTURE_MODELS, fixtureInputs, fixtureModelBytes } from "../helpers/fixtures";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { assertParity } from "./parity";

/** Sample `i` of a stack, shaped as one batch-1 input. */
function sample(x: NDArray, i: number, shape: number[]): NDArray {
  const per = x.data.length / (x.shape[0] ?? 1);
  return { data: x.data.slice(i * per, (i + 1) * per), shape, dtype: x.dtype };
}

// Image 18 is one where a run-time (hybrid) quantization boundary is close; 0 is typical.
const SAMPLES = [0, 18];

describe(
  "every intermediate tensor vs LiteRT BUILTIN_REF (preserve_all_tensors)",
  { skip: !liteRTAvailable() },
  () => {
    for (const name of FIXTURE_MODELS) {
      for (const i of SAMPLES) {
        test(`${name}, image ${i}`, async () => {
          const bytes = fixtureModelBytes(name);
          const it = new Interpreter({ modelContent: bytes, preserveAllTensors: true });
          const [input] = it.getInputDetails();
          assert.ok(input !== undefined);
          const x = sample(fixtureInputs(name), i, input.shape);
          const theirs = await runLiteRT(bytes, [x], { allTensors: true, resolver: "ref" });
          it.allocateTensors();
          it.setTensor(input.index, x.data);
          it.invoke();
          let compared = 0;
          const count = it.getTensorDetails().length;
          for (const t of theirs.tensors ?? []) {
            // Indices past the model's tensors are LiteRT's kernel temporaries (im2col, hybrid
            // scaling factors); tsquant keeps those inside its kernels.
            if (t.value === null || t.index >= count) continue;
            const ours = it.getTensor(t.index);
            assert.deepEqual(ours.shape, t.shape, `tensor #${t.index} '${t.name}' shape`);
            assertParity(ours, t.value, `tensor #${t.index} '${t.name}' (${t.dtype})`);
            compared++;
          }
          assert.ok(compared >= count - 2, `compared only ${compared} of ${count} tensors`);
        });
      }
    }
  },
);
