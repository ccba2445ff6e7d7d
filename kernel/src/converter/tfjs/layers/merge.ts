/**
 * Merge layers: Add → ADD, Multiply → MUL (n inputs: a chain of n − 1 binary ops, as Keras
 * computes them, with numpy broadcasting), Concatenate → CONCATENATION along the layer's axis
 * normalized to 0 … rank − 1.
 */
import { ShapeError } from "../../../errors";
import type { LayerCall, LayerConverter } from "./call";
import { outputShape } from "./call";

/** numpy broadcast of two shapes of equal rank. */
function broadcast(call: LayerCall, a: number[], b: number[]): number[] {
  return a.map((d, i) => {
    const e = b[i] ?? 1;
    if (d !== e && d !== 1 && e !== 1) {
      throw new ShapeError(
        `${call.config.what}: shapes [${a.join(", ")}] and [${b.join(", ")}] do not broadcast`,
      );
    }
    return d === 1 ? e : d;
  });
}

function inputsOf(call: LayerCall, min: number): { xs: number[]; shapes: number[][] } {
  const shapes = call.inputShapes;
  if (call.inputs.length < min) {
    throw new ShapeError(
      `${call.config.what}: expected at least ${min} inputs, found ${call.inputs.length}`,
    );
  }
  const rank = shapes[0]?.length ?? 0;
  const odd = shapes.find((s) => s.length !== rank);
  if (odd !== undefined) {
    throw new ShapeError(
      `${call.config.what}: inputs must have equal ranks, found ` +
        shapes.map((s) => `[${s.join(", ")}]`).join(" and "),
    );
  }
  return { xs: call.inputs, shapes };
}

function chain(op: "ADD" | "MUL", suffix: string): LayerConverter {
  return (call) => {
    const { b, name } = call;
    const { xs, shapes } = inputsOf(call, 2);
    const [first, ...rest] = xs;
    let y = first ?? -1;
    let shape = shapes[0] ?? [];
    rest.forEach((x, i) => {
      const last = i === rest.length - 1;
      shape = last ? outputShape(call) : broadcast(call, shape, shapes[i + 1] ?? []);
      const out = b.activation(`${name}/${suffix}${i === 0 ? "" : `_${i}`}`, shape);
      b.op(
        op,
        [y, x],
        [out],
        op === "ADD"
          ? { type: "AddOptions", fusedActivationFunction: "NONE", potScaleInt16: true }
          : { type: "MulOptions", fusedActivationFunction: "NONE" },
      );
      y = out;
    });
    return [y];
  };
}

export const Add: LayerConverter = chain("ADD", "Add");
export const Multiply: LayerConverter = chain("MUL", "Mul");

export const Concatenate: LayerConverter = (call) => {
  const { b, name, config: c } = call;
  const { xs, shapes } = inputsOf(call, 1);
  const rank = shapes[0]?.length ?? 0;
  const given = c.number("axis", -1);
  const axis = given < 0 ? given + rank : given;
  if (!Number.isInteger(axis) || axis < 1 || axis >= rank) {
    throw c.unsupported(
      `concatenation axis ${given} is not supported for rank-${rank} inputs ` +
        `(an axis other than the batch: 1 … ${rank - 1}, or -${rank - 1} … -1)`,
    );
  }
  const y = b.activation(`${name}/concat`, outputShape(call));
  b.op("CONCATENATION", xs, [y], {
    type: "ConcatenationOptions",
    axis,
    fusedActivationFunction: "NONE",
  });
  return [y];
};
