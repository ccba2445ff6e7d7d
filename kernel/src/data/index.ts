/**
 * Data loading: `.npy` and `.npz` files, IDX files (gzip or raw) and the MNIST / Fashion-MNIST data sets.
 */
export { readNpy, writeNpy, loadNpy, saveNpy } from "./npy";
export { readNpz, writeNpz, loadNpz, saveNpz } from "./npz";
export { readIdx, readIdxBytes } from "./idx";
export {
  mnist,
  fashionMnist,
  toFloat32,
  LabeledImages,
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEBIAN_DIR,
} from "./datasets";
export type { ImageDataset } from "./datasets";
