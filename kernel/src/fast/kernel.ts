/**
 * The contract every fast kernel follows: `run` computes the op, or returns null when the case is
 * outside what the fast kernel handles (another dtype, NCHW, explicit padding, …); the registry
 * then calls the stock tfjs kernel, so enabling fast kernels never changes what is supported.
 */
import * as tf from "@tensorflow/tfjs";
import type { KernelArgs, TensorInfo } from "./backend";

export interface FastKernel {
  /** tfjs's kernel name (`Conv2D`, `Conv2DBackpropFilter`, …). */
  kernelName: string;
  run(args: KernelArgs): TensorInfo | null;
}

/**
 * tsquant's own kernels (fused ops with no stock counterpart: TsquantAdam, TsquantConv2D, …),
 * registered with the "cpu" backend unless a kernel of that name is already there.
 */
export function registerOwnKernels(
  kernels: readonly (readonly [string, (args: KernelArgs) => TensorInfo | TensorInfo[]])[],
): void {
  for (const [kernelName, run] of kernels) {
    if (tf.getKernel(kernelName, "cpu") === undefined) {
      tf.registerKernel({ kernelName, backendName: "cpu", kernelFunc: run as tf.KernelFunc });
    }
  }
}

/** Remove kernels `registerOwnKernels` added (names not registered are skipped). */
export function unregisterOwnKernels(names: readonly string[]): void {
  for (const name of names) {
    if (tf.getKernel(name, "cpu") !== undefined) tf.unregisterKernel(name, "cpu");
  }
}
