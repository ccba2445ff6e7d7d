/**
 * Payloads of every kind whose text fields — titles, tensor, layer and op names, method labels,
 * variant names, dtypes, status lines, units — carry HTML that would run script if a view ever
 * parsed payload text as markup: an `<img src=x onerror=…>` and a `<script>` element, each of
 * which would bump `window.__xss`. The views must show them as literal text. The browser test
 * opens a notebook of these (tsquant-xss.ipynb, made by makeNotebook.ts) and checks that
 * `window.__xss` stays undefined, that no `img`/`script` element appears in the outputs, and
 * that the literal text is on screen.
 */
import type { Payload } from "../../kernel/src/display/payload";
import {
  errorPayload,
  progressPayload,
  rangePayload,
  tablePayload,
  weightsPayload,
} from "./samplePayloads";

export const XSS_IMG = `<img src=x onerror="window.__xss=(window.__xss||0)+1">`;
export const XSS_SCRIPT = "<script>window.__xss=(window.__xss||0)+1</script>";

/** `label` followed by both attacks. */
export function evil(label: string): string {
  return `${label} ${XSS_IMG}${XSS_SCRIPT}`;
}

export function xssPayloads(): Payload[] {
  const range = rangePayload();
  const error = errorPayload();
  const table = tablePayload();
  const progress = progressPayload();
  const variants = table.rows.map((r) => evil(r.variant));
  return [
    {
      ...range,
      title: evil("range title"),
      tensor: evil("tensor"),
      methods: range.methods.map((m) => ({ ...m, label: evil(m.label ?? m.method) })),
    },
    {
      ...error,
      title: evil("error title"),
      layers: error.layers.map((l) => ({ ...l, name: evil(l.name), op: evil(l.op) })),
    },
    { ...weightsPayload(), title: evil("weights title"), layer: evil("layer"), tensor: evil("w") },
    {
      ...table,
      title: evil("table title"),
      baseline: variants[0] ?? "",
      rows: table.rows.map((r, i) => ({
        ...r,
        variant: variants[i] ?? "",
        inputType: evil(r.inputType),
        outputType: evil(r.outputType),
      })),
    },
    {
      ...progress,
      title: evil("progress title"),
      message: evil("status"),
      unit: evil("epoch"),
    },
    {
      kind: "model",
      title: evil("model title"),
      ops: [
        { index: 0, op: evil("CONV_2D"), version: 3, inputs: [0, 1, 2], outputs: [3] },
        { index: 1, op: evil("SOFTMAX"), version: 1, inputs: [3], outputs: [4] },
      ],
      tensors: [
        [0, "input", "int8", [1, 28, 28, 1], 784, false],
        [1, "kernel", "int8", [4, 3, 3, 1], 36, true],
        [2, "bias", "int32", [4], 16, true],
        [3, "conv", "int8", [1, 26, 26, 4], 2704, false],
        [4, "output", "int8", [1, 26, 26, 4], 2704, false],
      ].map(([index, name, dtype, shape, bytes, constant]) => ({
        index: index as number,
        name: evil(name as string),
        dtype: evil(dtype as string),
        shape: shape as number[],
        bytes: bytes as number,
        constant: constant as boolean,
        quantization:
          index === 1
            ? { scale: 0.002, zeroPoint: 0, channels: 4, axis: 0, scaleMax: 0.004, zeroPointMax: 0 }
            : { scale: 0.05, zeroPoint: -3 },
      })),
      inputs: [0],
      outputs: [4],
      totals: { ops: 2, tensors: 5, constantBytes: 52, activationBytes: 6192, subgraphs: 1 },
      note: evil("note"),
    },
    {
      kind: "qparams",
      title: evil("qparams title"),
      tensor: evil("kernel"),
      bits: 8,
      signed: true,
      narrowRange: true,
      qmin: -127,
      qmax: 127,
      axis: 0,
      scales: [0.002, 0.004, 0.003, 0.0025],
      zeroPoints: [0, 0, 0, 0],
      channels: 4,
    },
    {
      kind: "calibration",
      title: evil("calibration title"),
      method: evil("minmax"),
      samples: 10,
      tensors: [
        {
          index: 3,
          name: evil("conv"),
          shape: [1, 26, 26, 4],
          constant: false,
          min: -1.5,
          max: 4.2,
          rangeMin: -1.5,
          rangeMax: 4.2,
          scale: 0.02235,
          zeroPoint: -61,
        },
      ],
      note: evil("note"),
    },
  ];
}
