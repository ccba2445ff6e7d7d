/**
 * IF: input 0 is a bool condition (one element); the other inputs go to the `then` subgraph if
 * it is true, else to the `else` subgraph, whose outputs become the op's. Both branches must
 * give outputs of the same shapes (LiteRT's dynamic-shape path is not supported).
 */
import type { Kernel } from "./kernel";
import { checkOutputs, conditionTensor, copyAll, prepareCallee } from "./controlflow";

export const If: Kernel = {
  op: "IF",
  prepare(node) {
    const o = node.options("IfOptions");
    const condition = conditionTensor(node, node.input(0), "input 0");
    const thenSg = node.subgraph(o.thenSubgraphIndex);
    const elseSg = node.subgraph(o.elseSubgraphIndex);
    const args = Array.from({ length: node.numInputs - 1 }, (_, i) => node.input(i + 1));
    prepareCallee(node, thenSg, "then", args);
    prepareCallee(node, elseSg, "else", args);
    const outputs = thenSg.outputs.map((t, i) => {
      if (i >= node.numOutputs) return node.output(i); // throws: too few outputs
      return node.allocateOutput(i, [...t.shape]);
    });
    if (node.numOutputs !== outputs.length) {
      throw node.shapeError(
        `then subgraph ${thenSg.index} has ${outputs.length} outputs, the op ${node.numOutputs}`,
      );
    }
    checkOutputs(node, thenSg, "then", outputs, "op output");
    checkOutputs(node, elseSg, "else", outputs, "op output");
    const thenIn = thenSg.inputs;
    const thenOut = thenSg.outputs;
    const elseIn = elseSg.inputs;
    const elseOut = elseSg.outputs;
    return () => {
      if (condition.data[0] !== 0) {
        copyAll(thenIn, args);
        thenSg.invoke();
        copyAll(outputs, thenOut);
      } else {
        copyAll(elseIn, args);
        elseSg.invoke();
        copyAll(outputs, elseOut);
      }
    };
  },
};
