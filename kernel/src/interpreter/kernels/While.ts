/**
 * WHILE: the loop-carried values (the op's N inputs) go through `cond` (N inputs, one bool
 * output) and, while it is true, through `body` (N inputs, N outputs); the op's outputs are the
 * values when `cond` turns false (the inputs themselves if it is false at once). Shapes must
 * stay fixed across iterations: each body output has the shape of its input.
 */
import { ModelFormatError } from "../../errors";
import type { Kernel } from "./kernel";

/**
 * The most iterations one WHILE runs per invoke. A recurrent layer loops once per time step
 * (hundreds or thousands); a loop past this is a malformed condition, which would otherwise
 * hang the invoke.
 */
export const MAX_WHILE_ITERATIONS = 100_000;
import { checkOutputs, conditionTensor, copyAll, prepareCallee } from "./controlflow";

export const While: Kernel = {
  op: "WHILE",
  prepare(node) {
    const o = node.options("WhileOptions");
    const cond = node.subgraph(o.condSubgraphIndex);
    const body = node.subgraph(o.bodySubgraphIndex);
    const values = Array.from({ length: node.numInputs }, (_, i) => node.input(i));
    if (node.numOutputs !== values.length) {
      throw node.shapeError(`has ${values.length} loop inputs but ${node.numOutputs} outputs`);
    }
    prepareCallee(node, cond, "cond", values);
    prepareCallee(node, body, "body", values);
    if (cond.outputs.length !== 1) {
      throw node.shapeError(
        `cond subgraph ${cond.index} must have 1 output, found ${cond.outputs.length}`,
      );
    }
    const condition = conditionTensor(node, cond.outputs[0], `cond subgraph ${cond.index} output`);
    checkOutputs(node, body, "body", values, "loop input");
    const outputs = values.map((v, i) => node.allocateOutput(i, [...v.shape]));
    checkOutputs(node, body, "body", outputs, "op output");
    const condIn = cond.inputs;
    const bodyIn = body.inputs;
    const bodyOut = body.outputs;
    return () => {
      copyAll(condIn, values);
      for (let iteration = 0; ; iteration++) {
        cond.invoke();
        if (condition.data[0] === 0) break;
        if (iteration === MAX_WHILE_ITERATIONS) {
          throw new ModelFormatError(
            `${node.label}: the condition (subgraph ${cond.index}) still holds after ` +
              `${MAX_WHILE_ITERATIONS} iterations of the body (subgraph ${body.index}); ` +
              `tsquant stops a loop there`,
          );
        }
        copyAll(bodyIn, condIn);
        body.invoke();
        copyAll(condIn, bodyOut);
      }
      copyAll(outputs, condIn);
    };
  },
};
