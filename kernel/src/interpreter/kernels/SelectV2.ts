/**
 * SELECT_V2: y = condition ? x : y_else, the three inputs broadcast together (numpy rules).
 * The condition is bool; x, y_else and the output share one dtype (any the interpreter stores:
 * float32, int8, uint8, int16, int32, int64, bool). Quantized values are copied as they are —
 * TFLite does not rescale, so x, y_else and the output must share scale and zero point.
 * SELECT (version 1, what TF writes for `tf.where` in some graphs): x and y_else have one shape;
 * the condition has that shape too, or is rank 1 and picks whole rows along dimension 0.
 */
import type { DType } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import type { Eval, Kernel } from "./kernel";
import { broadcastIndex, broadcastShape } from "./layout";

const SELECT_TYPES: readonly DType[] = [
  "bool",
  "float32",
  "uint8",
  "int8",
  "int16",
  "int32",
  "int64",
];

/** SELECT's condition as a shape that broadcasts like SELECT_V2's: rank 1 becomes [n, 1, …]. */
function selectV1ConditionShape(
  node: Node,
  condition: RuntimeTensor,
  x: RuntimeTensor,
  otherwise: RuntimeTensor,
): number[] {
  const same = (p: readonly number[], q: readonly number[]): boolean =>
    p.length === q.length && p.every((d, i) => d === q[i]);
  if (!same(x.shape, otherwise.shape)) {
    throw node.shapeError(
      `inputs '${x.name}' [${x.shape.join(", ")}] and '${otherwise.name}' ` +
        `[${otherwise.shape.join(", ")}] must have one shape`,
    );
  }
  if (same(condition.shape, x.shape)) return [...condition.shape];
  if (condition.shape.length === 1 && x.shape.length > 1 && condition.shape[0] === x.shape[0]) {
    return [condition.shape[0] ?? 0, ...x.shape.slice(1).map(() => 1)];
  }
  throw node.shapeError(
    `condition '${condition.name}' [${condition.shape.join(", ")}] must have the inputs' shape ` +
      `[${x.shape.join(", ")}] or be rank 1 of size ${x.shape[0] ?? 0}`,
  );
}

function prepareSelect(node: Node, op: "SELECT" | "SELECT_V2"): Eval {
  const condition = node.input(0);
  const x = node.input(1);
  const otherwise = node.input(2);
  const c = node.bool(condition);
  if (!SELECT_TYPES.includes(x.dtype)) {
    throw node.unsupported(
      `input '${x.name}' has type ${x.dtype}; ${op} takes ${SELECT_TYPES.join(", ")}`,
    );
  }
  if (x.dtype !== otherwise.dtype) {
    throw node.unsupported(
      `inputs '${x.name}' (${x.dtype}) and '${otherwise.name}' (${otherwise.dtype}) must have the same type`,
    );
  }
  const conditionShape =
    op === "SELECT" ? selectV1ConditionShape(node, condition, x, otherwise) : [...condition.shape];
  const shape = broadcastShape(
    node,
    broadcastShape(node, conditionShape, x.shape),
    otherwise.shape,
  );
  const output = node.allocateOutput(0, shape);
  if (output.dtype !== x.dtype) {
    throw node.unsupported(
      `output '${output.name}' must have type ${x.dtype}, found ${output.dtype}`,
    );
  }
  const cIndex = broadcastIndex(conditionShape, shape);
  const xIndex = broadcastIndex(x.shape, shape);
  const oIndex = broadcastIndex(otherwise.shape, shape);
  const size = output.data.length;
  const a = x.data;
  const b = otherwise.data;
  const y = output.data;
  if (a instanceof BigInt64Array && b instanceof BigInt64Array && y instanceof BigInt64Array) {
    return () => {
      for (let i = 0; i < size; i++) y[i] = c[cIndex[i]] !== 0 ? a[xIndex[i]] : b[oIndex[i]];
    };
  }
  if (a instanceof BigInt64Array || b instanceof BigInt64Array || y instanceof BigInt64Array) {
    throw node.unsupported("int64 operands must all be int64");
  }
  return () => {
    for (let i = 0; i < size; i++) y[i] = c[cIndex[i]] !== 0 ? a[xIndex[i]] : b[oIndex[i]];
  };
}

export const SelectV2: Kernel = {
  op: "SELECT_V2",
  prepare: (node) => prepareSelect(node, "SELECT_V2"),
};

export const Select: Kernel = {
  op: "SELECT",
  prepare: (node) => prepareSelect(node, "SELECT"),
};
