/**
 * BATCH_MATMUL: out[..., m, n] = Σ_k lhs[..., m, k] · rhs[..., k, n] over operands of rank 2 to
 * 5, either of which may be an activation or a constant. `adjX` reads lhs as [..., k, m], `adjY`
 * reads rhs as [..., n, k]. The leading (batch) dimensions broadcast numpy-style: the shorter
 * shape is padded with leading 1s and a dimension of 1 repeats against the other operand's.
 *
 * Arithmetic of TFLite's `reference_ops::BatchMatMul`: float32 sums in k order in float32.
 * int8: acc = Σ (l − z_l)(r − z_r) in int32, q = clamp(MBQM(acc, M) + z_out, −128, 127) with
 * M = s_l·s_r/s_out in double (no bias, no fused activation). int16 (both operands int16, zero
 * points 0): a 64-bit accumulator and MBQM64, clamped to the int16 range. Operands are per-tensor
 * quantized.
 */
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";
import { channelMultipliers, requantizeInt64Stage, requantizeStage } from "./stages";

interface Layout {
  /** Output shape. */
  shape: number[];
  m: number;
  k: number;
  n: number;
  /** Element offset of each output batch's lhs and rhs matrix (broadcast resolved). */
  lhsBase: Int32Array;
  rhsBase: Int32Array;
  /** Strides of lhs along m and k, of rhs along k and n (in elements). */
  lhsM: number;
  lhsK: number;
  rhsK: number;
  rhsN: number;
}

function layout(
  node: Node,
  lhs: RuntimeTensor,
  rhs: RuntimeTensor,
  adjX: boolean,
  adjY: boolean,
): Layout {
  for (const t of [lhs, rhs]) {
    if (t.shape.length < 2 || t.shape.length > 5) {
      throw node.shapeError(
        `operand '${t.name}' must have rank 2 to 5, found shape [${t.shape.join(", ")}]`,
      );
    }
  }
  const rank = Math.max(lhs.shape.length, rhs.shape.length);
  const extend = (s: number[]): number[] => [...Array<number>(rank - s.length).fill(1), ...s];
  const l = extend(lhs.shape);
  const r = extend(rhs.shape);
  const lRows = l[rank - 2] ?? 1;
  const lCols = l[rank - 1] ?? 1;
  const rRows = r[rank - 2] ?? 1;
  const rCols = r[rank - 1] ?? 1;
  const m = adjX ? lCols : lRows;
  const k = adjX ? lRows : lCols;
  const kR = adjY ? rCols : rRows;
  const n = adjY ? rRows : rCols;
  if (k !== kR) {
    throw node.shapeError(
      `the depth of lhs '${lhs.name}' [${lhs.shape.join(", ")}] (${k}, adj_x ${adjX}) differs ` +
        `from that of rhs '${rhs.name}' [${rhs.shape.join(", ")}] (${kR}, adj_y ${adjY})`,
    );
  }
  const batchDims: number[] = [];
  for (let i = 0; i < rank - 2; i++) {
    const a = l[i] ?? 1;
    const b = r[i] ?? 1;
    if (a !== b && a !== 1 && b !== 1) {
      throw node.shapeError(
        `batch dimensions of '${lhs.name}' [${lhs.shape.join(", ")}] and '${rhs.name}' ` +
          `[${rhs.shape.join(", ")}] do not broadcast (dimension ${i}: ${a} vs ${b})`,
      );
    }
    batchDims.push(a === 1 ? b : a);
  }
  const batches = batchDims.reduce((p, d) => p * d, 1);
  const lhsBase = new Int32Array(batches);
  const rhsBase = new Int32Array(batches);
  // Walk the output batch index; an operand's dimension of 1 contributes stride 0.
  const lStride = new Array<number>(rank - 2).fill(0);
  const rStride = new Array<number>(rank - 2).fill(0);
  let ls = m * k;
  let rs = k * n;
  for (let i = rank - 3; i >= 0; i--) {
    lStride[i] = (l[i] ?? 1) === 1 ? 0 : ls;
    rStride[i] = (r[i] ?? 1) === 1 ? 0 : rs;
    ls *= l[i] ?? 1;
    rs *= r[i] ?? 1;
  }
  for (let b = 0; b < batches; b++) {
    let rest = b;
    let lo = 0;
    let ro = 0;
    for (let i = rank - 3; i >= 0; i--) {
      const d = batchDims[i] ?? 1;
      const idx = rest % d;
      rest = (rest - idx) / d;
      lo += idx * (lStride[i] ?? 0);
      ro += idx * (rStride[i] ?? 0);
    }
    lhsBase[b] = lo;
    rhsBase[b] = ro;
  }
  return {
    shape: [...batchDims, m, n],
    m,
    k,
    n,
    lhsBase,
    rhsBase,
    lhsM: adjX ? 1 : k,
    lhsK: adjX ? m : 1,
    rhsK: adjY ? 1 : n,
    rhsN: adjY ? k : 1,
  };
}

export const BatchMatMul: Kernel = {
  op: "BATCH_MATMUL",
  prepare(node: Node): Eval {
    const o = node.options("BatchMatMulOptions");
    const lhs = node.input(0);
    const rhs = node.input(1);
    const g = layout(node, lhs, rhs, o.adjX, o.adjY);
    const output = node.allocateOutput(0, g.shape);
    const { m, k, n, lhsBase, rhsBase, lhsM, lhsK, rhsK, rhsN } = g;
    const batches = lhsBase.length;
    node.reserveWork(0, batches * m * k * n);

    if (lhs.dtype === "float32" && rhs.dtype === "float32") {
      const a = node.f32(lhs);
      const b = node.f32(rhs);
      const y = node.f32(output);
      return () => {
        for (let bi = 0; bi < batches; bi++) {
          const la = lhsBase[bi];
          const rb = rhsBase[bi];
          for (let i = 0; i < m; i++) {
            const out = (bi * m + i) * n;
            for (let j = 0; j < n; j++) {
              let sum = 0;
              for (let p = 0; p < k; p++) {
                sum = Math.fround(
                  sum + Math.fround(a[la + i * lhsM + p * lhsK] * b[rb + p * rhsK + j * rhsN]),
                );
              }
              y[out + j] = sum;
            }
          }
        }
      };
    }

    const int8 = lhs.dtype === "int8" && rhs.dtype === "int8" && output.dtype === "int8";
    const int16 = lhs.dtype === "int16" && rhs.dtype === "int16" && output.dtype === "int16";
    if (int8 || int16) {
      const a = node.i8or16(lhs);
      const b = node.i8or16(rhs);
      const lq = node.affine(lhs);
      const rq = node.affine(rhs);
      const outQ = node.affine(output);
      if (int16 && (lq.zeroPoint !== 0 || rq.zeroPoint !== 0 || outQ.zeroPoint !== 0)) {
        throw node.unsupported(
          `int16 operands and output must have zero point 0, found ${lq.zeroPoint}, ` +
            `${rq.zeroPoint} and ${outQ.zeroPoint}`,
        );
      }
      const multipliers = channelMultipliers([(lq.scale * rq.scale) / outQ.scale], n);
      const range = dtypeRange(node, output.dtype);
      const acc = int8 ? new Int32Array(n) : new Float64Array(n);
      const stage = int8
        ? requantizeStage(node.i8(output), new Int32Array(n), n, multipliers, outQ.zeroPoint, range)
        : requantizeInt64Stage(node.i16(output), new Float64Array(n), n, multipliers, range);
      const zl = lq.zeroPoint;
      const zr = rq.zeroPoint;
      return () => {
        for (let bi = 0; bi < batches; bi++) {
          const la = lhsBase[bi];
          const rb = rhsBase[bi];
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              // Exact: |products| < 2^31 and the sum stays below 2^53 in a double.
              let sum = 0;
              for (let p = 0; p < k; p++) {
                sum += (a[la + i * lhsM + p * lhsK] - zl) * (b[rb + p * rhsK + j * rhsN] - zr);
              }
              acc[j] = sum;
            }
            stage(acc, (bi * m + i) * n, bi);
          }
        }
      };
    }
    throw node.unsupported();
  },
};
