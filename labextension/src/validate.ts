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
  type HistogramData,
  type LayerError,
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
