/**
 * Data loading: `.npy` files, IDX files (gzip or raw) and the MNIST / Fashion-MNIST data sets.
 */
export { readNpy, writeNpy, loadNpy, saveNpy } from "./npy";
