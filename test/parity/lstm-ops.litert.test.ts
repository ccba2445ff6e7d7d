/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM (float32) on hand-built one-op models covering the optional
 * operands TF's Keras conversion does not use — CIFG (no input gate), peephole, projection with
 * and without bias, layer norm, time-major input, cell and projection clipping, batch > 1,
 * RELU as the activation, hybrid int8 weights with symmetric and asymmetric rows (not with
 * projection: see the interpreter README) — each run
 * for three invokes in a row (state carried) and compared
 * with LiteRT BUILTIN_REF, then once more after `resetAllVariables()`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import { buildModel, type TensorSpec } from "../../kernel/src/interpreter/testing";
import type { Activation, Model, NDArray } from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite/writer";
import { mulberry32 } from "../../kernel/src/train/shuffle";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { assertParity } from "./parity";

interface Case {
  name: string;
  batch: number;
  time: number;
  nInput: number;
  nCell: number;
  /** Output size; with `projection` it may differ from nCell. */
  nOutput: number;
  cifg?: boolean;
  peephole?: boolean;
  projection?: "bias" | "no-bias";
  layerNorm?: boolean;
  timeMajor?: boolean;
  cellClip?: number;
  projClip?: number;
  activation?: Activation;
  /** Hybrid: int8 weight matrices and peephole weights (one scale each), float activations. */
  hybrid?: "symmetric" | "asymmetric";
}

const CASES: Case[] = [
  { name: "basic", batch: 1, time: 5, nInput: 3, nCell: 4, nOutput: 4 },
  {
    name: "batch 3, cell clip 0.5",
    batch: 3,
    time: 4,
    nInput: 5,
    nCell: 6,
    nOutput: 6,
    cellClip: 0.5,
  },
  {
    name: "time major, batch 2",
    batch: 2,
    time: 4,
    nInput: 3,
    nCell: 5,
    nOutput: 5,
    timeMajor: true,
  },
  { name: "CIFG", batch: 2, time: 3, nInput: 4, nCell: 4, nOutput: 4, cifg: true },
  { name: "peephole", batch: 2, time: 4, nInput: 3, nCell: 5, nOutput: 5, peephole: true },
  {
    name: "projection with bias, proj clip 0.3",
    batch: 2,
    time: 4,
    nInput: 3,
    nCell: 6,
    nOutput: 3,
    projection: "bias",
    projClip: 0.3,
  },
  {
    name: "projection without bias",
    batch: 1,
    time: 5,
    nInput: 4,
    nCell: 5,
    nOutput: 2,
    projection: "no-bias",
  },
  { name: "layer norm", batch: 2, time: 4, nInput: 3, nCell: 5, nOutput: 5, layerNorm: true },
  {
    name: "everything: CIFG, peephole, projection, layer norm, time major",
    batch: 2,
    time: 3,
    nInput: 4,
    nCell: 6,
    nOutput: 3,
    cifg: true,
    peephole: true,
    projection: "bias",
    layerNorm: true,
    timeMajor: true,
  },
  {
    name: "hybrid, symmetric rows",
    batch: 2,
    time: 4,
    nInput: 5,
    nCell: 6,
    nOutput: 6,
    hybrid: "symmetric",
  },
  {
    name: "hybrid, asymmetric rows, peephole",
    batch: 2,
    time: 4,
    nInput: 5,
    nCell: 6,
    nOutput: 6,
    peephole: true,
    hybrid: "asymmetric",
  },
  {
    name: "hybrid, CIFG, layer norm, time major",
    batch: 2,
    time: 3,
    nInput: 4,
    nCell: 5,
    nOutput: 5,
    cifg: true,
    layerNorm: true,
    timeMajor: true,
    hybrid: "asymmetric",
  },
  {
    name: "RELU activation",
    batch: 1,
    time: 4,
    nInput: 3,
    nCell: 4,
    nOutput: 4,
    activation: "RELU",
  },
];

function lstmModel(c: Case, seed: number): Model {
  const rnd = mulberry32(seed);
  const values = (n: number, scale: number): Float32Array =>
    Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  const tensors: TensorSpec[] = [];
  const add = (t: TensorSpec | null): number => {
    if (t === null) return -1;
    tensors.push(t);
    return tensors.length - 1;
  };
  const constant = (shape: number[], scale = 0.6): TensorSpec => ({
    dtype: "float32",
    shape,
    data: values(
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
  });
  /** A weight: float32, or for hybrid cases int8 in [−127, 127] with scale 0.6/127. */
  const weight = (shape: number[]): TensorSpec => {
    if (c.hybrid === undefined) return constant(shape);
    const n = shape.reduce((a, b) => a * b, 1);
    const q = Int8Array.from({ length: n }, () => Math.round((rnd() * 2 - 1) * 127));
    return { dtype: "int8", shape, data: q, quant: [0.6 / 127, 0] };
  };
  const inShape = c.timeMajor ? [c.time, c.batch, c.nInput] : [c.batch, c.time, c.nInput];
  const inputs: number[] = [add({ dtype: "float32", shape: inShape, name: "x" })];
  for (let k = 0; k < 4; k++)
    inputs.push(add(c.cifg && k === 0 ? null : constant([c.nCell, c.nInput])));
  for (let k = 0; k < 4; k++)
    inputs.push(add(c.cifg && k === 0 ? null : constant([c.nCell, c.nOutput])));
  for (let k = 0; k < 3; k++) {
    inputs.push(add(c.peephole && !(c.cifg && k === 0) ? constant([c.nCell]) : null));
  }
  for (let k = 0; k < 4; k++) inputs.push(add(c.cifg && k === 0 ? null : constant([c.nCell], 0.3)));
  inputs.push(add(c.projection ? weight([c.nOutput, c.nCell]) : null));
  inputs.push(add(c.projection === "bias" ? constant([c.nOutput], 0.2) : null));
  inputs.push(add({ dtype: "float32", shape: [c.batch, c.nOutput], variable: true, name: "h" }));
  inputs.push(add({ dtype: "float32", shape: [c.batch, c.nCell], variable: true, name: "c" }));
  for (let k = 0; k < 4; k++) {
    inputs.push(add(c.layerNorm && !(c.cifg && k === 0) ? constant([c.nCell], 1) : null));
  }
  const outShape = c.timeMajor ? [c.time, c.batch, c.nOutput] : [c.batch, c.time, c.nOutput];
  const output = add({ dtype: "float32", shape: outShape, name: "y" });
  return buildModel(
    tensors,
    [
      {
        op: "UNIDIRECTIONAL_SEQUENCE_LSTM",
        inputs,
        outputs: [output],
        options: {
          type: "UnidirectionalSequenceLSTMOptions",
          fusedActivationFunction: c.activation ?? "TANH",
          cellClip: c.cellClip ?? 0,
          projClip: c.projClip ?? 0,
          timeMajor: c.timeMajor ?? false,
          asymmetricQuantizeInputs: c.hybrid === "asymmetric",
          diagonalRecurrentTensors: false,
        },
      },
    ],
    { inputs: [0], outputs: [output] },
  );
}

describe(
  "UNIDIRECTIONAL_SEQUENCE_LSTM one-op models vs LiteRT BUILTIN_REF",
  { skip: !liteRTAvailable() },
  () => {
    CASES.forEach((c, caseIndex) => {
      test(c.name, async () => {
        const model = lstmModel(c, 100 + caseIndex);
        const it = new Interpreter({ model });
        it.allocateTensors();
        const [inDetails] = it.getInputDetails();
        const [outDetails] = it.getOutputDetails();
        assert.ok(inDetails !== undefined && outDetails !== undefined);
        const invokes = 4;
        const rnd = mulberry32(7 + caseIndex);
        const size = inDetails.shape.reduce((a, b) => a * b, 1);
        const xs = Float32Array.from({ length: invokes * size }, () => rnd() * 4 - 2);
        const ours: Float32Array[] = [];
        for (let i = 0; i < invokes; i++) {
          // Three invokes carry the state; the fourth starts again from zero.
          if (i === 3) it.resetAllVariables();
          it.setTensor(inDetails.index, xs.subarray(i * size, (i + 1) * size));
          it.invoke();
          const y = it.getTensor(outDetails.index).data;
          assert.ok(y instanceof Float32Array);
          ours.push(y);
        }
        const stacked: NDArray = {
          data: xs,
          shape: [invokes * (inDetails.shape[0] ?? 1), ...inDetails.shape.slice(1)],
          dtype: "float32",
        };
        const theirs = await runLiteRT(writeModel(model), [stacked], { resetEvery: 3 });
        const [ref] = theirs.outputs;
        assert.ok(ref !== undefined && ref.data instanceof Float32Array);
        const outSize = outDetails.shape.reduce((a, b) => a * b, 1);
        ours.forEach((y, i) => {
          const r: NDArray = {
            data: ref.data.slice(i * outSize, (i + 1) * outSize),
            shape: outDetails.shape,
            dtype: "float32",
          };
          assertParity(
            { data: y, shape: outDetails.shape, dtype: "float32" },
            r,
            `${c.name}, invoke ${i}`,
          );
        });
      });
    });
  },
);
