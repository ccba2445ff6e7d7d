/**
 * Data loading: `.npy` files, IDX files (gzip or raw) and the MNIST / Fashion-MNIST data sets.
 */
export { readNpy, writeNpy, loadNpy, saveNpy } from "./npy";
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
