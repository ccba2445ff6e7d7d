/**
 * The WebAssembly SIMD kernels, written with the emitter in ./asm.ts. `buildModule()` returns the
 * module's bytes; ./generate.ts stores them in ./binary.ts (committed, so nothing is generated at
 * run time) and a test checks the stored bytes equal a fresh build.
 *
 * All pointers are byte addresses in the module's memory; sizes count float32 elements.
 *
 *   gemm(m, n, k, a, lda, b, ldb, c, ldc, flags, bias):  C (+)= A · B, row-major, n a multiple
 *       of 4. 4×8 register tile: per step p, 2 vectors of B's row p and 4 broadcast A[i+r, p]
 *       feed 8 f32x4 accumulators (f32 accumulation). Row tail one row at a time, column tail 4
 *       wide. flags: GEMM_ACCUMULATE adds to C; GEMM_BIAS adds bias[j] (n floats at `bias`) to
 *       each finished sum; GEMM_RELU then applies relu — both before the store, in that order.
 *   gemmTA(…): the same with A stored transposed (A[i, p] = a[p·lda + i]); 4 consecutive A
 *       values come in one load and are broadcast lane by lane.
 *   im2col(x, batch, inH, inW, inC, outH, outW, kH, kW, sH, sW, dH, dW, padTop, padLeft, cols):
 *       the whole batch's patch matrix, (batch·outH·outW) × (kH·kW·inC), as ../conv.ts.
 *   relu(x, y, n):            y = x < 0 ? 0 : x (NaN and −0 kept, as tfjs).
 *   step(x, y, n, alpha):     y = x > 0 ? 1 : (x is NaN ? NaN : alpha).
 *   add/sub/mul/div(a, la, b, lb, y, n): y[i] = a[i mod la] ∘ b[i mod lb]; la and lb are n or
 *       divide n (trailing broadcast); 1 is splatted.
 *   colsum(x, rows, cols, out): out[j] = Σ_r x[r, j], accumulated in float64 (f64x2 pairs).
 *   maxpool(x, batch, inH, inW, C, outH, outW, kH, kW, sH, sW, padTop, padLeft, values, where):
 *       NHWC max pool storing each window's max and the flat x index of its first strictly
 *       greater element (−1 and −∞ for a window with none), vectorized over channels.
 *   maxpoolgrad(dy, where, m, dx, n): dx[0..n) = 0, then dx[where[o]] += dy[o] for o < m with
 *       where[o] ≥ 0 (max pool's gradient from the forward scan's argmax, in output order).
 *   adam(θ, m, v, g, n, β1, 1−β1, β2, 1−β2, ε, −lr, 1−β1ᵗ, 1−β2ᵗ): Adam's update in place on θ, m,
 *       v, in float32 with the stock op order (../adam.ts).
 *   dwconv / dwconvdx / dwconvdw(x, batch, inH, inW, C, outH, outW, kH, kW, sH, sW, dH, dW,
 *       padTop, padLeft, w, y, acc): depthwise convolution with multiplier 1 over C channels
 *       (../kernels/DepthwiseConv2dNative.ts expands x to the output channels first), NHWC, one
 *       pass over output pixels × in-bounds taps × channels in f32x4 then scalars:
 *         dwconv    y[pixel]   = Σ_taps x[tap's pixel] · w[tap]
 *         dwconvdx  x[tap's pixel] += y[pixel] · w[tap]     (x zeroed first; y holds dy)
 *         dwconvdw  w[tap]     += x[tap's pixel] · y[pixel] (y holds dy; float32 partial sums
 *                   per image added into float64 `acc` (kH·kW·C doubles), stored back as float32)
 *       `acc` is used by dwconvdw only.
 */
import { Func, OP, SIMD, assemble } from "./asm";
import { GEMM_ACCUMULATE, GEMM_BIAS, GEMM_RELU } from "./flags";

const ZERO = (f: Func): Func => f.f32x4Const(0, 0, 0, 0);

function gemm(transposedA: boolean): Func {
  const f = new Func(transposedA ? "gemmTA" : "gemm", Array<"i32">(11).fill("i32"));
  const [m, n, k, a, lda, b, ldb, c, ldc, flags, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const i = f.local("i32");
  const j = f.local("i32");
  const lda4 = f.local("i32");
  const ldb4 = f.local("i32");
  const ldc4 = f.local("i32");
  const m4 = f.local("i32");
  const n8 = f.local("i32");
  const ap = [f.local("i32"), f.local("i32"), f.local("i32"), f.local("i32")];
  const apEnd = f.local("i32");
  const bp = f.local("i32");
  const cp = f.local("i32");
  const crow = f.local("i32");
  const s = f.local("v128");
  const a4 = f.local("v128");
  const bv = [f.local("v128"), f.local("v128")];
  const accs = Array.from({ length: 4 }, () => [f.local("v128"), f.local("v128")]);

  f.get(lda).i32(2).op(OP.i32Shl).set(lda4);
  f.get(ldb).i32(2).op(OP.i32Shl).set(ldb4);
  f.get(ldc).i32(2).op(OP.i32Shl).set(ldc4);
  f.get(m).i32(-4).op(OP.i32And).set(m4);
  f.get(n).i32(-8).op(OP.i32And).set(n8);

  /** C[i..i+R, j..j+4V] (+)= A[i..i+R, :] · B[:, j..j+4V]. */
  const tile = (R: number, V: number): void => {
    if (transposedA) {
      // A[i, p] = a[p·lda + i]: one pointer walking down A's stored rows.
      f.get(a).get(i).i32(2).op(OP.i32Shl).op(OP.i32Add).set(ap[0]);
      f.get(ap[0]).get(k).get(lda4).op(OP.i32Mul).op(OP.i32Add).set(apEnd);
    } else {
      f.get(a).get(i).get(lda4).op(OP.i32Mul).op(OP.i32Add).set(ap[0]);
      for (let r = 1; r < R; r++)
        f.get(ap[r - 1])
          .get(lda4)
          .op(OP.i32Add)
          .set(ap[r]);
      f.get(ap[0]).get(k).i32(2).op(OP.i32Shl).op(OP.i32Add).set(apEnd);
    }
    f.get(b).get(j).i32(2).op(OP.i32Shl).op(OP.i32Add).set(bp);
    f.get(c).get(i).get(ldc4).op(OP.i32Mul).op(OP.i32Add).get(j).i32(2).op(OP.i32Shl);
    f.op(OP.i32Add).set(cp);
    f.if(
      () => f.get(flags).i32(GEMM_ACCUMULATE).op(OP.i32And),
      () => {
        f.get(cp).set(crow);
        for (let r = 0; r < R; r++) {
          for (let v = 0; v < V; v++)
            f.get(crow)
              .v128Load(16 * v)
              .set(accs[r][v]);
          f.inc(crow, () => f.get(ldc4));
        }
      },
      () => {
        for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) ZERO(f).set(accs[r][v]);
      },
    );
    f.while(
      () => f.lt(ap[0], apEnd),
      () => {
        for (let v = 0; v < V; v++)
          f.get(bp)
            .v128Load(16 * v)
            .set(bv[v]);
        if (transposedA && R === 4) f.get(ap[0]).v128Load().set(a4);
        for (let r = 0; r < R; r++) {
          if (transposedA && R === 4) {
            // broadcast lane r of the 4 consecutive A values
            const lane = [0, 1, 2, 3].map((q) => 4 * r + q);
            f.get(a4)
              .get(a4)
              .shuffle([...lane, ...lane, ...lane, ...lane])
              .set(s);
          } else {
            f.get(ap[r]).f32Load().simd(SIMD.f32x4Splat).set(s);
          }
          for (let v = 0; v < V; v++) {
            f.get(accs[r][v]).get(s).get(bv[v]).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add);
            f.set(accs[r][v]);
          }
          if (!transposedA) f.inc(ap[r], 4);
        }
        if (transposedA) f.inc(ap[0], () => f.get(lda4));
        f.inc(bp, () => f.get(ldb4));
      },
    );
    // Epilogue on the finished sums: + bias[j..], then relu (tfjs's x < 0 ? 0 : x), so the
    // rounding is the unfused ops' (sum, then add, then relu).
    f.if(
      () => f.get(flags).i32(GEMM_BIAS).op(OP.i32And),
      () => {
        for (let v = 0; v < V; v++) {
          f.get(bias)
            .get(j)
            .i32(2)
            .op(OP.i32Shl)
            .op(OP.i32Add)
            .v128Load(16 * v)
            .set(bv[v]);
        }
        for (let r = 0; r < R; r++) {
          for (let v = 0; v < V; v++) {
            f.get(accs[r][v]).get(bv[v]).simd(SIMD.f32x4Add).set(accs[r][v]);
          }
        }
      },
    );
    f.if(
      () => f.get(flags).i32(GEMM_RELU).op(OP.i32And),
      () => {
        for (let r = 0; r < R; r++) {
          for (let v = 0; v < V; v++) {
            ZERO(f).get(accs[r][v]).get(accs[r][v]);
            ZERO(f).simd(SIMD.f32x4Lt).simd(SIMD.bitselect).set(accs[r][v]);
          }
        }
      },
    );
    f.get(cp).set(crow);
    for (let r = 0; r < R; r++) {
      for (let v = 0; v < V; v++)
        f.get(crow)
          .get(accs[r][v])
          .v128Store(16 * v);
      f.inc(crow, () => f.get(ldc4));
    }
  };

  const rows = (R: number, limit: number): void => {
    f.while(
      () => f.lt(i, limit),
      () => {
        f.i32(0).set(j);
        f.while(
          () => f.lt(j, n8),
          () => {
            tile(R, 2);
            f.inc(j, 8);
          },
        );
        f.if(
          () => f.lt(j, n),
          () => tile(R, 1),
        );
        f.inc(i, R);
      },
    );
  };
  f.i32(0).set(i);
  rows(4, m4);
  rows(1, m);
  return f;
}

/** A loop over y[0..n) in 16-byte vectors then 4-byte scalars; `vec`/`scalar` see the pointers. */
function elementwise(
  f: Func,
  ptrs: number[],
  n: number,
  vec: () => void,
  scalar: () => void,
): void {
  const y = ptrs[ptrs.length - 1];
  const vecEnd = f.local("i32");
  const end = f.local("i32");
  f.get(y).get(n).i32(-4).op(OP.i32And).i32(2).op(OP.i32Shl).op(OP.i32Add).set(vecEnd);
  f.get(y).get(n).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
  f.while(
    () => f.lt(y, vecEnd),
    () => {
      vec();
      for (const p of ptrs) f.inc(p, 16);
    },
  );
  f.while(
    () => f.lt(y, end),
    () => {
      scalar();
      for (const p of ptrs) f.inc(p, 4);
    },
  );
}

function relu(): Func {
  const f = new Func("relu", ["i32", "i32", "i32"]);
  const [x, y, n] = [0, 1, 2];
  const v = f.local("v128");
  const s = f.local("f32");
  elementwise(
    f,
    [x, y],
    n,
    () => {
      f.get(y);
      ZERO(f);
      f.get(x).v128Load().tee(v);
      f.get(v);
      ZERO(f).simd(SIMD.f32x4Lt).simd(SIMD.bitselect).v128Store();
    },
    () => {
      f.get(y).f32(0);
      f.get(x).f32Load().tee(s);
      f.get(s).f32(0).op(OP.f32Lt).op(OP.select).f32Store();
    },
  );
  return f;
}

function step(): Func {
  const f = new Func("step", ["i32", "i32", "i32", "f32"]);
  const [x, y, n, alpha] = [0, 1, 2, 3];
  const v = f.local("v128");
  const al = f.local("v128");
  const s = f.local("f32");
  f.get(alpha).simd(SIMD.f32x4Splat).set(al);
  elementwise(
    f,
    [x, y],
    n,
    () => {
      f.get(y).f32x4Const(1, 1, 1, 1);
      // NaN where x is NaN, else alpha
      f.get(x).v128Load().tee(v).get(al).get(v).get(v).simd(SIMD.f32x4Ne).simd(SIMD.bitselect);
      f.get(v);
      ZERO(f).simd(SIMD.f32x4Gt).simd(SIMD.bitselect).v128Store();
    },
    () => {
      f.get(y).f32(1);
      f.get(x).f32Load().tee(s).get(alpha).get(s).get(s).op(OP.f32Ne).op(OP.select);
      f.get(s).f32(0).op(OP.f32Gt).op(OP.select).f32Store();
    },
  );
  return f;
}

function binary(name: string, vecOp: number, scalarOp: number): Func {
  const f = new Func(name, ["i32", "i32", "i32", "i32", "i32", "i32"]);
  const [a, la, b, lb, y, n] = [0, 1, 2, 3, 4, 5];
  const pa = f.local("i32");
  const pb = f.local("i32");
  const period = f.local("i32");
  const segEnd = f.local("i32");
  const vecEnd = f.local("i32");
  const end = f.local("i32");
  const sv = f.local("v128");
  const ss = f.local("f32");
  f.get(y).get(n).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
  // One side a scalar: splat it.
  const splat = (scalarSide: number, other: number, scalarFirst: boolean): void => {
    f.get(scalarSide).f32Load().tee(ss).simd(SIMD.f32x4Splat).set(sv);
    elementwise(
      f,
      [other, y],
      n,
      () => {
        f.get(y);
        if (scalarFirst) f.get(sv).get(other).v128Load();
        else f.get(other).v128Load().get(sv);
        f.simd(vecOp).v128Store();
      },
      () => {
        f.get(y);
        if (scalarFirst) f.get(ss).get(other).f32Load();
        else f.get(other).f32Load().get(ss);
        f.op(scalarOp).f32Store();
      },
    );
  };
  f.if(
    () => f.get(la).i32(1).op(OP.i32Eq),
    () => splat(a, b, true),
    () =>
      f.if(
        () => f.get(lb).i32(1).op(OP.i32Eq),
        () => splat(b, a, false),
        () => {
          // period = min(la, lb); the shorter side restarts every period.
          f.get(la).get(lb).get(la).get(lb).op(OP.i32LtS).op(OP.select).set(period);
          f.get(a).set(pa);
          f.get(b).set(pb);
          f.while(
            () => f.lt(y, end),
            () => {
              f.get(y).get(period).i32(2).op(OP.i32Shl).op(OP.i32Add).set(segEnd);
              f.get(y).get(period).i32(-4).op(OP.i32And).i32(2).op(OP.i32Shl).op(OP.i32Add);
              f.set(vecEnd);
              f.while(
                () => f.lt(y, vecEnd),
                () => {
                  f.get(y).get(pa).v128Load().get(pb).v128Load().simd(vecOp).v128Store();
                  f.inc(pa, 16).inc(pb, 16).inc(y, 16);
                },
              );
              f.while(
                () => f.lt(y, segEnd),
                () => {
                  f.get(y).get(pa).f32Load().get(pb).f32Load().op(scalarOp).f32Store();
                  f.inc(pa, 4).inc(pb, 4).inc(y, 4);
                },
              );
              f.if(
                () => f.get(la).get(n).op(OP.i32Ne),
                () => f.get(a).set(pa),
              );
              f.if(
                () => f.get(lb).get(n).op(OP.i32Ne),
                () => f.get(b).set(pb),
              );
            },
          );
        },
      ),
  );
  return f;
}

function colsum(): Func {
  const f = new Func("colsum", ["i32", "i32", "i32", "i32"]);
  const [x, rows, cols, out] = [0, 1, 2, 3];
  const j = f.local("i32");
  const cols4 = f.local("i32");
  const p = f.local("i32");
  const end = f.local("i32");
  const stride = f.local("i32");
  const v = f.local("v128");
  const lo = f.local("v128");
  const hi = f.local("v128");
  const s = f.local("f64");
  const HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
  f.get(cols).i32(2).op(OP.i32Shl).set(stride);
  f.get(cols).i32(-4).op(OP.i32And).set(cols4);
  const start = (): void => {
    f.get(x).get(j).i32(2).op(OP.i32Shl).op(OP.i32Add).set(p);
    f.get(p).get(rows).get(stride).op(OP.i32Mul).op(OP.i32Add).set(end);
  };
  f.i32(0).set(j);
  f.while(
    () => f.lt(j, cols4),
    () => {
      start();
      ZERO(f).set(lo);
      ZERO(f).set(hi);
      f.while(
        () => f.lt(p, end),
        () => {
          f.get(p).v128Load().set(v);
          f.get(lo).get(v).simd(SIMD.f64x2PromoteLowF32x4).simd(SIMD.f64x2Add).set(lo);
          f.get(hi).get(v).get(v).shuffle(HIGH).simd(SIMD.f64x2PromoteLowF32x4);
          f.simd(SIMD.f64x2Add).set(hi);
          f.inc(p, () => f.get(stride));
        },
      );
      f.get(out).get(j).i32(2).op(OP.i32Shl).op(OP.i32Add).set(p);
      f.get(p).get(lo).f64x2Extract(0).op(OP.f32DemoteF64).f32Store(0);
      f.get(p).get(lo).f64x2Extract(1).op(OP.f32DemoteF64).f32Store(4);
      f.get(p).get(hi).f64x2Extract(0).op(OP.f32DemoteF64).f32Store(8);
      f.get(p).get(hi).f64x2Extract(1).op(OP.f32DemoteF64).f32Store(12);
      f.inc(j, 4);
    },
  );
  f.while(
    () => f.lt(j, cols),
    () => {
      start();
      f.emit(0x44, 0, 0, 0, 0, 0, 0, 0, 0).set(s); // f64.const 0
      f.while(
        () => f.lt(p, end),
        () => {
          f.get(s).get(p).f32Load().op(OP.f64PromoteF32).op(OP.f64Add).set(s);
          f.inc(p, () => f.get(stride));
        },
      );
      f.get(out).get(j).i32(2).op(OP.i32Shl).op(OP.i32Add);
      f.get(s).op(OP.f32DemoteF64).f32Store();
      f.inc(j, 1);
    },
  );
  return f;
}

function maxpool(): Func {
  const f = new Func("maxpool", Array<"i32">(15).fill("i32"));
  const [x, batch, inH, inW, C, outH, outW, kH, kW, sH, sW, padTop, padLeft, values, where] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  ];
  const bI = f.local("i32");
  const yR = f.local("i32");
  const yC = f.local("i32");
  const r = f.local("i32");
  const c = f.local("i32");
  const d = f.local("i32");
  const t = f.local("i32");
  const xb = f.local("i32");
  const rMin = f.local("i32");
  const rMax = f.local("i32");
  const cMin = f.local("i32");
  const cMax = f.local("i32");
  const C4 = f.local("i32");
  const at = f.local("i32");
  const xp = f.local("i32");
  const ov = f.local("i32");
  const ow = f.local("i32");
  const gt = f.local("v128");
  const vv = f.local("v128");
  const cur = f.local("v128");
  const sv = f.local("f32");
  f.get(C).i32(-4).op(OP.i32And).set(C4);
  f.get(values).set(ov);
  f.get(where).set(ow);
  /** local = max(0, e) / min(limit, e) with e on the stack via `push`. */
  const clampLow = (dst: number, push: () => void): void => {
    push();
    f.set(t);
    f.get(t).i32(0).get(t).i32(0).op(OP.i32GtS).op(OP.select).set(dst);
  };
  const clampHigh = (dst: number, push: () => void, limit: number): void => {
    push();
    f.set(t);
    f.get(t).get(limit).get(t).get(limit).op(OP.i32LtS).op(OP.select).set(dst);
  };
  const forRange = (v: number, from: () => void, to: number, body: () => void): void => {
    from();
    f.set(v);
    f.while(
      () => f.lt(v, to),
      () => {
        body();
        f.inc(v, 1);
      },
    );
  };
  forRange(
    bI,
    () => f.i32(0),
    batch,
    () => {
      f.get(bI).get(inH).op(OP.i32Mul).get(inW).op(OP.i32Mul).get(C).op(OP.i32Mul).set(xb);
      forRange(
        yR,
        () => f.i32(0),
        outH,
        () => {
          const r0 = (): void => {
            f.get(yR).get(sH).op(OP.i32Mul).get(padTop).op(OP.i32Sub);
          };
          clampLow(rMin, r0);
          clampHigh(
            rMax,
            () => {
              r0();
              f.get(kH).op(OP.i32Add);
            },
            inH,
          );
          forRange(
            yC,
            () => f.i32(0),
            outW,
            () => {
              const c0 = (): void => {
                f.get(yC).get(sW).op(OP.i32Mul).get(padLeft).op(OP.i32Sub);
              };
              clampLow(cMin, c0);
              clampHigh(
                cMax,
                () => {
                  c0();
                  f.get(kW).op(OP.i32Add);
                },
                inW,
              );
              forRange(
                d,
                () => f.i32(0),
                C,
                () => {
                  f.get(ov).get(d).i32(2).op(OP.i32Shl).op(OP.i32Add).f32(-Infinity).f32Store();
                  f.get(ow).get(d).i32(2).op(OP.i32Shl).op(OP.i32Add).i32(-1).i32Store();
                },
              );
              forRange(
                r,
                () => f.get(rMin),
                rMax,
                () =>
                  forRange(
                    c,
                    () => f.get(cMin),
                    cMax,
                    () => {
                      f.get(r).get(inW).op(OP.i32Mul).get(c).op(OP.i32Add).get(C).op(OP.i32Mul);
                      f.get(xb).op(OP.i32Add).set(at);
                      f.i32(0).set(d);
                      f.while(
                        () => f.lt(d, C4),
                        () => {
                          f.get(at).get(d).op(OP.i32Add).i32(2).op(OP.i32Shl).get(x);
                          f.op(OP.i32Add).set(xp);
                          f.get(xp).v128Load().set(vv);
                          f.get(ov).get(d).i32(2).op(OP.i32Shl).op(OP.i32Add).set(t);
                          f.get(t).v128Load().set(cur);
                          f.get(vv).get(cur).simd(SIMD.f32x4Gt).set(gt);
                          f.get(t).get(vv).get(cur).get(gt).simd(SIMD.bitselect).v128Store();
                          f.get(ow).get(d).i32(2).op(OP.i32Shl).op(OP.i32Add).set(t);
                          f.get(t);
                          f.get(at).get(d).op(OP.i32Add).simd(SIMD.i32x4Splat);
                          f.i32x4Const(0, 1, 2, 3).simd(SIMD.i32x4Add);
                          f.get(t).v128Load().get(gt).simd(SIMD.bitselect).v128Store();
                          f.inc(d, 4);
                        },
                      );
                      f.while(
                        () => f.lt(d, C),
                        () => {
                          f.get(at).get(d).op(OP.i32Add).i32(2).op(OP.i32Shl).get(x);
                          f.op(OP.i32Add).f32Load().set(sv);
                          f.get(ov).get(d).i32(2).op(OP.i32Shl).op(OP.i32Add).set(t);
                          f.if(
                            () => f.get(sv).get(t).f32Load().op(OP.f32Gt),
                            () => {
                              f.get(t).get(sv).f32Store();
                              f.get(ow).get(d).i32(2).op(OP.i32Shl).op(OP.i32Add);
                              f.get(at).get(d).op(OP.i32Add).i32Store();
                            },
                          );
                          f.inc(d, 1);
                        },
                      );
                    },
                  ),
              );
              f.inc(ov, () => f.get(C).i32(2).op(OP.i32Shl));
              f.inc(ow, () => f.get(C).i32(2).op(OP.i32Shl));
            },
          );
        },
      );
    },
  );
  return f;
}

function im2col(): Func {
  const f = new Func("im2col", Array<"i32">(16).fill("i32"));
  const [x, batch, inH, inW, inC, outH, outW, kH, kW, sH, sW, dH, dW, padTop, padLeft, cols] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  ];
  const bI = f.local("i32");
  const yR = f.local("i32");
  const yC = f.local("i32");
  const wR = f.local("i32");
  const wC = f.local("i32");
  const xR = f.local("i32");
  const xC = f.local("i32");
  const o = f.local("i32");
  const src = f.local("i32");
  const end = f.local("i32");
  const xb = f.local("i32");
  const rowBytes = f.local("i32");
  const pixBytes = f.local("i32");
  f.get(inC).i32(2).op(OP.i32Shl).set(pixBytes);
  f.get(inW).get(pixBytes).op(OP.i32Mul).set(rowBytes);
  f.get(cols).set(o);
  const forRange = (v: number, to: number, body: () => void): void => {
    f.i32(0).set(v);
    f.while(
      () => f.lt(v, to),
      () => {
        body();
        f.inc(v, 1);
      },
    );
  };
  /** Write `bytes` (pushed by `len`) of zeros or of x from `src` at o, advancing o. */
  const zeros = (len: () => void): void => {
    f.get(o);
    len();
    f.op(OP.i32Add).set(end);
    f.while(
      () => f.lt(o, end),
      () => {
        f.get(o).f32(0).f32Store();
        f.inc(o, 4);
      },
    );
  };
  const copy = (len: () => void): void => {
    f.get(o);
    len();
    f.op(OP.i32Add).set(end);
    f.while(
      () => f.lt(o, end),
      () => {
        f.get(o).get(src).f32Load().f32Store();
        f.inc(o, 4).inc(src, 4);
      },
    );
  };
  forRange(bI, batch, () => {
    f.get(x).get(bI).get(inH).op(OP.i32Mul).get(rowBytes).op(OP.i32Mul).op(OP.i32Add).set(xb);
    forRange(yR, outH, () =>
      forRange(yC, outW, () =>
        forRange(wR, kH, () => {
          f.get(yR).get(sH).op(OP.i32Mul).get(padTop).op(OP.i32Sub);
          f.get(wR).get(dH).op(OP.i32Mul).op(OP.i32Add).set(xR);
          f.if(
            // 0 ≤ xR < inH as one unsigned compare
            () => f.get(xR).get(inH).emit(0x49), // i32.lt_u
            () => {
              f.get(yC).get(sW).op(OP.i32Mul).get(padLeft).op(OP.i32Sub).set(xC);
              f.if(
                // Undilated window row entirely inside x: one contiguous run of kW·inC values.
                () => {
                  f.get(dW).i32(1).op(OP.i32Eq);
                  f.get(xC).i32(0).op(OP.i32GeS).op(OP.i32And);
                  f.get(xC).get(kW).op(OP.i32Add).get(inW).op(OP.i32LeS).op(OP.i32And);
                },
                () => {
                  f.get(xb).get(xR).get(rowBytes).op(OP.i32Mul).op(OP.i32Add);
                  f.get(xC).get(pixBytes).op(OP.i32Mul).op(OP.i32Add).set(src);
                  copy(() => f.get(pixBytes).get(kW).op(OP.i32Mul));
                },
                () =>
                  forRange(wC, kW, () => {
                    f.get(yC).get(sW).op(OP.i32Mul).get(padLeft).op(OP.i32Sub);
                    f.get(wC).get(dW).op(OP.i32Mul).op(OP.i32Add).set(xC);
                    f.if(
                      () => f.get(xC).get(inW).emit(0x49),
                      () => {
                        f.get(xb).get(xR).get(rowBytes).op(OP.i32Mul).op(OP.i32Add);
                        f.get(xC).get(pixBytes).op(OP.i32Mul).op(OP.i32Add).set(src);
                        copy(() => f.get(pixBytes));
                      },
                      () => zeros(() => f.get(pixBytes)),
                    );
                  }),
              );
            },
            () => zeros(() => f.get(pixBytes).get(kW).op(OP.i32Mul)),
          );
        }),
      ),
    );
  });
  return f;
}

function adam(): Func {
  const f = new Func("adam", [...Array<"i32">(5).fill("i32"), ...Array<"f32">(8).fill("f32")]);
  const [th, m, v, g, n, b1, c1, b2, c2, eps, negLr, d1, d2] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
  ];
  const consts = [b1, c1, b2, c2, eps, negLr, d1, d2];
  const vec = consts.map(() => f.local("v128"));
  consts.forEach((c, i) => f.get(c).simd(SIMD.f32x4Splat).set(vec[i]));
  const gv = f.local("v128");
  const mi = f.local("v128");
  const vi = f.local("v128");
  const gs = f.local("f32");
  const ms = f.local("f32");
  const vs = f.local("f32");
  const [B1, C1, B2, C2, EPS, NLR, D1, D2] = vec;
  // Same operation order as tfjs's AdamOptimizer, every step rounded to float32.
  elementwise(
    f,
    [m, v, g, th],
    n,
    () => {
      f.get(g).v128Load().set(gv);
      f.get(m).v128Load().get(B1).simd(SIMD.f32x4Mul);
      f.get(gv).get(C1).simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).set(mi);
      f.get(v).v128Load().get(B2).simd(SIMD.f32x4Mul);
      f.get(gv).get(gv).simd(SIMD.f32x4Mul).get(C2).simd(SIMD.f32x4Mul);
      f.simd(SIMD.f32x4Add).set(vi);
      f.get(m).get(mi).v128Store();
      f.get(v).get(vi).v128Store();
      f.get(th);
      f.get(mi).get(D1).simd(SIMD.f32x4Div);
      f.get(vi).get(D2).simd(SIMD.f32x4Div).simd(SIMD.f32x4Sqrt).get(EPS).simd(SIMD.f32x4Add);
      f.simd(SIMD.f32x4Div).get(NLR).simd(SIMD.f32x4Mul);
      f.get(th).v128Load().simd(SIMD.f32x4Add).v128Store();
    },
    () => {
      f.get(g).f32Load().set(gs);
      f.get(m).f32Load().get(b1).op(OP.f32Mul);
      f.get(gs).get(c1).op(OP.f32Mul).op(OP.f32Add).set(ms);
      f.get(v).f32Load().get(b2).op(OP.f32Mul);
      f.get(gs).get(gs).op(OP.f32Mul).get(c2).op(OP.f32Mul);
      f.op(OP.f32Add).set(vs);
      f.get(m).get(ms).f32Store();
      f.get(v).get(vs).f32Store();
      f.get(th);
      f.get(ms).get(d1).op(OP.f32Div);
      f.get(vs).get(d2).op(OP.f32Div).op(OP.f32Sqrt).get(eps).op(OP.f32Add);
      f.op(OP.f32Div).get(negLr).op(OP.f32Mul);
      f.get(th).f32Load().op(OP.f32Add).f32Store();
    },
  );
  return f;
}

/** Zero n floats from byte address `ptr` (vectors, then the tail); `p`, `end`: scratch locals. */
function zeroFloats(f: Func, ptr: number, n: number, p: number, end: number): void {
  f.get(ptr).set(p);
  f.get(ptr).get(n).i32(-4).op(OP.i32And).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
  f.while(
    () => f.lt(p, end),
    () => {
      f.get(p);
      ZERO(f).v128Store();
      f.inc(p, 16);
    },
  );
  f.get(ptr).get(n).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
  f.while(
    () => f.lt(p, end),
    () => {
      f.get(p).f32(0).f32Store();
      f.inc(p, 4);
    },
  );
}

function maxpoolgrad(): Func {
  const f = new Func("maxpoolgrad", ["i32", "i32", "i32", "i32", "i32"]);
  const [dy, where, m, dx, n] = [0, 1, 2, 3, 4];
  const p = f.local("i32");
  const end = f.local("i32");
  const i = f.local("i32");
  zeroFloats(f, dx, n, p, end);
  // dx[where[o]] += dy[o] for every window with a maximum (where ≥ 0)
  f.get(where).get(m).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
  f.while(
    () => f.lt(where, end),
    () => {
      f.get(where).i32Load().set(i);
      f.if(
        () => f.get(i).i32(0).op(OP.i32GeS),
        () => {
          f.get(dx).get(i).i32(2).op(OP.i32Shl).op(OP.i32Add).set(p);
          f.get(p).get(p).f32Load().get(dy).f32Load().op(OP.f32Add).f32Store();
        },
      );
      f.inc(where, 4).inc(dy, 4);
    },
  );
  return f;
}

/** The array a depthwise pass accumulates into: y (forward), x (input grad.), w (filter grad.). */
export type DepthwiseMode = "forward" | "input" | "filter";

const DEPTHWISE_NAMES: Record<DepthwiseMode, string> = {
  forward: "dwconv",
  input: "dwconvdx",
  filter: "dwconvdw",
};

/**
 * The three depthwise passes share one loop nest (pixel → in-bounds tap → channels) and differ in
 * the one multiply-add at its centre: dst += a · b over the x, w and y pointers.
 */
function depthwise(mode: DepthwiseMode): Func {
  const f = new Func(DEPTHWISE_NAMES[mode], Array<"i32">(18).fill("i32"));
  const [x, batch, inH, inW, C, outH, outW, kH, kW, sH, sW, dH, dW, padTop, padLeft, w, y, acc] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
  ];
  const bI = f.local("i32");
  const yR = f.local("i32");
  const yC = f.local("i32");
  const wR = f.local("i32");
  const wC = f.local("i32");
  const xR = f.local("i32");
  const xC = f.local("i32");
  const xb = f.local("i32");
  const yp = f.local("i32");
  const px = f.local("i32");
  const pw = f.local("i32");
  const py = f.local("i32");
  const vecEnd = f.local("i32");
  const end = f.local("i32");
  const pixBytes = f.local("i32");
  const rowBytes = f.local("i32");
  const vecBytes = f.local("i32");
  const taps = f.local("i32");
  const pa = f.local("i32");
  f.get(C).i32(2).op(OP.i32Shl).set(pixBytes);
  f.get(C).i32(-4).op(OP.i32And).i32(2).op(OP.i32Shl).set(vecBytes);
  f.get(inW).get(pixBytes).op(OP.i32Mul).set(rowBytes);
  f.get(kH).get(kW).op(OP.i32Mul).get(C).op(OP.i32Mul).set(taps);
  const forRange = (v: number, to: number, body: () => void): void => {
    f.i32(0).set(v);
    f.while(
      () => f.lt(v, to),
      () => {
        body();
        f.inc(v, 1);
      },
    );
  };
  const [dst, a, b] =
    mode === "forward" ? [py, px, pw] : mode === "input" ? [px, py, pw] : [pw, px, py];
  if (mode === "input") {
    f.get(batch).get(inH).op(OP.i32Mul).get(inW).op(OP.i32Mul).get(C).op(OP.i32Mul).set(end);
    zeroFloats(f, x, end, px, vecEnd);
  }
  if (mode === "filter") {
    zeroFloats(f, w, taps, px, end);
    f.get(taps).i32(1).op(OP.i32Shl).set(end);
    zeroFloats(f, acc, end, px, vecEnd);
  }
  f.get(y).set(yp);
  forRange(bI, batch, () => {
    f.get(x).get(bI).get(inH).op(OP.i32Mul).get(rowBytes).op(OP.i32Mul).op(OP.i32Add).set(xb);
    forRange(yR, outH, () =>
      forRange(yC, outW, () => {
        if (mode === "forward") zeroFloats(f, yp, C, py, end);
        forRange(wR, kH, () => {
          f.get(yR).get(sH).op(OP.i32Mul).get(padTop).op(OP.i32Sub);
          f.get(wR).get(dH).op(OP.i32Mul).op(OP.i32Add).set(xR);
          f.if(
            // 0 ≤ xR < inH as one unsigned compare
            () => f.get(xR).get(inH).op(OP.i32LtU),
            () =>
              forRange(wC, kW, () => {
                f.get(yC).get(sW).op(OP.i32Mul).get(padLeft).op(OP.i32Sub);
                f.get(wC).get(dW).op(OP.i32Mul).op(OP.i32Add).set(xC);
                f.if(
                  () => f.get(xC).get(inW).op(OP.i32LtU),
                  () => {
                    f.get(xb).get(xR).get(rowBytes).op(OP.i32Mul).op(OP.i32Add);
                    f.get(xC).get(pixBytes).op(OP.i32Mul).op(OP.i32Add).set(px);
                    f.get(w).get(wR).get(kW).op(OP.i32Mul).get(wC).op(OP.i32Add);
                    f.get(pixBytes).op(OP.i32Mul).op(OP.i32Add).set(pw);
                    f.get(yp).set(py);
                    f.get(py).get(vecBytes).op(OP.i32Add).set(vecEnd);
                    f.get(py).get(pixBytes).op(OP.i32Add).set(end);
                    f.while(
                      () => f.lt(py, vecEnd),
                      () => {
                        f.get(dst).get(dst).v128Load().get(a).v128Load().get(b).v128Load();
                        f.simd(SIMD.f32x4Mul).simd(SIMD.f32x4Add).v128Store();
                        f.inc(px, 16).inc(pw, 16).inc(py, 16);
                      },
                    );
                    f.while(
                      () => f.lt(py, end),
                      () => {
                        f.get(dst).get(dst).f32Load().get(a).f32Load().get(b).f32Load();
                        f.op(OP.f32Mul).op(OP.f32Add).f32Store();
                        f.inc(px, 4).inc(pw, 4).inc(py, 4);
                      },
                    );
                  },
                );
              }),
          );
        });
        f.inc(yp, () => f.get(pixBytes));
      }),
    );
    if (mode === "filter") {
      // acc += this image's float32 partial sums; restart them at 0
      f.get(w).set(pw);
      f.get(acc).set(pa);
      f.get(w).get(taps).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
      f.while(
        () => f.lt(pw, end),
        () => {
          f.get(pa).get(pa).f64Load().get(pw).f32Load().op(OP.f64PromoteF32).op(OP.f64Add);
          f.f64Store();
          f.get(pw).f32(0).f32Store();
          f.inc(pw, 4).inc(pa, 8);
        },
      );
    }
  });
  if (mode === "filter") {
    f.get(w).set(pw);
    f.get(acc).set(pa);
    f.get(w).get(taps).i32(2).op(OP.i32Shl).op(OP.i32Add).set(end);
    f.while(
      () => f.lt(pw, end),
      () => {
        f.get(pw).get(pa).f64Load().op(OP.f32DemoteF64).f32Store();
        f.inc(pw, 4).inc(pa, 8);
      },
    );
  }
  return f;
}

export function buildModule(): Uint8Array {
  return assemble([
    gemm(false),
    gemm(true),
    im2col(),
    relu(),
    step(),
    binary("add", SIMD.f32x4Add, OP.f32Add),
    binary("sub", SIMD.f32x4Sub, OP.f32Sub),
    binary("mul", SIMD.f32x4Mul, OP.f32Mul),
    binary("div", SIMD.f32x4Div, OP.f32Div),
    colsum(),
    maxpool(),
    adam(),
    maxpoolgrad(),
    depthwise("forward"),
    depthwise("input"),
    depthwise("filter"),
  ]);
}
