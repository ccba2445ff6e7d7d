/**
 * `tsquant compare FLOAT QUANT --data FILE [--overlay OUT.json]`: per-layer error of a quantized
 * model against its float model (`compareLayers`), printed as a table, and optionally written as
 * Model Explorer overlays, one file per metric (`OUT.sqnr.json`, `OUT.mse.json`,
 * `OUT.cosine.json`).
 */
import { writeFileSync } from "node:fs";
import { UsageError } from "../errors";
import { shapeSize } from "../ir";
import { Interpreter } from "../interpreter/interpreter";
import { compareLayers } from "../converter/compare";
import { OVERLAY_METRICS, overlayPath } from "../converter/overlay";
import { type Parsed, num, str } from "./args";
import { loadImages } from "./data";
import type { Command } from "./commands";
import { readModelFile } from "./files";

export const compare: Command = {
  usage: "tsquant compare FLOAT QUANT --data FILE [--samples N] [--overlay OUT.json] [--json]",
  about:
    "Per-layer error (SQNR, MSE, cosine) of a quantized model against its float model on the\n" +
    "same inputs; --overlay writes Model Explorer node data, one file per metric.",
  flags: {
    data: { help: "input samples, IDX or .npy (required)" },
    samples: { help: "samples to use (default 100)" },
    scale: { help: "multiply sample values by this (default: 1/255 for integer data)" },
    offset: { help: "then add this (default 0)" },
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
    const dataPath = str(p, "data");
    if (dataPath === undefined) throw new UsageError("compare: --data FILE is required");
    const samples = num("compare", p, "samples", 100) ?? 100;
    if (!Number.isInteger(samples) || samples < 1)
      throw new UsageError(`compare: --samples must be a positive integer; got ${samples}`);
    const keys = str(p, "keys") ?? "quantized";
    if (keys !== "quantized" && keys !== "float")
      throw new UsageError(`compare: --keys must be quantized or float; got '${keys}'`);
    const float = readModelFile("compare", floatPath);
    const quant = readModelFile("compare", quantPath);
    const probe = new Interpreter({ model: float.model });
    probe.allocateTensors();
    const inputs = probe.getInputDetails();
    if (inputs.length !== 1) {
      throw new UsageError(
        `compare: ${floatPath} has ${inputs.length} inputs; --data holds samples for one input`,
      );
    }
    const shape = [1, ...inputs[0].shape.slice(1)];
    const perSample = shapeSize(shape);
    const images = loadImages(
      dataPath,
      perSample,
      num("compare", p, "scale"),
      num("compare", p, "offset", 0),
    );
    const n = Math.min(samples, images.n);
    progress(`comparing on ${n} samples of ${dataPath}`);
    const data = Array.from({ length: n }, (_, i) => [
      {
        data: images.data.slice(i * perSample, (i + 1) * perSample),
        shape,
        dtype: "float32" as const,
      },
    ]);
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
