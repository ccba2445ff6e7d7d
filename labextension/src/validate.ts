/**
 * Checks that a MIME bundle's JSON is a payload this renderer can draw, field by field, so a
 * malformed or newer payload becomes a readable message instead of an exception deep inside a
 * plot. Pure and DOM-free.
 */
import {
  PAYLOAD_KINDS,
  type CalibrationRange,
  type ComparisonRow,
  type CurvePoint,
  type CalibratedTensor,
  type HistogramData,
  type LayerError,
  type ModelOp,
  type ModelTensor,
  type TensorQuantization,
  type Payload,
  type PayloadKind,
} from "../../kernel/src/display/payload";

export type Validation = { ok: true; payload: Payload } | { ok: false; error: string };

/** Thrown inside the validator only; turned into `{ ok: false }` at the top. */
class Invalid extends Error {}

type Json = Record<string, unknown>;

function fail(path: string, expected: string, found: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(found) ?? String(found);
  } catch {
    shown = String(found);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  throw new Invalid(`${path}: expected ${expected}, found ${shown}`);
}

function object(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "an object", v);
  return v as Json;
}

function num(o: Json, key: string, path: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isFinite(v)) fail(`${path}.${key}`, "a finite number", v);
  return v;
}

function optNum(o: Json, key: string, path: string): number | undefined {
  return o[key] === undefined ? undefined : num(o, key, path);
}

function nullableNum(o: Json, key: string, path: string): number | null {
  return o[key] === null ? null : num(o, key, path);
}

function str(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== "string") fail(`${path}.${key}`, "a string", v);
  return v;
}

function optStr(o: Json, key: string, path: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path);
}

function bool(o: Json, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== "boolean") fail(`${path}.${key}`, "true or false", v);
  return v;
}

function oneOf<T extends string>(o: Json, key: string, path: string, options: readonly T[]): T {
  const v = o[key];
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    fail(`${path}.${key}`, `one of ${options.join(", ")}`, v);
  }
  return v as T;
}

function array(o: Json, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) fail(`${path}.${key}`, "an array", v);
  return v;
}

function numbers(o: Json, key: string, path: string, length?: number): number[] {
  const a = array(o, key, path);
  a.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v))
      fail(`${path}.${key}[${i}]`, "a finite number", v);
  });
  if (length !== undefined && a.length !== length) {
    fail(`${path}.${key}`, `${length} numbers`, `${a.length} numbers`);
  }
  return a as number[];
}

function histogram(v: unknown, path: string): HistogramData {
  const o = object(v, path);
  const min = num(o, "min", path);
  const max = num(o, "max", path);
  if (max < min) fail(`${path}.max`, `>= min (${min})`, max);
  const counts = numbers(o, "counts", path);
  if (counts.length === 0) fail(`${path}.counts`, "at least one bin", counts);
  counts.forEach((c, i) => {
    if (c < 0) fail(`${path}.counts[${i}]`, "a count >= 0", c);
  });
  return { min, max, counts };
}

function integer(o: Json, key: string, path: string, min = -Infinity): number {
  const v = num(o, key, path);
  if (!Number.isInteger(v) || v < min) {
    fail(`${path}.${key}`, min === -Infinity ? "an integer" : `an integer >= ${min}`, v);
  }
  return v;
}

function optInteger(o: Json, key: string, path: string, min = -Infinity): number | undefined {
  return o[key] === undefined ? undefined : integer(o, key, path, min);
}

function integers(o: Json, key: string, path: string, min = -Infinity): number[] {
  const a = numbers(o, key, path);
  a.forEach((v, i) => {
    if (!Number.isInteger(v) || v < min) {
      fail(`${path}.${key}[${i}]`, min === -Infinity ? "an integer" : `an integer >= ${min}`, v);
    }
  });
  return a;
}

function positive(o: Json, key: string, path: string): number {
  const v = num(o, key, path);
  if (v <= 0) fail(`${path}.${key}`, "a number > 0", v);
  return v;
}

function tensorQuantization(v: unknown, path: string): TensorQuantization {
  const o = object(v, path);
  const q: TensorQuantization = {
    scale: num(o, "scale", path),
    zeroPoint: integer(o, "zeroPoint", path),
  };
  const channels = optInteger(o, "channels", path, 1);
  if (channels !== undefined) {
    q.channels = channels;
    q.axis = integer(o, "axis", path, 0);
    q.scaleMax = num(o, "scaleMax", path);
    q.zeroPointMax = integer(o, "zeroPointMax", path);
  }
  return q;
}

function range(v: unknown, path: string): { min: number; max: number } {
  const o = object(v, path);
  const min = num(o, "min", path);
  const max = num(o, "max", path);
  if (max < min) fail(`${path}.max`, `>= min (${min})`, max);
  return { min, max };
}

function validateKind(o: Json, kind: PayloadKind): Payload {
  const title = optStr(o, "title", "payload");
  switch (kind) {
    case "range": {
      const bits = num(o, "bits", "payload");
      if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
        fail("payload.bits", "an integer in 2..16", bits);
      }
      const methods = array(o, "methods", "payload").map((m, i): CalibrationRange => {
        const p = `payload.methods[${i}]`;
        const mo = object(m, p);
        const r = range(mo, p);
        return { method: str(mo, "method", p), ...r, label: optStr(mo, "label", p) };
      });
      return {
        kind,
        title,
        tensor: str(o, "tensor", "payload"),
        histogram: histogram(o["histogram"], "payload.histogram"),
        range: range(o["range"], "payload.range"),
        bits,
        symmetric: bool(o, "symmetric", "payload"),
        narrowRange: bool(o, "narrowRange", "payload"),
        methods,
      };
    }
    case "error": {
      const layers = array(o, "layers", "payload").map((l, i): LayerError => {
        const p = `payload.layers[${i}]`;
        const lo = object(l, p);
        let sample: LayerError["sample"];
        if (lo["sample"] !== undefined) {
          const so = object(lo["sample"], `${p}.sample`);
          const float = numbers(so, "float", `${p}.sample`);
          sample = { float, quantized: numbers(so, "quantized", `${p}.sample`, float.length) };
        }
        return {
          index: num(lo, "index", p),
          name: str(lo, "name", p),
          op: str(lo, "op", p),
          sqnr: nullableNum(lo, "sqnr", p),
          mse: num(lo, "mse", p),
          sample,
          errorHistogram:
            lo["errorHistogram"] === undefined
              ? undefined
              : histogram(lo["errorHistogram"], `${p}.errorHistogram`),
        };
      });
      return { kind, title, metric: oneOf(o, "metric", "payload", ["sqnr", "mse"]), layers };
    }
    case "weights": {
      const channelMin = numbers(o, "channelMin", "payload");
      const channelMax = numbers(o, "channelMax", "payload", channelMin.length);
      const scales =
        o["scales"] === undefined ? undefined : numbers(o, "scales", "payload", channelMin.length);
      return {
        kind,
        title,
        layer: str(o, "layer", "payload"),
        tensor: str(o, "tensor", "payload"),
        axis: num(o, "axis", "payload"),
        channelMin,
        channelMax,
        tensorMin: num(o, "tensorMin", "payload"),
        tensorMax: num(o, "tensorMax", "payload"),
        scales,
      };
    }
    case "table": {
      const rows = array(o, "rows", "payload").map((r, i): ComparisonRow => {
        const p = `payload.rows[${i}]`;
        const ro = object(r, p);
        return {
          variant: str(ro, "variant", p),
          accuracy: num(ro, "accuracy", p),
          sizeBytes: num(ro, "sizeBytes", p),
          latencyMs: nullableNum(ro, "latencyMs", p),
          inputType: str(ro, "inputType", p),
          outputType: str(ro, "outputType", p),
        };
      });
      const baseline = str(o, "baseline", "payload");
      if (rows.length > 0 && !rows.some((r) => r.variant === baseline)) {
        fail(
          "payload.baseline",
          `one of the rows' variants (${rows.map((r) => r.variant).join(", ")})`,
          baseline,
        );
      }
      return { kind, title, baseline, rows };
    }
    case "progress": {
      const total = num(o, "total", "payload");
      if (total < 1) fail("payload.total", "a total >= 1", total);
      const curve =
        o["curve"] === undefined
          ? undefined
          : array(o, "curve", "payload").map((c, i): CurvePoint => {
              const p = `payload.curve[${i}]`;
              const co = object(c, p);
              return {
                step: num(co, "step", p),
                loss: num(co, "loss", p),
                accuracy: optNum(co, "accuracy", p),
                valLoss: optNum(co, "valLoss", p),
                valAccuracy: optNum(co, "valAccuracy", p),
              };
            });
      return {
        kind,
        title,
        task: oneOf(o, "task", "payload", ["training", "calibration", "evaluation", "conversion"]),
        done: num(o, "done", "payload"),
        total,
        unit: optStr(o, "unit", "payload"),
        elapsedSeconds: optNum(o, "elapsedSeconds", "payload"),
        message: optStr(o, "message", "payload"),
        status: oneOf(o, "status", "payload", ["running", "done", "failed"]),
        curve,
      };
    }
    case "model": {
      const tensors = array(o, "tensors", "payload").map((t, i): ModelTensor => {
        const p = `payload.tensors[${i}]`;
        const to = object(t, p);
        return {
          index: integer(to, "index", p, 0),
          name: str(to, "name", p),
          dtype: str(to, "dtype", p),
          shape: integers(to, "shape", p, -1),
          bytes: integer(to, "bytes", p, 0),
          constant: bool(to, "constant", p),
          quantization:
            to["quantization"] === null
              ? null
              : tensorQuantization(to["quantization"], `${p}.quantization`),
        };
      });
      const known = new Set(tensors.map((t) => t.index));
      const refs = (ro: Json, key: string, path: string): number[] => {
        const list = integers(ro, key, path, -1);
        list.forEach((index, k) => {
          if (index >= 0 && !known.has(index)) {
            fail(`${path}.${key}[${k}]`, "the index of a tensor in payload.tensors", index);
          }
        });
        return list;
      };
      const ops = array(o, "ops", "payload").map((op, i): ModelOp => {
        const p = `payload.ops[${i}]`;
        const oo = object(op, p);
        return {
          index: integer(oo, "index", p, 0),
          op: str(oo, "op", p),
          version: integer(oo, "version", p, 0),
          inputs: refs(oo, "inputs", p),
          outputs: refs(oo, "outputs", p),
        };
      });
      const to = object(o["totals"], "payload.totals");
      return {
        kind,
        title,
        ops,
        tensors,
        inputs: refs(o, "inputs", "payload"),
        outputs: refs(o, "outputs", "payload"),
        totals: {
          ops: integer(to, "ops", "payload.totals", 0),
          tensors: integer(to, "tensors", "payload.totals", 0),
          constantBytes: integer(to, "constantBytes", "payload.totals", 0),
          activationBytes: integer(to, "activationBytes", "payload.totals", 0),
          subgraphs: integer(to, "subgraphs", "payload.totals", 0),
        },
        note: optStr(o, "note", "payload"),
      };
    }
    case "qparams": {
      const bits = integer(o, "bits", "payload", 2);
      if (bits > 32) fail("payload.bits", "an integer in 2..32", bits);
      const qmin = integer(o, "qmin", "payload");
      const qmax = integer(o, "qmax", "payload");
      if (qmax <= qmin) fail("payload.qmax", `> qmin (${qmin})`, qmax);
      const axis = o["axis"] === null ? null : integer(o, "axis", "payload", 0);
      const scales = numbers(o, "scales", "payload");
      if (scales.length === 0) fail("payload.scales", "at least one scale", scales);
      scales.forEach((v, i) => {
        if (v <= 0) fail(`payload.scales[${i}]`, "a scale > 0", v);
      });
      if (axis === null && scales.length !== 1) {
        fail(
          "payload.scales",
          "one scale when axis is null (per-tensor)",
          `${scales.length} scales`,
        );
      }
      const zeroPoints = integers(o, "zeroPoints", "payload");
      if (zeroPoints.length !== scales.length) {
        fail("payload.zeroPoints", `${scales.length} integers`, `${zeroPoints.length} numbers`);
      }
      const channels = integer(o, "channels", "payload", 1);
      if (channels < scales.length) {
        fail("payload.channels", `>= the number of scales (${scales.length})`, channels);
      }
      return {
        kind,
        title,
        tensor: optStr(o, "tensor", "payload"),
        bits,
        signed: bool(o, "signed", "payload"),
        narrowRange: bool(o, "narrowRange", "payload"),
        qmin,
        qmax,
        axis,
        scales,
        zeroPoints,
        channels,
      };
    }
    case "calibration": {
      const tensors = array(o, "tensors", "payload").map((t, i): CalibratedTensor => {
        const p = `payload.tensors[${i}]`;
        const to = object(t, p);
        const rangeMin = num(to, "rangeMin", p);
        const rangeMax = num(to, "rangeMax", p);
        if (rangeMax < rangeMin) fail(`${p}.rangeMax`, `>= rangeMin (${rangeMin})`, rangeMax);
        return {
          index: integer(to, "index", p, 0),
          name: str(to, "name", p),
          shape: integers(to, "shape", p, -1),
          constant: bool(to, "constant", p),
          min: num(to, "min", p),
          max: num(to, "max", p),
          rangeMin,
          rangeMax,
          scale: positive(to, "scale", p),
          zeroPoint: integer(to, "zeroPoint", p),
        };
      });
      return {
        kind,
        title,
        method: str(o, "method", "payload"),
        samples: integer(o, "samples", "payload", 0),
        tensors,
        note: optStr(o, "note", "payload"),
      };
    }
    default:
      return kind satisfies never;
  }
}

/**
 * Validate the JSON under the tsquant MIME type. Returns the payload (a fresh object holding only
 * the known fields) or a message naming the first bad field, what was expected and what was
 * found.
 */
export function validatePayload(data: unknown): Validation {
  try {
    const o = object(data, "payload");
    const kind = o["kind"];
    if (typeof kind !== "string" || !(PAYLOAD_KINDS as readonly string[]).includes(kind)) {
      fail("payload.kind", `one of ${PAYLOAD_KINDS.join(", ")}`, kind);
    }
    return { ok: true, payload: validateKind(o, kind as PayloadKind) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: e.message };
    throw e;
  }
}
