/**
 * RESIZE_NEAREST_NEIGHBOR (TFLite `reference_ops::ResizeNearestNeighbor`), any element type (a
 * copy): output pixel (y, x) takes input pixel (src(y), src(x)) with, in float32,
 * scale = in/out (alignCorners and out > 1: (in − 1)/(out − 1)), offset = 0.5 with
 * halfPixelCenters else 0, src = min(in − 1, alignCorners ? round-half-away((i + offset)·scale)
 * : ⌊(i + offset)·scale⌋), and with halfPixelCenters at least 0.
 */
import { roundHalfAwayFromZero } from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";
import { prepareResize } from "./resize";

/** Source index of each output index along one axis. */
function sourceIndices(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const scale =
    alignCorners && outSize > 1
      ? Math.fround((inSize - 1) / (outSize - 1))
      : Math.fround(inSize / outSize);
  const offset = halfPixelCenters ? 0.5 : 0;
  return Int32Array.from({ length: outSize }, (_, i) => {
    const scaled = Math.fround(Math.fround(i + offset) * scale);
    const v = Math.min(
      alignCorners ? roundHalfAwayFromZero(scaled) : Math.floor(scaled),
      inSize - 1,
    );
    return halfPixelCenters ? Math.max(0, v) : v;
  });
}

export const ResizeNearestNeighbor: Kernel = {
  op: "RESIZE_NEAREST_NEIGHBOR",
  prepare(node: Node): Eval {
    const o = node.options("ResizeNearestNeighborOptions");
    const { input, output, g } = prepareResize(node, o);
    if (!["float32", "int8", "int16", "uint8", "int32"].includes(input.dtype)) {
      throw node.unsupported();
    }
    const ys = sourceIndices(g.inH, g.outH, o.alignCorners, o.halfPixelCenters);
    const xs = sourceIndices(g.inW, g.outW, o.alignCorners, o.halfPixelCenters);
    const c = g.channels;
    const bytes = input.data.BYTES_PER_ELEMENT;
    const pixel = c * bytes;
    return () => {
      // A byte copy of each selected pixel (the element type does not matter).
      const x = bytesOf(input.data);
      const y = bytesOf(output.data);
      let out = 0;
      for (let b = 0; b < g.batches; b++) {
        for (let oy = 0; oy < g.outH; oy++) {
          const row = (b * g.inH + (ys[oy] ?? 0)) * g.inW;
          for (let ox = 0; ox < g.outW; ox++) {
            const src = (row + (xs[ox] ?? 0)) * pixel;
            y.set(x.subarray(src, src + pixel), out);
            out += pixel;
          }
        }
      }
    };
  },
};
