/**
 * What RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR share: an NHWC input, a constant int32 `size`
 * operand [newHeight, newWidth], options alignCorners / halfPixelCenters (not both), and for
 * quantized tensors no rescaling — the output must carry the input's scale and zero point (TF's
 * converter gives both ends the same parameters).
 */
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";

export interface ResizeGeometry {
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
}

/** Validate the operands and allocate the output [batch, newHeight, newWidth, channels]. */
export function prepareResize(
  node: Node,
  o: { alignCorners: boolean; halfPixelCenters: boolean },
): { input: RuntimeTensor; output: RuntimeTensor; g: ResizeGeometry } {
  const input = node.input(0);
  const size = node.input(1);
  node.expectRank(input, 4);
  if (!size.isConstant) throw node.unsupported(`size '${size.name}' must be a constant`);
  if (size.dtype !== "int32") {
    throw node.unsupported(`size '${size.name}' must be int32, found ${size.dtype}`);
  }
  const hw = node.intValues(size);
  const [outH = 0, outW = 0] = hw;
  if (hw.length !== 2 || outH <= 0 || outW <= 0) {
    throw node.shapeError(
      `size '${size.name}' must hold 2 positive values, found [${hw.join(", ")}]`,
    );
  }
  if (o.alignCorners && o.halfPixelCenters) {
    throw node.unsupported("alignCorners and halfPixelCenters cannot both be true");
  }
  const [batches = 0, inH = 0, inW = 0, channels = 0] = input.shape;
  const output = node.allocateOutput(0, [batches, outH, outW, channels]);
  if (input.dtype !== output.dtype) {
    throw node.unsupported(`input and output types differ`);
  }
  if (input.dtype !== "float32") {
    const a = node.affine(input);
    const b = node.affine(output);
    if (a.scale !== b.scale || a.zeroPoint !== b.zeroPoint) {
      throw node.unsupported(
        `output '${output.name}' must have the input's scale and zero point ` +
          `(${a.scale}, ${a.zeroPoint}), found (${b.scale}, ${b.zeroPoint})`,
      );
    }
  }
  return { input, output, g: { batches, inH, inW, channels, outH, outW } };
}
