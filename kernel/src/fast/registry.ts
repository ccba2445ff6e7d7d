/**
 * The fast kernels tsquant registers with tfjs's "cpu" backend, in one list. `enableFastKernels`
 * swaps each stock kernel for a wrapper that runs the fast one and falls back to the stock one
 * when the fast kernel declines the case; `disableFastKernels` puts the stock kernels back.
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs } from "./backend";
import { disableFastAdam, enableFastAdam } from "./adam";
import { disableFastGradients, enableFastGradients } from "./gradients";
import { disableFusedConv, enableFusedConv } from "./fusedConv";
import { disableFastLoss, enableFastLoss } from "./loss";
import type { FastKernel } from "./kernel";
import { conv2DKernel, fusedConv2DKernel } from "./kernels/Conv2D";
import { conv2DBackpropFilterKernel } from "./kernels/Conv2DBackpropFilter";
import { conv2DBackpropInputKernel } from "./kernels/Conv2DBackpropInput";
import { batchMatMulKernel, fusedMatMulKernel } from "./kernels/BatchMatMul";
import { addKernel, multiplyKernel, realDivKernel, subKernel } from "./kernels/binary";
import { avgPoolGradKernel, avgPoolKernel } from "./kernels/AvgPool";
import {
  depthwiseConv2dNativeBackpropFilterKernel,
  depthwiseConv2dNativeBackpropInputKernel,
  depthwiseConv2dNativeKernel,
} from "./kernels/DepthwiseConv2dNative";
import { gatherV2Kernel } from "./kernels/GatherV2";
import { maxPoolKernel } from "./kernels/MaxPool";
import { meanKernel } from "./kernels/Mean";
import { maxPoolGradKernel } from "./kernels/MaxPoolGrad";
import { sumKernel } from "./kernels/Sum";
import { tileKernel } from "./kernels/Tile";
import { reluKernel, stepKernel } from "./kernels/unary";
import { disableRecycling, enableRecycling } from "./outputs";

export const FAST_KERNELS: readonly FastKernel[] = [
  conv2DKernel,
  fusedConv2DKernel,
  conv2DBackpropFilterKernel,
  conv2DBackpropInputKernel,
  depthwiseConv2dNativeKernel,
  depthwiseConv2dNativeBackpropFilterKernel,
  depthwiseConv2dNativeBackpropInputKernel,
  maxPoolKernel,
  maxPoolGradKernel,
  avgPoolKernel,
  avgPoolGradKernel,
  batchMatMulKernel,
  fusedMatMulKernel,
  addKernel,
  subKernel,
  multiplyKernel,
  realDivKernel,
  reluKernel,
  stepKernel,
  sumKernel,
  meanKernel,
  tileKernel,
  gatherV2Kernel,
];

const BACKEND = "cpu";

/** The stock kernel configs we replaced, keyed by kernel name (present only while enabled). */
const stock = new Map<string, tf.KernelConfig>();

/** Whether tsquant's fast kernels are registered with the "cpu" backend now. */
export function fastKernelsEnabled(): boolean {
  return stock.size > 0;
}

/**
 * Register tsquant's fast CPU kernels (Conv2D and its gradients, MaxPool/MaxPoolGrad, …) with
 * tfjs. Idempotent. Kernels apply to every later op on the "cpu" backend; cases a fast kernel
 * does not handle (NCHW, explicit padding, non-float32) run the stock kernel.
 */
export function enableFastKernels(): void {
  if (fastKernelsEnabled()) return;
  for (const k of FAST_KERNELS) {
    const original = tf.getKernel(k.kernelName, BACKEND);
    if (original === undefined) continue;
    stock.set(k.kernelName, original);
    const fallback = original.kernelFunc;
    tf.unregisterKernel(k.kernelName, BACKEND);
    tf.registerKernel({
      ...original,
      kernelFunc: (params: KernelArgs) => k.run(params) ?? fallback(params),
    });
  }
  enableFastGradients();
  enableFastAdam();
  enableFusedConv();
  enableFastLoss();
  enableRecycling();
}

/** Put tfjs's stock kernels back. Idempotent. */
export function disableFastKernels(): void {
  for (const [name, config] of stock) {
    tf.unregisterKernel(name, BACKEND);
    tf.registerKernel(config);
  }
  stock.clear();
  disableFastGradients();
  disableFastAdam();
  disableFusedConv();
  disableFastLoss();
  disableRecycling();
}
