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
import { BuiltinOperator } from "../../kernel/src/ir";
import { assertParity, diff } from "./parity";

const GEMM_OPS: number[] = [
  BuiltinOperator.CONV_2D,
  BuiltinOperator.DEPTHWISE_CONV_2D,
  BuiltinOperator.FULLY_CONNECTED,
];

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

describe(
  "LiteRT's optimized kernels differ from the reference by ±1 at a GEMM op first",
  { skip: !liteRTAvailable() },
  () => {
    // Documented in kernels/README.md: BUILTIN_WITHOUT_DEFAULT_DELEGATES requantizes conv/FC with
    // ruy's single rounding; the first op whose output departs from tsquant (= the reference) is
    // a CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED, by exactly 1, and later ops inherit it.
    for (const i of [2, 3, 5]) {
      test(`everyop_int8_only_int8_io, image ${i}`, async () => {
        const name = "everyop_int8_only_int8_io";
        const bytes = fixtureModelBytes(name);
        const it = new Interpreter({ modelContent: bytes });
        const [input] = it.getInputDetails();
        assert.ok(input !== undefined);
        const x = sample(fixtureInputs(name), i, input.shape);
        const theirs = await runLiteRT(bytes, [x], { allTensors: true, resolver: "no-delegates" });
        it.allocateTensors();
        it.setTensor(input.index, x.data);
        it.invoke();
        const values = new Map((theirs.tensors ?? []).map((t) => [t.index, t.value]));
        const subgraph = it.model.subgraphs[0];
        assert.ok(subgraph !== undefined);
        const first = subgraph.operators.findIndex((op) =>
          op.outputs.some((o) => {
            const v = values.get(o);
            return v !== null && v !== undefined && diff(it.getTensor(o), v).count > 0;
          }),
        );
        assert.ok(first >= 0, "no difference at all on this image");
        const op = subgraph.operators[first];
        assert.ok(op !== undefined);
        const code = it.model.operatorCodes[op.opcodeIndex]?.builtinCode;
        assert.ok(
          code !== undefined && GEMM_OPS.includes(code),
          `first difference at builtin ${code}`,
        );
        for (const o of op.outputs) {
          const v = values.get(o);
          if (v) assert.equal(diff(it.getTensor(o), v).maxAbs, 1);
        }
      });
    }
  },
);
