/**
 * The inputs of a model and the forms one sample of a representative dataset (or of
 * `compareLayers` data) may take:
 *
 * - a list with one entry per model input, in the model's input order (TF's
 *   `representative_dataset` form);
 * - a record keyed by input tensor name, or by signature input name when the model has a
 *   signature (each input exactly once, by either name);
 * - for a one-input model, the single input itself (a typed array, an NDArray or a flat
 *   number list).
 *
 * `orderSample` turns any of these into the list form, or throws a `ShapeError` naming the
 * input that is missing, unknown or given twice.
 */
import { ShapeError } from "../errors";
import type { DType, Model, NDArray, TypedArray } from "../ir";

/** An input value with its shape (an `NDArray`, whose dtype is optional here). */
export interface SampleArray {
  data: TypedArray;
  shape: readonly number[];
  dtype?: DType;
}
/** One model input: a typed array (in the input's shape), an NDArray, or a flat number list. */
export type SampleInput = TypedArray | SampleArray | NDArray | number[];
/** One sample as a list with one entry per model input (TF's `representative_dataset` form). */
export type Sample = readonly SampleInput[];
/**
 * One sample in any accepted form: a list (`Sample`), a record keyed by input tensor name or
 * signature input name, or (one-input models) the input itself.
 */
export type AnySample = Sample | Readonly<Record<string, SampleInput>> | SampleInput;

/** A model input as the sample checks need it. */
export interface ModelInput {
  /** Tensor index in subgraph 0. */
  index: number;
  /** Position among the subgraph's inputs. */
  position: number;
  /** Tensor name. */
  name: string;
  /** The name the model's signature gives it (null without a signature). */
  signatureName: string | null;
  dtype: DType;
  shape: number[];
  /** The shape signature (−1 marks a dimension of any size); the shape when absent. */
  shapeSignature: number[];
}

/** The inputs of subgraph 0 with their tensor and signature names. */
export function modelInputs(model: Model, who: string): ModelInput[] {
  const subgraph = model.subgraphs[0];
  if (subgraph === undefined) throw new ShapeError(`${who}: the model has no subgraph`);
  const signature = (model.signatureDefs ?? []).find((s) => s.subgraphIndex === 0);
  return subgraph.inputs.map((index, position) => {
    const t = subgraph.tensors[index];
    if (t === undefined) throw new ShapeError(`${who}: the model has no input tensor #${index}`);
    return {
      index,
      position,
      name: t.name,
      signatureName: signature?.inputs.find((m) => m.tensorIndex === index)?.name ?? null,
      dtype: t.type,
      shape: [...t.shape],
      shapeSignature: [...(t.shapeSignature ?? t.shape)],
    };
  });
}

/** `'name'` or `'name' (signature 'key')`, for messages. */
export function describeInput(input: ModelInput): string {
  return input.signatureName !== null && input.signatureName !== input.name
    ? `'${input.name}' (signature '${input.signatureName}')`
    : `'${input.name}'`;
}

function isSampleArray(x: unknown): x is SampleArray {
  return (
    typeof x === "object" &&
    x !== null &&
    "data" in x &&
    "shape" in x &&
    ArrayBuffer.isView((x as SampleArray).data) &&
    Array.isArray((x as SampleArray).shape)
  );
}

/** One value of a model input: a typed array, an NDArray-like or a flat list of numbers. */
function isSingleInput(x: unknown): x is SampleInput {
  if (ArrayBuffer.isView(x) || isSampleArray(x)) return true;
  return Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === "number");
}

/** The input a record key names: its tensor name, else its signature name. */
export function inputByName(inputs: readonly ModelInput[], key: string): ModelInput | undefined {
  return inputs.find((d) => d.name === key) ?? inputs.find((d) => d.signatureName === key);
}

/**
 * `sample` as a list with one entry per model input, in input order. `who` starts the error
 * messages (e.g. "calibrate: sample 3").
 */
export function orderSample(
  sample: AnySample,
  inputs: readonly ModelInput[],
  who: string,
): SampleInput[] {
  const names = inputs.map(describeInput).join(", ");
  if (isSingleInput(sample)) {
    if (inputs.length === 1) return [sample];
    throw new ShapeError(
      `${who} is a single array but the model has ${inputs.length} inputs (${names}); give a list with one array per input, or a record keyed by input name`,
    );
  }
  if (Array.isArray(sample)) {
    const list = sample as readonly SampleInput[];
    if (list.length !== inputs.length) {
      throw new ShapeError(
        `${who} has ${list.length} inputs; the model has ${inputs.length} (${names})`,
      );
    }
    return [...list];
  }
  if (typeof sample !== "object" || sample === null) {
    throw new ShapeError(
      `${who} is ${sample === null ? "null" : typeof sample}; expected a list with one array per model input (${names}) or a record keyed by input name`,
    );
  }
  const record = sample as Readonly<Record<string, SampleInput>>;
  const out: (SampleInput | undefined)[] = inputs.map(() => undefined);
  for (const [key, value] of Object.entries(record)) {
    const input = inputByName(inputs, key);
    if (input === undefined) {
      throw new ShapeError(`${who} has an input named '${key}'; the model's inputs are ${names}`);
    }
    if (out[input.position] !== undefined) {
      throw new ShapeError(
        `${who} gives input ${describeInput(input)} twice (by tensor and by signature name)`,
      );
    }
    out[input.position] = value;
  }
  return out.map((value, k) => {
    if (value === undefined) {
      throw new ShapeError(
        `${who} has no value for input ${describeInput(inputs[k])}; the record has ${Object.keys(
          record,
        )
          .map((s) => `'${s}'`)
          .join(", ")}`,
      );
    }
    return value;
  });
}
