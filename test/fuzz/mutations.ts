// Mutations for the fuzz tests, all driven by a seeded PRNG (`rand` in [0, 1)) so that a case is
// reproducible from its seed alone.
// - Byte mutations (bit flips, truncation, splices, inserts, deletes, overwritten words) break the
//   FlatBuffer itself: offsets, lengths, vtables.
// - IR mutations edit a model that reads cleanly and serialize it without checks, so the file is
//   well-formed FlatBuffers but its content is hostile: huge or zero dimensions, a changed rank,
//   wrong tensor / buffer / opcode / subgraph indices, buffer data of the wrong size, option values
//   out of any sane range (strides, dilations, filter sizes, axes, masks), constant shape /
//   paddings / begin / end operands rewritten.
// - Random bytes, with or without the "TFL3" identifier.
import type { Model } from "../../kernel/src/ir";
import { TENSOR_TYPES } from "../../kernel/src/ir";
import { serializeUnchecked } from "../../kernel/src/tflite/writer";

export type Rand = () => number;

export type ByteMutation = "bitflip" | "truncate" | "splice" | "insert" | "delete" | "field";
export const BYTE_MUTATIONS: ByteMutation[] = [
  "bitflip",
  "truncate",
  "splice",
  "insert",
  "delete",
  "field",
];

const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, items: readonly T[]): T | undefined => items[int(rand, items.length)];

export function mutateBytes(src: Uint8Array, kind: ByteMutation, rand: Rand): Uint8Array {
  const n = src.length;
  switch (kind) {
    case "bitflip": {
      const out = src.slice();
      for (let k = 1 + int(rand, 8); k > 0; k--) {
        const i = int(rand, n);
        out[i] = (out[i] ?? 0) ^ (1 << int(rand, 8));
      }
      return out;
    }
    case "truncate":
      return src.slice(0, int(rand, n));
    case "splice": {
      // Copy a chunk of the file over another place: plausible offsets in the wrong spots.
      const out = src.slice();
      const from = int(rand, n);
      const to = int(rand, n);
      const chunk = src.subarray(from, Math.min(n, from + 1 + int(rand, 64)));
      out.set(chunk.subarray(0, n - to), to);
      return out;
    }
    case "insert": {
      const at = int(rand, n);
      const chunk = Uint8Array.from({ length: 1 + int(rand, 32) }, () => int(rand, 256));
      const out = new Uint8Array(n + chunk.length);
      out.set(src.subarray(0, at));
      out.set(chunk, at);
      out.set(src.subarray(at), at + chunk.length);
      return out;
    }
    case "delete": {
      const at = int(rand, n);
      const len = 1 + int(rand, 32);
      const out = new Uint8Array(Math.max(0, n - len));
      out.set(src.subarray(0, at).subarray(0, out.length));
      if (at < out.length) out.set(src.subarray(at + len), at);
      return out;
    }
    case "field": {
      // Overwrite an aligned word with a value that tends to break offsets, lengths and enums.
      const out = src.slice();
      if (n < 4) return out;
      const view = new DataView(out.buffer);
      const interesting = [
        0,
        1,
        2,
        3,
        -1,
        127,
        128,
        255,
        0x7fff,
        0xffff,
        0x7fffffff,
        0x80000000,
        n,
        n - 4,
        int(rand, 300),
        int(rand, 2 ** 32),
      ];
      const value = pick(rand, interesting) ?? 0;
      const width = pick(rand, [1, 2, 4]) ?? 4;
      const at = int(rand, Math.max(1, n - 4)) & ~(width - 1);
      if (width === 1) view.setUint8(at, value & 0xff);
      else if (width === 2) view.setUint16(at, value & 0xffff, true);
      else view.setUint32(at, value >>> 0, true);
      return out;
    }
    default:
      return kind satisfies never;
  }
}

/** Random bytes; half the time behind a valid root offset and the "TFL3" identifier. */
export function randomBytes(rand: Rand): Uint8Array {
  const out = Uint8Array.from({ length: int(rand, 4096) }, () => int(rand, 256));
  if (out.length >= 8 && rand() < 0.5) {
    new DataView(out.buffer).setUint32(0, 8 + 4 * int(rand, 16), true);
    out.set([0x54, 0x46, 0x4c, 0x33], 4); // "TFL3"
  }
  return out;
}

export type IrMutation = "dimension" | "rank" | "operand" | "buffer" | "index" | "option" | "type";
export const IR_MUTATIONS: IrMutation[] = [
  "dimension",
  "dimension",
  "rank",
  "operand",
  "operand",
  "buffer",
  "index",
  "option",
  "option",
  "type",
];

/** Sizes that overflow products, allocations and loops — and the degenerate ones. */
function hugeOrTiny(rand: Rand, current: number): number {
  return (
    pick(rand, [
      0,
      1,
      2,
      3,
      7,
      255,
      256,
      1000,
      4096,
      65535,
      65536,
      2 ** 20,
      2 ** 24,
      2 ** 28,
      2 ** 30,
      2 ** 31 - 1,
      current * 2,
      current * 1000,
      current + 1,
      -1,
      -2,
      -(2 ** 31),
    ]) ?? 0
  );
}

/**
 * Edits one thing of `model` in place and returns a description of the edit (or null when the
 * chosen part does not exist in this model).
 */
export function mutateIr(model: Model, kind: IrMutation, rand: Rand): string | null {
  const sg = model.subgraphs[0];
  if (sg === undefined) return null;
  const tensors = sg.tensors;
  // Graph inputs are where a huge shape reaches an allocation first; favour them.
  const tensorIndex =
    rand() < 0.3 && sg.inputs.length > 0
      ? (pick(rand, sg.inputs) ?? 0)
      : int(rand, Math.max(1, tensors.length));
  const tensor = tensors[tensorIndex];
  switch (kind) {
    case "dimension": {
      if (tensor === undefined || tensor.shape.length === 0) return null;
      const d = int(rand, tensor.shape.length);
      const v = hugeOrTiny(rand, tensor.shape[d] ?? 1);
      tensor.shape[d] = v;
      return `tensor #${tensorIndex} dim ${d} = ${v}`;
    }
    case "rank": {
      if (tensor === undefined) return null;
      if (rand() < 0.5 && tensor.shape.length > 0) tensor.shape.pop();
      else tensor.shape.push(hugeOrTiny(rand, 1));
      return `tensor #${tensorIndex} shape = [${tensor.shape.join(", ")}]`;
    }
    case "operand": {
      // A constant int32 operand (a shape, paddings, begin/end/strides, axes) rewritten.
      const constants = tensors
        .map((t, i) => [t, i] as const)
        .filter(([t]) => t.type === "int32" && (model.buffers[t.buffer]?.data?.length ?? 0) >= 4);
      const chosen = pick(rand, constants);
      if (chosen === undefined) return null;
      const [t, i] = chosen;
      const data = model.buffers[t.buffer]?.data;
      if (data === undefined || data === null) return null;
      const copy = data.slice();
      const view = new DataView(copy.buffer);
      const at = int(rand, copy.length >> 2);
      const v = hugeOrTiny(rand, view.getInt32(4 * at, true));
      view.setInt32(4 * at, v | 0, true);
      // Buffers may be shared between tensors: give this one its own copy.
      model.buffers.push({ data: copy });
      t.buffer = model.buffers.length - 1;
      return `constant #${i} element ${at} = ${v | 0}`;
    }
    case "buffer": {
      if (tensor === undefined) return null;
      const choice = int(rand, 3);
      if (choice === 0) {
        tensor.buffer = hugeOrTiny(rand, tensor.buffer);
        return `tensor #${tensorIndex} buffer = ${tensor.buffer}`;
      }
      if (choice === 1) {
        tensor.buffer = int(rand, model.buffers.length);
        return `tensor #${tensorIndex} buffer = ${tensor.buffer}`;
      }
      // Data of another length: too short, too long, or empty.
      const data = model.buffers[tensor.buffer]?.data ?? new Uint8Array(4);
      const length = pick(rand, [0, 1, data.length - 1, data.length + 1, data.length * 2]) ?? 0;
      const resized = new Uint8Array(Math.max(0, length));
      resized.set(data.subarray(0, resized.length));
      model.buffers.push({ data: resized });
      tensor.buffer = model.buffers.length - 1;
      return `tensor #${tensorIndex} data of ${resized.length} bytes`;
    }
    case "index": {
      const op = pick(rand, sg.operators);
      const choice = int(rand, 6);
      const v = pick(rand, [-1, 0, tensors.length - 1, tensors.length, int(rand, tensors.length)]);
      if (v === undefined) return null;
      if (choice === 0 && op !== undefined && op.inputs.length > 0) {
        op.inputs[int(rand, op.inputs.length)] = v;
        return `op input = ${v}`;
      }
      if (choice === 1 && op !== undefined && op.outputs.length > 0) {
        op.outputs[int(rand, op.outputs.length)] = v;
        return `op output = ${v}`;
      }
      if (choice === 2 && op !== undefined) {
        op.opcodeIndex = pick(rand, [-1, model.operatorCodes.length, int(rand, 200)]) ?? 0;
        return `opcode index = ${op.opcodeIndex}`;
      }
      if (choice === 3 && sg.inputs.length > 0) {
        sg.inputs[int(rand, sg.inputs.length)] = v;
        return `graph input = ${v}`;
      }
      if (choice === 4 && sg.outputs.length > 0) {
        sg.outputs[int(rand, sg.outputs.length)] = v;
        return `graph output = ${v}`;
      }
      const sig = model.signatureDefs?.[0];
      if (sig !== undefined) {
        sig.subgraphIndex = pick(rand, [-1, 1, model.subgraphs.length, 2 ** 31 - 1]) ?? 1;
        return `signature subgraph = ${sig.subgraphIndex}`;
      }
      return null;
    }
    case "option": {
      const op = pick(
        rand,
        sg.operators.filter((o) => o.builtinOptions !== null),
      );
      const options = op?.builtinOptions as Record<string, unknown> | null | undefined;
      if (options === null || options === undefined) return null;
      const keys = Object.keys(options).filter((k) => typeof options[k] === "number");
      const key = pick(rand, keys);
      if (key === undefined) return null;
      const current = options[key];
      const v = hugeOrTiny(rand, typeof current === "number" ? current : 1);
      options[key] = v;
      return `${String(options.type)}.${key} = ${v}`;
    }
    case "type": {
      if (tensor === undefined) return null;
      tensor.type = pick(rand, TENSOR_TYPES) ?? "float32";
      return `tensor #${tensorIndex} type = ${tensor.type}`;
    }
    default:
      return kind satisfies never;
  }
}

/** The model with 1–3 IR mutations, serialized without the writer's checks. */
export function mutateModel(base: Model, rand: Rand): { bytes: Uint8Array; edits: string[] } {
  const model = structuredClone(base);
  const edits: string[] = [];
  for (let k = 1 + int(rand, 3); k > 0; k--) {
    const kind = pick(rand, IR_MUTATIONS) ?? "dimension";
    edits.push(`${kind}: ${mutateIr(model, kind, rand) ?? "nothing"}`);
  }
  return { bytes: serializeUnchecked(model), edits };
}
