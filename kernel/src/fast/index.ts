export {
  FAST_KERNELS,
  disableFastKernels,
  enableFastKernels,
  fastKernelsEnabled,
} from "./registry";
export type { FastKernel } from "./kernel";
