// The fuzz cases of the interpreter pipeline: case `c` of seed `s` is always the same bytes, so a
// failure reported as "case c" is reproduced with `makeCase(loadBases(), s, c)`.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { everyOpModel, floatDenseModel } from "../../kernel/src/tflite/testing";
import { finalizeModel } from "../../kernel/src/tflite/versions";
import { writeModel } from "../../kernel/src/tflite/writer";
import { mulberry32 } from "../../kernel/src/services/random";
import { BYTE_MUTATIONS, mutateBytes, mutateModel, randomBytes } from "./mutations";
import type { Rand } from "./mutations";

export interface Base {
  name: string;
  bytes: Uint8Array;
  model: Model;
}

/** The models every case starts from: tsquant's every-op model and the TF-made fixtures. */
export function loadBases(root: string): Base[] {
  const models: [string, Uint8Array][] = [
    ["everyOp", writeModel(finalizeModel(everyOpModel()))],
    ["floatDense", writeModel(floatDenseModel())],
  ];
  const dir = join(root, "test", "fixtures", "models");
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith(".tflite")) models.push([f, new Uint8Array(readFileSync(join(dir, f)))]);
    }
  }
  return models.map(([name, bytes]) => ({ name, bytes, model: readModel(bytes) }));
}

export interface Case {
  bytes: Uint8Array;
  /** What was done, for the failure message. */
  what: string;
  /** The PRNG that goes on to choose the inputs. */
  rand: Rand;
}

export function makeCase(bases: readonly Base[], seed: number, c: number): Case {
  const rand = mulberry32((seed * 0x9e3779b1 + c) >>> 0);
  const base = bases[c % bases.length] ?? bases[0];
  if (base === undefined) throw new Error("no fuzz bases");
  const roll = rand();
  if (roll < 0.1) return { bytes: randomBytes(rand), what: "random bytes", rand };
  if (roll < 0.55) {
    try {
      const { bytes, edits } = mutateModel(base.model, rand);
      return { bytes, what: `${base.name}; ${edits.join("; ")}`, rand };
    } catch {
      // Not even serializable (e.g. a negative index in an unsigned field): mutate bytes instead.
    }
  }
  let bytes = base.bytes;
  const applied: string[] = [];
  for (let k = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 2); k > 0; k--) {
    const kind = BYTE_MUTATIONS[Math.floor(rand() * BYTE_MUTATIONS.length)] ?? "bitflip";
    applied.push(kind);
    bytes = mutateBytes(bytes, kind, rand);
  }
  return { bytes, what: `${base.name}; bytes ${applied.join("+")}`, rand };
}
