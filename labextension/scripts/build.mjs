#!/usr/bin/env node
// Build the prebuilt extension into dist/labextension with the JupyterLab extension builder.
// `jupyter-builder` is a Python tool (PyPI jupyter_builder) that passes the JupyterLab core's
// shared package versions to the JS builder (@jupyter/builder); it comes from the project's
// .venv, else from PATH. Extra arguments are passed through (e.g. `--development True`).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = join(fileURLToPath(import.meta.url), "..", "..");
const venvBuilder = join(here, "..", ".venv", "bin", "jupyter-builder");
const builder = existsSync(venvBuilder) ? venvBuilder : "jupyter-builder";
const r = spawnSync(builder, ["build", ...process.argv.slice(2), "."], {
  cwd: here,
  stdio: "inherit",
});
if (r.error) {
  console.error(
    `build-labextension: cannot run ${builder} (${r.error.message}); create the project's .venv ` +
      "(npm run setup) or put jupyter-builder (PyPI jupyter_builder) on PATH",
  );
  process.exit(1);
}
process.exit(r.status ?? 1);
