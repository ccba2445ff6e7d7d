/**
 * The contract every fast kernel follows: `run` computes the op, or returns null when the case is
 * outside what the fast kernel handles (another dtype, NCHW, explicit padding, …); the registry
 * then calls the stock tfjs kernel, so enabling fast kernels never changes what is supported.
 */
import type { KernelArgs, TensorInfo } from "./backend";

export interface FastKernel {
  /** tfjs's kernel name (`Conv2D`, `Conv2DBackpropFilter`, …). */
  kernelName: string;
  run(args: KernelArgs): TensorInfo | null;
}
