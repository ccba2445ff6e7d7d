/**
 * What WHILE and IF share: binding an op's operands to another subgraph's inputs and outputs
 * (types and shapes checked at prepare), and copying values across in place (kernels of the
 * called subgraph hold the typed arrays they were prepared with).
 */
import { ModelFormatError } from "../../errors";
import type { Node } from "../node";
import type { Callee } from "../host";
import type { RuntimeTensor } from "../tensor";

/** Copy `src`'s bytes into `dst`'s storage (same dtype and element count, checked at prepare). */
export function copyInto(dst: RuntimeTensor, src: RuntimeTensor): void {
  if (dst === src) return;
  new Uint8Array(dst.data.buffer, dst.data.byteOffset, dst.data.byteLength).set(
    new Uint8Array(src.data.buffer, src.data.byteOffset, src.data.byteLength),
  );
}

/** `copyInto(dst[i], src[i])` for every i (equal lengths, checked at prepare). */
export function copyAll(dst: readonly RuntimeTensor[], src: readonly RuntimeTensor[]): void {
  for (let i = 0; i < dst.length; i++) {
    const d = dst[i];
    const s = src[i];
    if (d !== undefined && s !== undefined) copyInto(d, s);
  }
}

/** A bool tensor of one element (a WHILE cond's output, an IF's input 0). */
export function conditionTensor(
  node: Node,
  t: RuntimeTensor | undefined,
  what: string,
): RuntimeTensor & { data: Uint8Array } {
  if (t === undefined) throw new ModelFormatError(`${node.label}: ${what} is missing`);
  const data = t.data;
  if (t.dtype !== "bool" || !(data instanceof Uint8Array)) {
    throw node.unsupported(`${what} '${t.name}' must be bool, found ${t.dtype}`);
  }
  if (data.length !== 1) {
    throw node.shapeError(
      `${what} '${t.name}' must hold one element, found shape ${showShape(t.shape)}`,
    );
  }
  return Object.assign(t, { data });
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function showShape(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/**
 * Give `sg`'s inputs the dtypes and shapes of `values` (the op's operands) and prepare it.
 * `role` names the subgraph in messages ("cond", "body", "then", "else").
 */
export function prepareCallee(
  node: Node,
  sg: Callee,
  role: string,
  values: readonly RuntimeTensor[],
): void {
  const inputs = sg.inputs;
  if (inputs.length !== values.length) {
    throw new ModelFormatError(
      `${node.label}: ${role} subgraph ${sg.index} takes ${inputs.length} inputs, ` +
        `the op passes ${values.length}`,
    );
  }
  inputs.forEach((t, i) => {
    const v = values[i];
    if (v === undefined) return;
    if (t.dtype !== v.dtype) {
      throw new ModelFormatError(
        `${node.label}: input ${i} '${t.name}' of ${role} subgraph ${sg.index} is ${t.dtype}, ` +
          `the op passes '${v.name}' of ${v.dtype}`,
      );
    }
    t.shape = [...v.shape];
  });
  sg.prepare();
}

/** Check that `outputs` (a subgraph's) can be copied into `targets`: same dtypes and shapes. */
export function checkOutputs(
  node: Node,
  sg: Callee,
  role: string,
  targets: readonly { dtype: string; shape: readonly number[]; name: string }[],
  what: string,
): void {
  const outputs = sg.outputs;
  if (outputs.length !== targets.length) {
    throw new ModelFormatError(
      `${node.label}: ${role} subgraph ${sg.index} has ${outputs.length} outputs, ` +
        `expected ${targets.length}`,
    );
  }
  outputs.forEach((o, i) => {
    const t = targets[i];
    if (t === undefined) return;
    if (o.dtype !== t.dtype) {
      throw new ModelFormatError(
        `${node.label}: output ${i} '${o.name}' of ${role} subgraph ${sg.index} is ${o.dtype}, ` +
          `${what} '${t.name}' is ${t.dtype}`,
      );
    }
    if (!sameShape(o.shape, t.shape)) {
      throw node.unsupported(
        `output ${i} '${o.name}' of ${role} subgraph ${sg.index} has shape ${showShape(o.shape)}, ` +
          `${what} '${t.name}' has ${showShape(t.shape)}; shapes that change across ` +
          `iterations or branches (LiteRT's dynamic-tensor path) are not supported`,
      );
    }
  });
}
