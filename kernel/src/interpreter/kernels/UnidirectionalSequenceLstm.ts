/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM (float32, and hybrid: int8 weights): an LSTM over a sequence, its state in two variable
 * tensors that persist between invokes. Per time step t and batch row b, with x the input row,
 * h the output state and c the cell state (all float32, every step rounded to float32):
 *
 *   i = σ(W_i x + R_i h + p_i ⊙ c + b_i)       (absent with CIFG: i = 1 − f)
 *   f = σ(W_f x + R_f h + p_f ⊙ c + b_f)
 *   g = act(W_c x + R_c h + b_c)
 *   c ← clip(f ⊙ c + i ⊙ g, cell_clip)
 *   o = σ(W_o x + R_o h + p_o ⊙ c + b_o)       (peephole on the new c)
 *   h ← clip(P (o ⊙ act(c)) + b_P, proj_clip)  (without projection: h = o ⊙ act(c))
 *
 * With layer norm, each gate's pre-activation (without bias) is normalized to mean 0 and
 * variance 1 over the cells, scaled by its coefficients, then the bias is added. Peephole
 * weights p are vectors (diagonal matrices); with `diagonalRecurrentTensors` so are R.
 * Operands (indices of the schema): 0 input; 1–4 input weights (1 optional); 5–8 recurrent
 * weights (5 optional); 9–11 peephole (optional); 12–15 biases (12 optional); 16 projection
 * weights, 17 projection bias (optional); 18 output state, 19 cell state (variables); 20–23
 * layer-norm coefficients (optional). LiteRT: lstm_eval.cc, unidirectional_sequence_lstm.cc.
 *
 * Hybrid (TF's dynamic-range conversion): int8 weight matrices with one scale each; per step the
 * input row, the output-state row and the projection input are quantized to int8 (symmetric,
 * or asymmetric with `asymmetricQuantizeInputs`), each product is Σ w·q − rowSum·zp in
 * integers scaled by f32(s_row · s_w), added to the float gate; int8 peephole weights are
 * dequantized. Biases and layer-norm coefficients stay float32.
 */
import { ModelFormatError } from "../../errors";
import type { Activation } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import { asymmetricQuantizeRow, symmetricQuantizeRow } from "./hybrid";
import type { Kernel } from "./kernel";

const f32 = Math.fround;

/**
 * A weight matrix: float32, or int8 with one scale (hybrid models) and its row sums (for the
 * zero point of asymmetrically quantized rows).
 */
type Weights =
  | { kind: "float"; w: Float32Array }
  | { kind: "int8"; w: Int8Array; scale: number; rowSums: Int32Array };

/** One gate's operands (null when absent); peephole weights dequantized to float32. */
interface Gate {
  inputWeights: Weights;
  recurrentWeights: Weights;
  peephole: Float32Array | null;
  bias: Float32Array;
  layerNorm: Float32Array | null;
}

export const UnidirectionalSequenceLstm: Kernel = {
  op: "UNIDIRECTIONAL_SEQUENCE_LSTM",
  prepare(node) {
    const o = node.options("UnidirectionalSequenceLSTMOptions");
    const input = node.input(0);
    if (input.dtype !== "float32") {
      throw node.unsupported("only float32 activations (the integer LSTM is not supported yet)");
    }
    const hybrid = node.input(2).dtype === "int8";
    if (hybrid && o.diagonalRecurrentTensors) {
      throw node.unsupported("diagonal recurrent tensors with int8 weights");
    }
    node.expectRank(input, 3);
    const [d0 = 0, d1 = 0, nInput = 0] = input.shape;
    const maxTime = o.timeMajor ? d0 : d1;
    const nBatch = o.timeMajor ? d1 : d0;
    const forgetWeights = node.input(2);
    node.expectRank(forgetWeights, 2);
    const [nCell = 0, weightCols = 0] = forgetWeights.shape;
    if (weightCols !== nInput) {
      throw node.shapeError(
        `input_to_forget_weights '${forgetWeights.name}' must be [${nCell}, ${nInput}] for ` +
          `input '${input.name}' of shape [${input.shape.join(", ")}], found ` +
          `[${forgetWeights.shape.join(", ")}]`,
      );
    }
    const recurrentForget = node.input(6);
    const nOutput = o.diagonalRecurrentTensors ? nCell : (recurrentForget.shape[1] ?? 0);

    /** A float32 vector, or (hybrid weights only) an int8 one dequantized: f32(q · scale). */
    const vector = (
      i: number,
      what: string,
      size: number,
      weights = false,
    ): Float32Array | null => {
      const t = node.optionalInput(i);
      if (t === null) return null;
      expectShape(node, t, what, [size]);
      if (weights && t.dtype === "int8") {
        const scale = node.affine(t).scale;
        return Float32Array.from(node.i8(t), (q) => f32(q * scale));
      }
      return node.f32(t);
    };
    const matrix = (i: number, what: string, rows: number, cols: number): Weights | null => {
      const t = node.optionalInput(i);
      if (t === null) return null;
      expectShape(node, t, what, [rows, cols]);
      if (t.dtype !== "int8") return { kind: "float", w: node.f32(t) };
      const q = node.affine(t);
      if (q.zeroPoint !== 0)
        throw node.unsupported(`int8 weights '${t.name}' with zero point ${q.zeroPoint}`);
      const w = node.i8(t);
      const rowSums = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let k = 0; k < cols; k++) sum += w[r * cols + k] ?? 0;
        rowSums[r] = sum;
      }
      return { kind: "int8", w, scale: q.scale, rowSums };
    };
    const required = <T>(v: T | null, i: number, what: string): T => {
      if (v === null) throw new ModelFormatError(`${node.label}: ${what} (input ${i}) is missing`);
      return v;
    };
    const recurrent = (i: number, what: string): Weights | null => {
      if (!o.diagonalRecurrentTensors) return matrix(i, what, nCell, nOutput);
      const v = vector(i, what, nCell);
      return v === null ? null : { kind: "float", w: v };
    };

    const names = ["input", "forget", "cell", "output"] as const;
    const gate = (k: number): Gate | null => {
      const name = names[k] ?? "";
      const inputWeights = matrix(1 + k, `input_to_${name}_weights`, nCell, nInput);
      const recurrentWeights = recurrent(5 + k, `recurrent_to_${name}_weights`);
      const bias = vector(12 + k, `${name}_gate_bias`, nCell);
      if (k === 0 && inputWeights === null) return null; // CIFG: no input gate
      return {
        inputWeights: required(inputWeights, 1 + k, `input_to_${name}_weights`),
        recurrentWeights: required(recurrentWeights, 5 + k, `recurrent_to_${name}_weights`),
        // The cell gate has no peephole (input 9 + 2 is the output gate's).
        peephole:
          k === 2 ? null : vector(k === 3 ? 11 : 9 + k, `cell_to_${name}_weights`, nCell, true),
        bias: required(bias, 12 + k, `${name}_gate_bias`),
        layerNorm: vector(20 + k, `${name}_layer_norm_coefficients`, nCell),
      };
    };
    const inputGate = gate(0);
    const forgetGate = required(gate(1), 2, "forget gate");
    const cellGate = required(gate(2), 3, "cell gate");
    const outputGate = required(gate(3), 4, "output gate");
    const projection = matrix(16, "projection_weights", nOutput, nCell);
    const projectionBias = vector(17, "projection_bias", nOutput);
    if (projection === null && nOutput !== nCell) {
      throw node.shapeError(`without projection the output size ${nOutput} must equal ${nCell}`);
    }

    const outputState = node.input(18);
    const cellState = node.input(19);
    for (const [t, size, what] of [
      [outputState, nOutput, "output_state"],
      [cellState, nCell, "cell_state"],
    ] as const) {
      if (!t.isVariable) {
        throw new ModelFormatError(
          `${node.label}: ${what} '${t.name}' (input ${what === "cell_state" ? 19 : 18}) must ` +
            `be a variable tensor`,
        );
      }
      expectShape(node, t, what, [nBatch, size]);
    }
    const h = node.f32(outputState);
    const c = node.f32(cellState);
    const x = node.f32(input);
    const out = node.allocateOutput(
      0,
      o.timeMajor ? [maxTime, nBatch, nOutput] : [nBatch, maxTime, nOutput],
    );
    const y = node.f32(out);
    // Four gates, each a product with the input and with the recurrent state, every step.
    node.reserveWork(0, maxTime * nBatch * 4 * nCell * (nInput + nOutput));
    const act = activationFn(node, o.fusedActivationFunction);
    const cellClip = o.cellClip;
    const projClip = o.projClip;
    const diagonal = o.diagonalRecurrentTensors;

    const gi = new Float32Array(nCell);
    const gf = new Float32Array(nCell);
    const gc = new Float32Array(nCell);
    const go = new Float32Array(nCell);
    const scratch = new Float32Array(nCell);
    const hNew = new Float32Array(nOutput);
    // Hybrid: each step's input row, output-state row and projection input quantized to int8
    // (symmetric, or asymmetric with `asymmetricQuantizeInputs`), one scale per row.
    const xq = new Int8Array(nInput);
    const hq = new Int8Array(nOutput);
    const sq = new Int8Array(nCell);
    const xRow = { scale: 1, zeroPoint: 0 };
    const hRow = { scale: 1, zeroPoint: 0 };
    const sRow = { scale: 1, zeroPoint: 0 };
    const quantizeRow = (
      v: Float32Array,
      off: number,
      n: number,
      q: Int8Array,
      row: { scale: number; zeroPoint: number },
    ): void => {
      const view = v.subarray(off, off + n);
      if (o.asymmetricQuantizeInputs) {
        asymmetricQuantizeRow(view, 0, n, q, row);
      } else {
        row.scale = symmetricQuantizeRow(view, 0, n, q);
        row.zeroPoint = 0;
      }
    };

    /**
     * acc[r] += W[r] · v for every row r. Float: the dot product accumulated from 0 in float32,
     * then added. int8: Σ W·q − rowSum · zeroPoint in integers, times f32(s_row · s_W).
     */
    const accumulate = (
      wt: Weights,
      acc: Float32Array,
      rows: number,
      cols: number,
      v: Float32Array,
      vOff: number,
      q: Int8Array,
      row: { scale: number; zeroPoint: number },
    ): void => {
      if (wt.kind === "float") {
        for (let r = 0; r < rows; r++) {
          acc[r] = f32((acc[r] ?? 0) + dot(wt.w, r * cols, v, vOff, cols));
        }
        return;
      }
      const scale = f32(row.scale * wt.scale);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let k = 0; k < cols; k++) sum += (wt.w[r * cols + k] ?? 0) * (q[k] ?? 0);
        sum -= (wt.rowSums[r] ?? 0) * row.zeroPoint;
        acc[r] = f32((acc[r] ?? 0) + f32(sum * scale));
      }
    };

    /** Pre-activation of one gate for row (xOff, b) into `acc`, then its activation. */
    const computeGate = (
      g: Gate,
      acc: Float32Array,
      xOff: number,
      hOff: number,
      cOff: number,
      f: (v: number) => number,
    ): void => {
      for (let r = 0; r < nCell; r++) acc[r] = g.layerNorm === null ? (g.bias[r] ?? 0) : 0;
      accumulate(g.inputWeights, acc, nCell, nInput, x, xOff, xq, xRow);
      const rw = g.recurrentWeights;
      if (diagonal && rw.kind === "float") {
        for (let r = 0; r < nCell; r++) {
          acc[r] = f32((acc[r] ?? 0) + f32((rw.w[r] ?? 0) * (h[hOff + r] ?? 0)));
        }
      } else {
        accumulate(rw, acc, nCell, nOutput, h, hOff, hq, hRow);
      }
      if (g.peephole !== null) {
        for (let r = 0; r < nCell; r++) {
          acc[r] = f32((acc[r] ?? 0) + f32((g.peephole[r] ?? 0) * (c[cOff + r] ?? 0)));
        }
      }
      if (g.layerNorm !== null) {
        normalize(acc);
        for (let r = 0; r < nCell; r++) {
          acc[r] = f32(f32((g.layerNorm[r] ?? 0) * (acc[r] ?? 0)) + (g.bias[r] ?? 0));
        }
      }
      for (let r = 0; r < nCell; r++) acc[r] = f(acc[r] ?? 0);
    };

    const step = (xOff: number, b: number, yOff: number): void => {
      const hOff = b * nOutput;
      const cOff = b * nCell;
      if (hybrid) {
        quantizeRow(x, xOff, nInput, xq, xRow);
        quantizeRow(h, hOff, nOutput, hq, hRow);
      }
      if (inputGate !== null) computeGate(inputGate, gi, xOff, hOff, cOff, sigmoid);
      computeGate(forgetGate, gf, xOff, hOff, cOff, sigmoid);
      computeGate(cellGate, gc, xOff, hOff, cOff, act);
      for (let r = 0; r < nCell; r++) {
        const inGate = inputGate === null ? f32(1 - (gf[r] ?? 0)) : (gi[r] ?? 0);
        let cell = f32((gf[r] ?? 0) * (c[cOff + r] ?? 0));
        cell = f32(cell + f32((gc[r] ?? 0) * inGate));
        if (cellClip > 0) cell = Math.min(cellClip, Math.max(-cellClip, cell));
        c[cOff + r] = cell;
      }
      computeGate(outputGate, go, xOff, hOff, cOff, sigmoid);
      for (let r = 0; r < nCell; r++) scratch[r] = f32((go[r] ?? 0) * act(c[cOff + r] ?? 0));
      if (projection === null) {
        hNew.set(scratch.subarray(0, nOutput));
      } else {
        if (projection.kind === "int8") quantizeRow(scratch, 0, nCell, sq, sRow);
        for (let r = 0; r < nOutput; r++) hNew[r] = projectionBias?.[r] ?? 0;
        accumulate(projection, hNew, nOutput, nCell, scratch, 0, sq, sRow);
        if (projClip > 0) {
          for (let r = 0; r < nOutput; r++) {
            hNew[r] = Math.min(projClip, Math.max(-projClip, hNew[r] ?? 0));
          }
        }
      }
      h.set(hNew, hOff);
      y.set(hNew, yOff);
    };

    return () => {
      for (let t = 0; t < maxTime; t++) {
        for (let b = 0; b < nBatch; b++) {
          const row = o.timeMajor ? t * nBatch + b : b * maxTime + t;
          step(row * nInput, b, row * nOutput);
        }
      }
    };
  },
};

/** Σ_k m[mOff + k] · v[vOff + k], accumulated from 0 in float32, in index order. */
function dot(m: Float32Array, mOff: number, v: Float32Array, vOff: number, n: number): number {
  let acc = 0;
  for (let k = 0; k < n; k++) acc = f32(acc + f32((m[mOff + k] ?? 0) * (v[vOff + k] ?? 0)));
  return acc;
}

/** In place: (a − mean) / stddev over the vector; a zero variance divides by √1e−8. */
function normalize(a: Float32Array): void {
  let sum = 0;
  let sumSq = 0;
  for (const v of a) {
    sum = f32(sum + v);
    sumSq = f32(sumSq + f32(v * v));
  }
  const mean = f32(sum / a.length);
  const variance = f32(f32(sumSq / a.length) - f32(mean * mean));
  const stddevInv = f32(1 / f32(Math.sqrt(variance === 0 ? 1e-8 : variance)));
  for (let i = 0; i < a.length; i++) a[i] = f32(f32((a[i] ?? 0) - mean) * stddevInv);
}

function sigmoid(v: number): number {
  return f32(1 / f32(1 + f32(Math.exp(-v))));
}

/** The LSTM's `fused_activation_function`, applied to the cell gate and the cell state. */
function activationFn(node: Node, a: Activation): (v: number) => number {
  switch (a) {
    case "NONE":
      return (v) => v;
    case "RELU":
      return (v) => Math.max(0, v);
    case "RELU_N1_TO_1":
      return (v) => Math.min(1, Math.max(-1, v));
    case "RELU6":
      return (v) => Math.min(6, Math.max(0, v));
    case "TANH":
      return (v) => f32(Math.tanh(v));
    case "SIGN_BIT":
      throw node.unsupported("fused activation SIGN_BIT");
    default:
      return a satisfies never;
  }
}

function expectShape(node: Node, t: RuntimeTensor, what: string, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw node.shapeError(
      `${what} '${t.name}' must have shape [${shape.join(", ")}], found [${t.shape.join(", ")}]`,
    );
  }
}
