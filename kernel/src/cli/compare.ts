/**
 * `tsquant compare FLOAT QUANT --data FILE [--overlay OUT.json]`: per-layer error of a quantized
 * model against its float model (`compareLayers`), printed as a table, and optionally written as
 * Model Explorer overlays, one file per metric (`OUT.sqnr.json`, `OUT.mse.json`,
 * `OUT.cosine.json`).
 */
import { writeFileSync } from "node:fs";
import { UsageError } from "../errors";
import { compareLayers } from "../converter/compare";
import { OVERLAY_METRICS, overlayPath } from "../converter/overlay";
import { type Command, type Parsed, all, num, str } from "./args";
import { loadInputSet } from "./data";
import { readModelFile } from "./files";

export const compare: Command = {
  usage: "tsquant compare FLOAT QUANT --data FILE [--samples N] [--overlay OUT.json] [--json]",
  about:
    "Per-layer error (SQNR, MSE, cosine) of a quantized model against its float model on the\n" +
    "same inputs; --overlay writes Model Explorer node data, one file per metric.",
  flags: {
    data: {
      help: "input samples: FILE (IDX, .npy, .npz) or NAME=FILE per input (repeatable; required)",
    },
    samples: { help: "samples to use (default 100)" },
    scale: {
      help: "multiply float inputs' values by v (default 1/255 for integer data); NAME=v per input",
    },
    offset: { help: "then add v (default 0); NAME=v per input" },
    overlay: { help: "write OUT.sqnr.json, OUT.mse.json and OUT.cosine.json for Model Explorer" },
    keys: { help: "overlay keys: quantized (default) or float tensor names" },
    json: { boolean: true, help: "print the layers as JSON" },
  },
  async run(p: Parsed, out, progress) {
    if (p.positionals.length !== 2) {
      throw new UsageError(
        `compare: expected FLOAT and QUANT models, got ${p.positionals.length} (see tsquant compare --help)`,
      );
    }
    const [floatPath, quantPath] = p.positionals;
    if (all(p, "data").length === 0) throw new UsageError("compare: --data FILE is required");
    const samples = num("compare", p, "samples", 100) ?? 100;
    if (!Number.isInteger(samples) || samples < 1)
      throw new UsageError(`compare: --samples must be a positive integer; got ${samples}`);
    const keys = str(p, "keys") ?? "quantized";
    if (keys !== "quantized" && keys !== "float")
      throw new UsageError(`compare: --keys must be quantized or float; got '${keys}'`);
    const float = readModelFile("compare", floatPath);
    const quant = readModelFile("compare", quantPath);
    const files = all(p, "data");
    const set = loadInputSet(
      "compare",
      "data",
      files,
      float.model,
      all(p, "scale"),
      all(p, "offset"),
    );
    const n = Math.min(samples, set.n);
    progress(`comparing on ${n} samples of ${files.join(", ")}`);
    const data = Array.from({ length: n }, (_, i) => set.sample(i));
    const result = await compareLayers(float.model, quant.model, data);
    const overlay = str(p, "overlay");
    if (overlay !== undefined) {
      for (const metric of OVERLAY_METRICS) {
        const path = overlayPath(overlay, metric);
        writeFileSync(path, JSON.stringify(result.overlay(metric, { keys }), null, 2));
        progress(`wrote ${path}`);
      }
    }
    if (p.flags.get("json") === true) {
      out(
        JSON.stringify(
          result.layers.map(({ sample: _sample, ...layer }) => layer),
          null,
          0,
        ),
      );
      return 0;
    }
    out(`#\top\tSQNR (dB)\tMSE\tcosine\ttensor`);
    for (const l of result.layers) {
      const sqnr = l.sqnr === null ? "inf" : l.sqnr.toFixed(2);
      const cos = l.cosine === undefined ? "-" : l.cosine.toFixed(6);
      out(`${l.index}\t${l.op}\t${sqnr}\t${l.mse.toExponential(3)}\t${cos}\t${l.name}`);
    }
    return 0;
  },
};
