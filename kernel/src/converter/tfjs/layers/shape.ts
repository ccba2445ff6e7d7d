/**
 * Layers that move or pad data: Reshape and Flatten → RESHAPE with a constant int32 shape
 * (batch -1 when dynamic), ZeroPadding2D → PAD with int32 paddings `[[0, 0], [top, bottom],
 * [left, right], [0, 0]]`, Dropout → nothing (identity at inference).
 */
import { ModelFormatError } from "../../../errors";
import type { LayerCall, LayerConverter } from "./call";
import { outputShape, requireRank, singleInput } from "./call";

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** RESHAPE to the layer's output shape; no op when the shape does not change. */
const reshape: LayerConverter = (call: LayerCall) => {
  const { b, name } = call;
  const { x, shape } = singleInput(call);
  const out = outputShape(call);
  if (sameShape(shape, out)) return [x];
  const target = b.reshapeTarget(`${name}/shape`, out);
  const y = b.activation(`${name}/Reshape`, out);
  b.op("RESHAPE", [x, target], [y]);
  return [y];
};

export const Reshape: LayerConverter = reshape;
export const Flatten: LayerConverter = reshape;

export const Dropout: LayerConverter = (call) => [singleInput(call).x];

/** ZeroPadding2D's `padding`: n, [h, w] or [[top, bottom], [left, right]]. */
function paddings(call: LayerCall): [number, number, number, number] {
  const raw = call.config.raw("padding");
  const n = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  const pair = (v: unknown): [number, number] | null =>
    n(v) ? [v, v] : Array.isArray(v) && v.length === 2 && n(v[0]) && n(v[1]) ? [v[0], v[1]] : null;
  if (raw === undefined || raw === null) return [1, 1, 1, 1];
  if (n(raw)) return [raw, raw, raw, raw];
  if (Array.isArray(raw) && raw.length === 2) {
    const [h, w] = raw;
    if (n(h) && n(w)) return [h, h, w, w];
    const ph = pair(h);
    const pw = pair(w);
    if (ph !== null && pw !== null) return [...ph, ...pw];
  }
  throw new ModelFormatError(
    `${call.config.what}: config 'padding' must be n, [h, w] or [[top, bottom], [left, right]] ` +
      `of non-negative integers, found ${JSON.stringify(raw)}`,
  );
}

export const ZeroPadding2D: LayerConverter = (call) => {
  const { b, name, config: c } = call;
  const { x, shape } = singleInput(call);
  requireRank(call, shape, 4);
  c.requireChannelsLast();
  const [top, bottom, left, right] = paddings(call);
  const pads = b.constant(
    `${name}/paddings`,
    [4, 2],
    Int32Array.of(0, 0, top, bottom, left, right, 0, 0),
  );
  const y = b.activation(`${name}/Pad`, outputShape(call));
  b.op("PAD", [x, pads], [y], { type: "PadOptions" });
  return [y];
};
