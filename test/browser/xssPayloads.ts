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
  ];
}
