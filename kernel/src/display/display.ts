/**
 * Rich display, with Deno's convention: an object whose class has a method
 * `[Symbol.for("Jupyter.display")]()` returning a MIME bundle (or a promise of one) is shown with
 * that bundle. `mimeBundle(value)` applies it — and recognises tsquant's plain-object results
 * (a model, calibration results, quantization parameters, display payloads) — falling back to
 * `text/plain` via util.inspect. The kernel uses it for a cell's last value; `display(value)`
 * publishes it from anywhere in a cell.
 */
import { inspect } from "node:util";
import type { CalibrationResult, TensorCalibration } from "../calib/calibrate";
import type { Model } from "../ir";
import type { AnyQuantParams } from "../quant/params";
import { UsageError } from "../errors";
import { currentCell } from "../services/context";
import {
  calibrationBundle,
  calibrationPayloadBundle,
  comparisonBundle,
  layerErrorsBundle,
  modelBundle,
  modelPayloadBundle,
  qparamsBundle,
  weightsBundle,
  quantParamsBundle,
  rangeBundle,
} from "./bundles";
import { PAYLOAD_KINDS, type Payload } from "./payload";
import { DISPLAY_SYMBOL, type MimeBundle } from "../services/mime";
import { progressBundle } from "../services/progress";

export { DISPLAY_SYMBOL };

/** Anything that displays itself. */
export interface Displayable {
  [DISPLAY_SYMBOL]():
    MimeBundle | Record<string, unknown> | Promise<MimeBundle | Record<string, unknown>>;
}

/** Wrap a ready bundle so that it displays as itself (e.g. as a cell's last value). */
export function displayable(bundle: MimeBundle): Displayable {
  return {
    [DISPLAY_SYMBOL]: () => bundle,
    [inspect.custom]: () => bundle["text/plain"] ?? "[displayable]",
  } as Displayable;
}

type Obj = Record<string | symbol, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === "object" && x !== null;
}

function isModel(x: Obj): boolean {
  return (
    typeof x["version"] === "number" &&
    Array.isArray(x["subgraphs"]) &&
    Array.isArray(x["operatorCodes"]) &&
    Array.isArray(x["buffers"])
  );
}

function isCalibrationResult(x: Obj): boolean {
  return (
    typeof x["method"] === "string" && Array.isArray(x["tensors"]) && typeof x["get"] === "function"
  );
}

function isTensorCalibration(x: Obj): boolean {
  return (
    typeof x["name"] === "string" &&
    isObject(x["range"]) &&
    isObject(x["qparams"]) &&
    isObject(x["histogram"]) &&
    typeof x["constant"] === "boolean"
  );
}

function isQuantParams(x: Obj): boolean {
  const f = x["format"];
  return (
    isObject(f) &&
    typeof f["qmin"] === "number" &&
    typeof f["qmax"] === "number" &&
    (typeof x["scale"] === "number" || Array.isArray(x["scale"])) &&
    "zeroPoint" in x
  );
}

function payloadBundle(p: Payload): MimeBundle {
  switch (p.kind) {
    case "range":
      return rangeBundle(p);
    case "error":
      return layerErrorsBundle(p);
    case "table":
      return comparisonBundle(p);
    case "progress":
      return progressBundle(p);
    case "weights":
      return weightsBundle(p);
    case "model":
      return modelPayloadBundle(p);
    case "qparams":
      return qparamsBundle(p);
    case "calibration":
      return calibrationPayloadBundle(p);
    default:
      return p satisfies never;
  }
}

function isPayload(x: Obj): boolean {
  return typeof x["kind"] === "string" && (PAYLOAD_KINDS as readonly string[]).includes(x["kind"]);
}

/** A bundle's data must be an object with string keys; anything else is the display method's bug. */
function checkBundle(b: unknown, where: string): MimeBundle {
  if (!isObject(b) || Array.isArray(b)) {
    throw new UsageError(
      `${where}: [Symbol.for("Jupyter.display")]() must return a MIME bundle object, found ${inspect(b, { depth: 0 })}`,
    );
  }
  return { ...b };
}

/**
 * The MIME bundle for `value`: its own `[Symbol.for("Jupyter.display")]()` if it has one, a
 * tsquant bundle for a model, calibration result, calibrated tensor, quantization parameters or
 * display payload, else `{"text/plain": util.inspect(value)}`.
 */
export async function mimeBundle(value: unknown): Promise<MimeBundle> {
  if (isObject(value) || typeof value === "function") {
    const method = (value as Obj)[DISPLAY_SYMBOL];
    if (typeof method === "function") {
      const b: unknown = await (method as () => unknown).call(value);
      return checkBundle(b, value.constructor?.name ?? "display");
    }
  }
  if (isObject(value)) {
    if (isModel(value)) return modelBundle(value as unknown as Model);
    if (isCalibrationResult(value)) return calibrationBundle(value as unknown as CalibrationResult);
    if (isTensorCalibration(value)) return rangeBundle(value as unknown as TensorCalibration);
    if (isQuantParams(value)) return quantParamsBundle(value as unknown as AnyQuantParams);
    if (isPayload(value)) return payloadBundle(value as unknown as Payload);
  }
  // Strings too go through inspect: quoted, as a REPL shows them ('1' is not 1).
  return { "text/plain": inspect(value, { colors: false, depth: 4 }) };
}

export interface DisplayOptions {
  /** Show `value` as this bundle instead of formatting it. */
  raw?: boolean;
  /** Give the output an id, so that `update: true` can replace it later. */
  displayId?: string;
  /** Replace the output with this `displayId` (update_display_data) instead of adding one. */
  update?: boolean;
}

/**
 * Publish a display: inside a kernel cell a `display_data` (or `update_display_data`) message;
 * outside Jupyter the `text/plain` form on stdout. Resolves once the message is sent.
 */
export async function display(value: unknown, options: DisplayOptions = {}): Promise<void> {
  const bundle =
    options.raw === true ? checkBundle(value, "display(raw)") : await mimeBundle(value);
  const cell = currentCell();
  if (cell === null) {
    process.stdout.write(`${bundle["text/plain"] ?? inspect(value)}\n`);
    return;
  }
  if (options.update === true && options.displayId === undefined) {
    throw new UsageError(
      "display: update: true needs a displayId (the id of the output to replace)",
    );
  }
  cell.publish(options.update === true ? "update_display_data" : "display_data", {
    data: bundle,
    metadata: {},
    transient: options.displayId === undefined ? {} : { display_id: options.displayId },
  });
}
