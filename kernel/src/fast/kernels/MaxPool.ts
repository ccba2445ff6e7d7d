/** MaxPool (NHWC): y = max over each window (padding taps skipped; an empty window gives −∞). */
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
import { attach, floats, ints } from "../outputs";

export function maxPool(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "MaxPool");
  const x = input(args, "x", "MaxPool");
  const a = attrs(args);
  const xShape = shape4(x);
  const filterSize = pairAttr(a, "filterSize");
  const strides = pairAttr(a, "strides");
  const pad = padAttr(a);
  const xv = floatValues(backend, x);
  if (!xShape || !filterSize || !strides || pad === undefined || !xv) return null;
  const info = tf.backend_util.computePool2DInfo(
    xShape,
    filterSize,
    strides,
    1,
    pad,
    roundingAttr(a),
  );
  const size = tf.util.sizeFromShape(info.outShape);
  const y = floats(size);
  const where = ints(size);
  const g = poolGeometry(info);
  scanMaxPoolFast(xv, g, y, where);
  const out = backend.makeTensorInfo(info.outShape, "float32", y);
  argmaxCache.set(out.dataId, { x: x.dataId, key: poolKey(g), where });
  attach(out.dataId, where, () => argmaxCache.delete(out.dataId));
  return out;
}

export const maxPoolKernel: FastKernel = { kernelName: "MaxPool", run: maxPool };
