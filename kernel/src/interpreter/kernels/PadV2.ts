/**
 * PADV2: PAD with an explicit pad value: inputs (input, paddings [rank, 2] int32/int64 known at
 * allocation, constant_values: one element of the input's dtype, read at each invoke). The pad
 * value is that element's raw value (for quantized tensors it must share the output's scale and
 * zero point, as LiteRT requires); without the third input it is 0, or the output zero point.
 * Any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const PadV2: Kernel = {
  op: "PADV2",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const padTensor = node.input(1);
    const valueTensor = node.optionalInput(2);
    const p = constantInts(node, padTensor, "paddings");
    const rank = input.shape.length;
    if (p.length !== 2 * rank || p.some((v) => v < 0)) {
      throw node.shapeError(
        `paddings '${padTensor.name}' must be ${rank}x2 non-negative values, found [${p.join(", ")}]`,
      );
    }
    const shape = input.shape.map((d, i) => d + (p[2 * i] ?? 0) + (p[2 * i + 1] ?? 0));
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const s = strides(input.shape);
    const map = indexMap(shape, (c) => {
      let o = 0;
      for (let d = 0; d < rank; d++) {
        const x = (c[d] ?? 0) - (p[2 * d] ?? 0);
        if (x < 0 || x >= (input.shape[d] ?? 0)) return -1;
        o += x * (s[d] ?? 0);
      }
      return o;
    });
    if (valueTensor === null) {
      const zeroPoint = output.quantization === null ? 0 : node.affine(output).zeroPoint;
      return copyByMap(node, input, output, map, () => zeroPoint);
    }
    expectSameEncoding(node, valueTensor, output);
    if (valueTensor.shape.reduce((a, d) => a * d, 1) !== 1) {
      throw node.shapeError(
        `constant_values '${valueTensor.name}' must hold one value, found [${valueTensor.shape.join(", ")}]`,
      );
    }
    const data = (): number | bigint => valueTensor.data[0] ?? 0;
    return copyByMap(node, input, output, map, data);
  },
};
