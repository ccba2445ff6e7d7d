/**
 * Conv2D → CONV_2D, DepthwiseConv2D → DEPTHWISE_CONV_2D, SeparableConv2D → DEPTHWISE_CONV_2D
 * (zero bias) + CONV_2D 1×1. NHWC only; weights re-laid out by ../layout.ts; the layer's
 * activation follows as its own op (fused later).
 */
import type { Padding } from "../../../ir";
import { depthwiseShape, hwioToOhwi } from "../layout";
import { activationOf, applyActivation } from "./activation";
import type { LayerCall, LayerConverter } from "./call";
import { biasOrZeros, outputShape, requireRank, singleInput, weight } from "./call";

interface Window {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padding: Padding;
}

function convInput(call: LayerCall): { x: number; cin: number; window: Window } {
  const c = call.config;
  const { x, shape } = singleInput(call);
  requireRank(call, shape, 4);
  c.requireChannelsLast();
  const [kh, kw] = c.pair("kernelSize");
  const [strideH, strideW] = c.pair("strides", [1, 1]);
  const [dilationH, dilationW] = c.pair("dilationRate", [1, 1]);
  const cin = shape[3] ?? 0;
  return {
    x,
    cin,
    window: { kh, kw, strideH, strideW, dilationH, dilationW, padding: c.padding() },
  };
}

function biasName(call: LayerCall): string {
  return call.config.bool("useBias", true) ? "BiasAdd" : "Conv2D";
}

export const Conv2D: LayerConverter = (call) => {
  const { b, name } = call;
  const { x, cin, window: win } = convInput(call);
  const filters = call.config.count("filters");
  const kernel = weight(call, "kernel", [win.kh, win.kw, cin, filters]);
  const w = b.constant(
    `${name}/kernel`,
    [filters, win.kh, win.kw, cin],
    hwioToOhwi(kernel.data, win.kh, win.kw, cin, filters),
  );
  const bias = b.constant(`${name}/bias`, [filters], biasOrZeros(call, filters));
  const out = outputShape(call);
  const y = b.activation(`${name}/${biasName(call)}`, out);
  b.op("CONV_2D", [x, w, bias], [y], {
    type: "Conv2DOptions",
    padding: win.padding,
    strideW: win.strideW,
    strideH: win.strideH,
    fusedActivationFunction: "NONE",
    dilationWFactor: win.dilationW,
    dilationHFactor: win.dilationH,
    quantizedBiasType: 0,
  });
  return [applyActivation(call, y, out, activationOf(call))];
};

interface DepthwiseSpec {
  cin: number;
  win: Window;
  mult: number;
  /** `[kh, kw, cin, mult]`, tfjs's layout (TFLite's `[1, kh, kw, cin·mult]` has the same bytes). */
  kernel: Float32Array;
  bias: Float32Array;
  /** Name and batch-major shape of the output tensor. */
  outName: string;
  out: number[];
}

/** DEPTHWISE_CONV_2D of `x`; returns the output tensor. */
function depthwise(call: LayerCall, x: number, d: DepthwiseSpec): number {
  const { cin, win, mult, kernel, bias, outName, out } = d;
  const { b, name } = call;
  const w = b.constant(
    `${name}/depthwise_kernel`,
    depthwiseShape(win.kh, win.kw, cin, mult),
    kernel,
  );
  const biasTensor = b.constant(`${name}/depthwise_bias`, [cin * mult], bias);
  const y = b.activation(outName, out);
  b.op("DEPTHWISE_CONV_2D", [x, w, biasTensor], [y], {
    type: "DepthwiseConv2DOptions",
    padding: win.padding,
    strideW: win.strideW,
    strideH: win.strideH,
    depthMultiplier: mult,
    fusedActivationFunction: "NONE",
    dilationWFactor: win.dilationW,
    dilationHFactor: win.dilationH,
  });
  return y;
}

export const DepthwiseConv2D: LayerConverter = (call) => {
  const { x, cin, window: win } = convInput(call);
  if (win.dilationH !== 1 || win.dilationW !== 1) {
    // NOTE: tfjs 4.x runs DepthwiseConv2D without its dilation (a TODO in tfjs-layers) while
    // Keras applies it, so a dilated depthwise layer has no single meaning to convert.
    throw call.config.unsupported(
      `dilationRate [${win.dilationH}, ${win.dilationW}] is not supported: tfjs ignores a ` +
        `DepthwiseConv2D's dilation when it runs the layer, Keras does not (use dilation 1, ` +
        `or a SeparableConv2D, whose dilation tfjs applies)`,
    );
  }
  const mult = call.config.count("depthMultiplier", 1);
  const kernel = weight(call, "depthwise_kernel", [win.kh, win.kw, cin, mult]);
  const out = outputShape(call);
  const bias = biasOrZeros(call, cin * mult);
  const y = depthwise(call, x, {
    cin,
    win,
    mult,
    kernel: kernel.data,
    bias,
    outName: `${call.name}/${biasName(call)}`,
    out,
  });
  return [applyActivation(call, y, out, activationOf(call))];
};

/**
 * SeparableConv2D: depthwise `[kh, kw, cin, mult]` with the layer's strides, dilation and
 * padding, then a pointwise 1×1 CONV_2D `[1, 1, cin·mult, filters]` with the bias and the
 * activation.
 */
export const SeparableConv2D: LayerConverter = (call) => {
  const { b, name } = call;
  const { x, cin, window: win } = convInput(call);
  // NOTE: tfjs leaves depthMultiplier out of SeparableConv2D's config; the kernel has it.
  const mult =
    call.weights.get("depthwise_kernel")?.shape[3] ?? call.config.count("depthMultiplier", 1);
  const filters = call.config.count("filters");
  const dwKernel = weight(call, "depthwise_kernel", [win.kh, win.kw, cin, mult]);
  const pwKernel = weight(call, "pointwise_kernel", [1, 1, cin * mult, filters]);
  const out = outputShape(call);
  const mid = [...out.slice(0, 3), cin * mult];
  const dw = depthwise(call, x, {
    cin,
    win,
    mult,
    kernel: dwKernel.data,
    bias: new Float32Array(cin * mult),
    outName: `${name}/separable_conv2d/depthwise`,
    out: mid,
  });
  const w = b.constant(
    `${name}/pointwise_kernel`,
    [filters, 1, 1, cin * mult],
    hwioToOhwi(pwKernel.data, 1, 1, cin * mult, filters),
  );
  const bias = b.constant(`${name}/bias`, [filters], biasOrZeros(call, filters));
  const y = b.activation(`${name}/${biasName(call)}`, out);
  b.op("CONV_2D", [dw, w, bias], [y], {
    type: "Conv2DOptions",
    padding: "VALID",
    strideW: 1,
    strideH: 1,
    fusedActivationFunction: "NONE",
    dilationWFactor: 1,
    dilationHFactor: 1,
    quantizedBiasType: 0,
  });
  return [applyActivation(call, y, out, activationOf(call))];
};
