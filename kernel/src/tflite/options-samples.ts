/**
 * Values for every options table, generated from its description (tests only, not exported):
 * `fieldSample` gives each field a non-default value at the edges of its type, `fieldDefault`
 * the value an absent field reads as; `everyOptionsModel` puts one op per table in a model.
 */
import { BuiltinOperator } from "../ir";
import type { BuiltinOptions, BuiltinOptions2, Model } from "../ir";
import { vectorElement } from "./options";
import { BUILTIN_OPTIONS_2_TABLES, BUILTIN_OPTIONS_TABLES } from "./options-schema";
import type { FieldSpec, OptionsTableSpec, ScalarKind } from "./options-schema";
import { GraphBuilder } from "./testing";

/** Fields whose value range is narrower than their storage type (checked by the validator). */
const NARROW: Readonly<Record<string, number>> = { weightsFormat: 1, quantizedBiasType: 9 };

/** A value of `kind` different from `dflt`, distinct per slot, at the edges of the type. */
export function scalarSample(kind: ScalarKind, slot: number, dflt: number): unknown {
  switch (kind) {
    case "bool":
      return dflt === 0;
    case "activation":
      return "RELU6";
    case "padding":
      return "VALID";
    case "dtype":
      return dflt === 7 ? "int8" : "int16";
    case "int8":
      return -(slot + 2);
    case "uint8":
      return 200 + slot;
    case "int16":
      return -(300 + slot);
    case "uint16":
      return 60000 + slot;
    case "int32":
      return -(1_000_000_007 + slot);
    case "uint32":
      return 2 ** 32 - 1 - slot;
    case "int64":
      return -(2 ** 40 + slot);
    case "float32":
      return Math.fround(-1.1 * (slot + 1));
    default:
      return kind satisfies never;
  }
}

export function vectorSample(elem: ScalarKind, slot: number): number[] {
  switch (elem) {
    case "bool":
      return [1, 0, 1];
    case "uint8":
      return [0, 255, slot];
    case "int32":
      return [-(2 ** 31), 2 ** 31 - 1, slot];
    case "uint32":
      return [2 ** 32 - 1, 0, slot];
    case "int64":
      return [-(2 ** 53 - 1), 2 ** 53 - 1, slot];
    case "float32":
      return [Math.fround(0.3), -2.5, slot];
    default:
      return [slot];
  }
}

export function fieldSample(f: FieldSpec, slot: number): unknown {
  const [name, kind, dflt = 0] = f;
  const narrow = NARROW[name];
  if (narrow !== undefined) return narrow;
  if (kind === "string") return `${name} \u00e9\u2713`;
  const elem = vectorElement(kind);
  if (elem !== null) return vectorSample(elem, slot);
  return scalarSample(kind as ScalarKind, slot, dflt);
}

export function fieldDefault(f: FieldSpec): unknown {
  const [, kind, dflt = 0, optional] = f;
  if (optional === "optional") return undefined; // absent from the IR as from the file
  if (kind === "string" || vectorElement(kind) !== null) return null;
  switch (kind as ScalarKind) {
    case "bool":
      return dflt !== 0;
    case "activation":
      return "NONE";
    case "padding":
      return "SAME";
    case "dtype":
      return ["float32", "float16", "int32"][dflt];
    default:
      return dflt;
  }
}

export function tableValue(
  type: string,
  spec: OptionsTableSpec,
  value: (f: FieldSpec, slot: number) => unknown,
): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  spec.fields.forEach((f, slot) => {
    const v = f === null ? undefined : value(f, slot);
    if (f !== null && v !== undefined) out[f[0]] = v;
  });
  return out;
}

/**
 * One op per options table of both unions (the table's first op), every field non-default,
 * each op reading tensor `x` and writing its own float32 output: a graph to round-trip, not to
 * run.
 */
export function everyOptionsModel(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [2]);
  const outs: number[] = [];
  const add = (
    op: string,
    options: BuiltinOptions | null,
    options2: BuiltinOptions2 | null,
  ): void => {
    const code = (BuiltinOperator as Readonly<Record<string, number>>)[op];
    if (code === undefined) throw new Error(`no op ${op}`);
    const y = g.tensor(`y${outs.length}`, "float32", [2]);
    outs.push(y);
    g.op(code, [x], [y], options);
    const model = g.model;
    const ops = model.subgraphs[0]?.operators;
    const last = ops?.[ops.length - 1];
    if (last !== undefined && options2 !== null) last.builtinOptions2 = options2;
  };
  for (const [type, spec] of Object.entries(BUILTIN_OPTIONS_TABLES)) {
    add(spec.ops[0], tableValue(type, spec, fieldSample) as BuiltinOptions, null);
  }
  for (const [type, spec] of Object.entries(BUILTIN_OPTIONS_2_TABLES)) {
    add(spec.ops[0], null, tableValue(type, spec, fieldSample) as BuiltinOptions2);
  }
  return g.io([x], outs).build();
}
