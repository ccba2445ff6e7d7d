// One fuzz case end to end: read the bytes, allocate, set every input (zeros or random values),
// invoke and read every output. The outcome is "clean", the name of the TsquantError subclass
// that stopped it, or "untyped" with the error's stack (the failures the fuzz test looks for).
import { TsquantError } from "../../kernel/src/errors";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import type { TypedArray } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import type { Rand } from "./mutations";

export type Outcome =
  | { kind: "clean"; stage: "invoke" }
  | { kind: "rejected"; stage: Stage; error: string }
  | { kind: "untyped"; stage: Stage; error: string };

export type Stage = "read" | "interpreter" | "allocate" | "setTensor" | "invoke";

function fillRandom(data: TypedArray, rand: Rand): void {
  for (let i = 0; i < data.length; i++) {
    const v = rand() * 256 - 128;
    if (data instanceof BigInt64Array) data[i] = BigInt(Math.round(v));
    else if (data instanceof Float32Array || data instanceof Float64Array) data[i] = v / 32;
    else data[i] = Math.round(v);
  }
}

export function runPipeline(bytes: Uint8Array, rand: Rand): Outcome {
  let stage: Stage = "read";
  try {
    const model = readModel(bytes);
    stage = "interpreter";
    // From the IR read above: the interpreter takes its default limits from the model's size.
    const interpreter = new Interpreter({ model });
    stage = "allocate";
    interpreter.allocateTensors();
    stage = "setTensor";
    const random = rand() < 0.5;
    for (const input of interpreter.getInputDetails()) {
      const value = interpreter.getTensor(input.index);
      if (random) fillRandom(value.data, rand);
      interpreter.setTensor(input.index, value);
    }
    stage = "invoke";
    interpreter.invoke();
    for (const output of interpreter.getOutputDetails()) interpreter.getTensor(output.index);
    return { kind: "clean", stage };
  } catch (e) {
    if (e instanceof TsquantError) return { kind: "rejected", stage, error: e.name };
    // The message and the top of the stack: enough to find the line, short enough to list many.
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return { kind: "untyped", stage, error: error.split("\n").slice(0, 4).join("\n") };
  }
}
