/**
 * `summarizeModel`: a readable text of a model's graph — operators in execution order with
 * their options and tensors, then every tensor with dtype, shape and quantization. Used by the
 * CLI `inspect` command and by notebook users.
 */
import { opName } from "../ir";
import type { BuiltinOptions, Model, Quantization, SubGraph, Tensor } from "../ir";
import { optionsTableSpec, optionsTypeName } from "./options";
import type { OptionsTableSpec } from "./options-schema";

/** Shortest float text that reads back to the same float32 (e.g. 0.00392156886). */
function f32(x: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const s = x.toPrecision(digits);
    if (Math.fround(Number(s)) === Math.fround(x)) return String(Number(s));
  }
  return String(x);
}

/** `scale=0.0039 zeroPoint=-128`, `per-axis(dim 0, 16 scales 0.001..0.02)` or `range [a, b]`. */
export function describeQuantization(q: Quantization | null): string {
  if (q === null) return "";
  const scales = q.scale ?? [];
  const zps = q.zeroPoint ?? [];
  const parts: string[] = [];
  if (scales.length === 1) {
    parts.push(`scale=${f32(scales[0] ?? 0)} zeroPoint=${zps[0] ?? "?"}`);
  } else if (scales.length > 1) {
    const lo = Math.min(...scales);
    const hi = Math.max(...scales);
    const zpText = zps.every((z) => z === 0)
      ? "zeroPoint=0"
      : `zeroPoints ${Math.min(...zps)}..${Math.max(...zps)}`;
    parts.push(
      `per-axis(axis ${q.quantizedDimension}, ${scales.length} scales ${f32(lo)}..${f32(hi)}, ${zpText})`,
    );
  }
  if (q.min !== null && q.max !== null && q.min.length > 0) {
    const range =
      q.min.length === 1
        ? `[${f32(q.min[0] ?? 0)}, ${f32(q.max[0] ?? 0)}]`
        : `${q.min.length} ranges`;
    parts.push(`range ${range}`);
  }
  return parts.join(" ");
}

function describeOptions(o: BuiltinOptions | null): string {
  if (o === null) return "";
  switch (o.type) {
    case "Conv2DOptions":
      return `padding=${o.padding} stride=${o.strideH}x${o.strideW} dilation=${o.dilationHFactor}x${o.dilationWFactor} activation=${o.fusedActivationFunction}`;
    case "DepthwiseConv2DOptions":
      return `padding=${o.padding} stride=${o.strideH}x${o.strideW} depthMultiplier=${o.depthMultiplier} dilation=${o.dilationHFactor}x${o.dilationWFactor} activation=${o.fusedActivationFunction}`;
    case "FullyConnectedOptions":
      return `activation=${o.fusedActivationFunction}${o.keepNumDims ? " keepNumDims" : ""}${o.asymmetricQuantizeInputs ? " asymmetricQuantizeInputs" : ""}`;
    case "Pool2DOptions":
      return `padding=${o.padding} filter=${o.filterHeight}x${o.filterWidth} stride=${o.strideH}x${o.strideW} activation=${o.fusedActivationFunction}`;
    case "AddOptions":
    case "MulOptions":
      return `activation=${o.fusedActivationFunction}`;
    case "ConcatenationOptions":
      return `axis=${o.axis} activation=${o.fusedActivationFunction}`;
    case "ReshapeOptions":
      return o.newShape === null ? "" : `newShape=[${o.newShape.join(", ")}]`;
    case "SoftmaxOptions":
      return `beta=${f32(o.beta)}`;
    case "ReducerOptions":
      return `keepDims=${o.keepDims}`;
    case "StridedSliceOptions":
      return `masks begin=${o.beginMask} end=${o.endMask} ellipsis=${o.ellipsisMask} newAxis=${o.newAxisMask} shrinkAxis=${o.shrinkAxisMask}${o.offset ? " offset" : ""}`;
    case "ShapeOptions":
      return `outType=${o.outType}`;
    case "PackOptions":
      return `valuesCount=${o.valuesCount} axis=${o.axis}`;
    case "UnidirectionalSequenceLSTMOptions":
      return `activation=${o.fusedActivationFunction} cellClip=${f32(o.cellClip)} projClip=${f32(o.projClip)}${o.timeMajor ? " timeMajor" : ""}${o.asymmetricQuantizeInputs ? " asymmetricQuantizeInputs" : ""}`;
    case "IfOptions":
      return `then=subgraph ${o.thenSubgraphIndex} else=subgraph ${o.elseSubgraphIndex}`;
    case "WhileOptions":
      return `cond=subgraph ${o.condSubgraphIndex} body=subgraph ${o.bodySubgraphIndex}`;
    case "PadOptions":
    case "QuantizeOptions":
    case "DequantizeOptions":
      return "";
    case "UnknownOptions":
      return `${optionsTypeName(o.unionType)} (newer than tsquant's schema)`;
    default:
      return describeFields(o, optionsTableSpec(o.type));
  }
}

/** `name=value` for every field not at its default, from the table's description. */
function describeFields(o: object, spec: OptionsTableSpec): string {
  const values = o as Readonly<Record<string, unknown>>;
  const parts: string[] = [];
  for (const f of spec.fields) {
    if (f === null) continue;
    const [name, kind, dflt = 0] = f;
    const v = values[name];
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) parts.push(`${name}=[${v.join(", ")}]`);
    else if (typeof v === "string")
      parts.push(`${name}=${kind === "string" ? JSON.stringify(v) : v}`);
    else if (typeof v === "boolean") {
      if (v !== (dflt !== 0)) parts.push(v ? name : `${name}=false`);
    } else if (typeof v === "number") {
      if (v !== dflt) parts.push(`${name}=${kind === "float32" ? f32(v) : v}`);
    } else parts.push(`${name}=${String(v)}`);
  }
  return parts.join(" ");
}

function tensorLine(model: Model, sg: SubGraph, t: Tensor, i: number): string {
  const data = t.buffer === 0 ? null : (model.buffers[t.buffer]?.data ?? null);
  const roles: string[] = [];
  if (sg.inputs.includes(i)) roles.push("input");
  if (sg.outputs.includes(i)) roles.push("output");
  if (data !== null && data.length > 0) roles.push(`constant ${data.length} B`);
  if (t.isVariable) roles.push("variable");
  const q = describeQuantization(t.quantization);
  return [
    `#${i}`,
    `'${t.name}'`,
    `${t.type}[${t.shape.join(",")}]`,
    q,
    roles.length > 0 ? `(${roles.join(", ")})` : "",
  ]
    .filter((s) => s !== "")
    .join("  ");
}

/** A multi-line, human-readable description of the whole model. */
export function summarizeModel(model: Model): string {
  const lines: string[] = [];
  const constBytes = model.buffers.reduce((n, b) => n + (b.data?.length ?? 0), 0);
  const nOps = model.subgraphs.reduce((n, sg) => n + sg.operators.length, 0);
  lines.push(
    `Model: schema v${model.version}, ${model.subgraphs.length} subgraph(s), ${nOps} operator(s), ${model.buffers.length} buffer(s), ${constBytes} bytes of buffer data`,
  );
  if (model.description !== null) lines.push(`Description: ${model.description}`);
  for (const m of model.metadata ?? []) {
    const data = model.buffers[m.buffer]?.data ?? null;
    const text =
      m.name === "min_runtime_version" && data !== null
        ? JSON.stringify(new TextDecoder().decode(data).replace(/\0+$/, ""))
        : `${data?.length ?? 0} bytes`;
    lines.push(`Metadata: ${m.name} = ${text}`);
  }
  for (const sig of model.signatureDefs ?? []) {
    const io = (e: { name: string; tensorIndex: number }): string => `${e.name}→#${e.tensorIndex}`;
    lines.push(
      `Signature '${sig.signatureKey}' (subgraph ${sig.subgraphIndex}): inputs ${sig.inputs.map(io).join(", ")}; outputs ${sig.outputs.map(io).join(", ")}`,
    );
  }
  model.subgraphs.forEach((sg, s) => {
    lines.push("");
    lines.push(
      `Subgraph ${s}${sg.name !== null ? ` '${sg.name}'` : ""}: inputs [${sg.inputs.join(", ")}], outputs [${sg.outputs.join(", ")}]`,
    );
    lines.push("Operators:");
    sg.operators.forEach((op, k) => {
      const code = model.operatorCodes[op.opcodeIndex];
      const name =
        code === undefined
          ? `opcode #${op.opcodeIndex}`
          : code.customCode !== null
            ? `CUSTOM '${code.customCode}'`
            : `${opName(code.builtinCode)} v${code.version}`;
      const opts = describeOptions(op.builtinOptions);
      lines.push(`  #${k} ${name}${opts === "" ? "" : `  ${opts}`}`);
      const ref = (i: number): string => {
        const t = sg.tensors[i];
        return i < 0 || t === undefined ? "-" : `#${i} ${t.type}[${t.shape.join(",")}]`;
      };
      lines.push(`      in:  ${op.inputs.map(ref).join("; ")}`);
      lines.push(`      out: ${op.outputs.map(ref).join("; ")}`);
    });
    lines.push("Tensors:");
    sg.tensors.forEach((t, i) => lines.push(`  ${tensorLine(model, sg, t, i)}`));
  });
  return lines.join("\n");
}
