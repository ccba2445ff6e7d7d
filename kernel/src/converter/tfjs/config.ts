/**
 * Typed reads of a tfjs layer's `getConfig()` and weights. A config value of the wrong type is a
 * `ModelFormatError`; a value tsquant cannot convert (channels-first, causal padding, an
 * unknown activation) is an `UnsupportedError`. Both name the layer, its class and the key.
 */
import type { LayersModel, serialization } from "@tensorflow/tfjs";
import { ModelFormatError, UnsupportedError } from "../../errors";
import type { Padding } from "../../ir";

export type Layer = LayersModel["layers"][number];
type ConfigValue = serialization.ConfigDictValue;

function show(v: ConfigValue | undefined): string {
  return v === undefined ? "nothing" : JSON.stringify(v);
}

/** `layer 'conv2d_1' (Conv2D)`: how every message names a layer. */
export function describeLayer(name: string, className: string): string {
  return `layer '${name}' (${className})`;
}

export class LayerConfig {
  private readonly dict: serialization.ConfigDict;
  readonly what: string;

  constructor(
    readonly name: string,
    readonly className: string,
    dict: serialization.ConfigDict,
  ) {
    this.dict = dict;
    this.what = describeLayer(name, className);
  }

  private bad(key: string, expected: string): never {
    throw new ModelFormatError(
      `${this.what}: config '${key}' must be ${expected}, found ${show(this.dict[key])}`,
    );
  }

  unsupported(message: string): UnsupportedError {
    return new UnsupportedError(`${this.what}: ${message}`);
  }

  has(key: string): boolean {
    const v = this.dict[key];
    return v !== undefined && v !== null;
  }

  number(key: string, fallback?: number): number {
    const v = this.dict[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) this.bad(key, "a number");
    return v;
  }

  /** A positive integer. */
  count(key: string, fallback?: number): number {
    const v = this.number(key, fallback);
    if (!Number.isSafeInteger(v) || v < 1) this.bad(key, "a positive integer");
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.dict[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") this.bad(key, "true or false");
    return v;
  }

  string(key: string, fallback: string): string {
    const v = this.dict[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "string") this.bad(key, "a string");
    return v;
  }

  /** `[h, w]` of positive integers from a number `n` (→ `[n, n]`) or a pair. */
  pair(key: string, fallback?: [number, number]): [number, number] {
    const v = this.dict[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    const ok = (x: unknown): x is number =>
      typeof x === "number" && Number.isSafeInteger(x) && x >= 1;
    if (ok(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]];
    if (Array.isArray(v) && v.length === 1 && ok(v[0])) return [v[0], v[0]];
    return this.bad(key, "a positive integer or a pair of them");
  }

  /** The raw value, for layer-specific shapes (ZeroPadding2D's nested pairs). */
  raw(key: string): ConfigValue | undefined {
    return this.dict[key];
  }

  /** `padding`: "valid" → VALID, "same" → SAME; "causal" (Conv1D) and others are refused. */
  padding(): Padding {
    const p = this.string("padding", "valid");
    if (p === "valid") return "VALID";
    if (p === "same") return "SAME";
    throw this.unsupported(`padding '${p}' is not supported (supported: valid, same)`);
  }

  /** TFLite's kernels are NHWC: `dataFormat` must be channelsLast. */
  requireChannelsLast(): void {
    const f = this.string("dataFormat", "channelsLast");
    if (f !== "channelsLast") {
      throw this.unsupported(
        `dataFormat '${f}' is not supported: TFLite is NHWC (channelsLast); rebuild the ` +
          `layer with dataFormat 'channelsLast'`,
      );
    }
  }
}

/** A layer weight as float32 values in the tfjs layout. */
export interface Weight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * The layer's weights keyed by the last part of their name (`kernel`, `bias`,
 * `depthwise_kernel`, `gamma`, `moving_mean`, …), values copied out of tfjs.
 */
export function layerWeights(layer: Layer, what: string): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const v of layer.weights) {
    const key = v.originalName.split("/").pop() ?? v.originalName;
    const value = v.read();
    if (value.dtype !== "float32") {
      throw new UnsupportedError(
        `${what}: weight '${v.originalName}' is ${value.dtype}; only float32 weights convert`,
      );
    }
    out.set(key, {
      name: v.originalName,
      shape: [...value.shape],
      data: Float32Array.from(value.dataSync() as Float32Array),
    });
  }
  return out;
}
