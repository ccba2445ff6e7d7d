/**
 * MaxPoolGrad (NHWC): dx[argmax of window] += dy[window], the argmax found by the same scan as the
 * forward pass (first strictly greater element), so ties route the gradient as tfjs's stock
 * kernel does. The forward MaxPool's argmax is reused when this op's `output` input is that
 * MaxPool's result (same x, same window), so training scans each window once. Elements that are no window's maximum get 0.
 */
import * as tf from "@tensorflow/tfjs";
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  floatValues,
  input,
  padAttr,
  pairAttr,
  roundingAttr,
  shape4,
} from "../backend";
import type { FastKernel } from "../kernel";
import { argmaxCache, poolGeometry, poolKey, scanMaxPoolFast } from "./pool";
import { copyOf, zeros } from "../outputs";
import { simd } from "../wasm/runtime";

export function maxPoolGrad(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "MaxPoolGrad");
  const dy = input(args, "dy", "MaxPoolGrad");
  const x = input(args, "input", "MaxPoolGrad");
  const a = attrs(args);
  const xShape = shape4(x);
  const filterSize = pairAttr(a, "filterSize");
  const strides = pairAttr(a, "strides");
  const pad = padAttr(a);
  const xv = floatValues(backend, x);
  const dyv = floatValues(backend, dy);
  if (!xShape || !filterSize || !strides || pad === undefined || !xv || !dyv) return null;
  const info = tf.backend_util.computePool2DInfo(
    xShape,
    filterSize,
    strides,
    1,
    pad,
    roundingAttr(a),
  );
  const g = poolGeometry(info);
  const y = args.inputs["output"];
  const cached = y === undefined ? undefined : argmaxCache.get(y.dataId);
  let where: Int32Array;
  if (cached && cached.x === x.dataId && cached.key === poolKey(g)) {
    where = cached.where;
  } else {
    where = new Int32Array(dyv.length);
    scanMaxPoolFast(xv, g, new Float32Array(dyv.length), where);
  }
  if (where.length !== dyv.length) return null;
  const m = where.length;
  const s = simd();
  const ptrs = s?.alloc(m, m, xv.length);
  if (s && ptrs) {
    // The scatter in WebAssembly: V8's bounds-checked scattered stores took ~5 ns each.
    const [pd, pw, px] = ptrs;
    s.f32(pd, m).set(dyv);
    s.i32(pw, m).set(where);
    s.fn.maxpoolgrad(pd, pw, m, px, xv.length);
    return backend.makeTensorInfo(xShape, "float32", copyOf(s.f32(px, xv.length)));
  }
  const dx = zeros(xv.length);
  for (let o = 0; o < m; o++) {
    const i = where[o];
    if (i >= 0) dx[i] += dyv[o];
  }
  return backend.makeTensorInfo(xShape, "float32", dx);
}

export const maxPoolGradKernel: FastKernel = { kernelName: "MaxPoolGrad", run: maxPoolGrad };
