#!/usr/bin/env node
// `npm run tutorial`: execute every bundled notebook (notebooks/0*.ipynb, in order) headlessly
// with nbclient from the project venv on the tsquant kernel, then print the side-by-side table.
//
//   npm run tutorial [-- --out DIR] [--save] [--only SUBSTRING]
//
// --out DIR   where executed copies (DIR/executed/), .tflite files, the trained float model and
//             side-by-side.{json,md} go (default notebooks/out; exported to the notebooks as
//             TSQUANT_TUTORIAL_OUT).
// --save      also copy each executed notebook back over notebooks/<name> (outputs included).
// --only S    run only the notebooks whose file name contains S (repeatable).
// --no-build  use kernel/dist as it is (default: rebuild when a kernel source is newer).
//
// Environment: TSQUANT_TUTORIAL_EPOCHS (default 5) and TSQUANT_TUTORIAL_TRAIN_IMAGES (default
// 60000) shorten training; TSQUANT_TUTORIAL_CELL_TIMEOUT (seconds, default 10800) bounds a cell.
// Exit status 1 names the failing notebook and cell.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const notebooksDir = join(root, "notebooks");
const venv = process.env.TSQUANT_VENV || join(root, ".venv");
const python = join(venv, "bin", "python");

const args = process.argv.slice(2);
let out = join(notebooksDir, "out");
let save = false;
let build = true;
const only = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--out") out = resolve(args[++i] ?? "");
  else if (a.startsWith("--out=")) out = resolve(a.slice("--out=".length));
  else if (a === "--save") save = true;
  else if (a === "--no-build") build = false;
  else if (a === "--only") only.push(args[++i] ?? "");
  else if (a === "--help" || a === "-h") {
    console.log(
      readFileSync(fileURLToPath(import.meta.url), "utf8")
        .split("\n")
        .slice(1)
        .filter((line, i, all) => all.slice(0, i + 1).every((l) => l.startsWith("//")))
        .join("\n"),
    );
    process.exit(0);
  } else {
    console.error(`tutorial: unknown argument ${a} (see --help)`);
    process.exit(2);
  }
}

function fail(message) {
  console.error(`\ntutorial: ${message}\n`);
  process.exit(1);
}

if (!existsSync(python))
  fail(`${python} is missing: run \`npm install\` (or \`npm run setup\`) first`);
const kernelSpec = join(venv, "share", "jupyter", "kernels", "tsquant", "kernel.json");
if (!existsSync(kernelSpec)) {
  fail(`the tsquant kernelspec is not installed in ${venv} (${kernelSpec}): run \`npm run setup\``);
}

// The kernel runs from kernel/dist: rebuild when any kernel source is newer.
function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}
const distMain = join(root, "kernel", "dist", "jupyter", "main.js");
if (
  !existsSync(distMain) ||
  (build && newest(join(root, "kernel", "src")) > statSync(distMain).mtimeMs)
) {
  console.log("tutorial: building kernel/dist (npm run build)");
  const b = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (b.status !== 0 && !existsSync(distMain)) fail("npm run build failed");
  // tsc still writes the files that compile; a type error elsewhere need not stop the notebooks.
  if (b.status !== 0)
    console.warn("tutorial: npm run build reported errors; running with kernel/dist as built");
}

let notebooks = readdirSync(notebooksDir)
  .filter((n) => /^\d\d-.*\.ipynb$/.test(n))
  .sort();
if (only.length) notebooks = notebooks.filter((n) => only.some((s) => n.includes(s)));
if (notebooks.length === 0) fail("no notebooks to run");

const executed = join(out, "executed");
mkdirSync(executed, { recursive: true });

// One python process per notebook: a fresh kernel each, as a reader running them one by one.
const RUNNER = String.raw`
import sys, time
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

src, dst, cwd, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb = nbformat.read(src, as_version=4)
code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
started = {}

def on_start(cell, cell_index):
    started[cell_index] = time.time()

def on_done(cell, cell_index, execute_reply):
    k = code.index(cell_index) + 1 if cell_index in code else 0
    print(f"  cell {k}/{len(code)} done in {time.time() - started.get(cell_index, time.time()):.1f} s", flush=True)

client = NotebookClient(nb, timeout=timeout, startup_timeout=180, kernel_name="tsquant",
                        resources={"metadata": {"path": cwd}},
                        on_cell_start=on_start, on_cell_executed=on_done)
try:
    client.execute()
except CellExecutionError as e:
    nbformat.write(nb, dst)
    failing = [i for i, c in enumerate(nb.cells) if any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    where = f"cell {code.index(failing[0]) + 1} (notebook cell {failing[0]})" if failing and failing[0] in code else "a cell"
    print(f"FAILED at {where}:\n{e}", file=sys.stderr, flush=True)
    sys.exit(1)
nbformat.write(nb, dst)
`;

function runNotebook(name) {
  return new Promise((resolvePromise) => {
    const child = spawn(
      python,
      [
        "-c",
        RUNNER,
        join(notebooksDir, name),
        join(executed, name),
        notebooksDir,
        process.env.TSQUANT_TUTORIAL_CELL_TIMEOUT ?? "10800",
      ],
      {
        cwd: notebooksDir,
        stdio: ["ignore", "inherit", "inherit"],
        env: {
          ...process.env,
          TSQUANT_TUTORIAL_OUT: out,
          VIRTUAL_ENV: venv,
          PATH: `${join(venv, "bin")}:${process.env.PATH}`,
        },
      },
    );
    child.on("exit", (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

const settings = `${process.env.TSQUANT_TUTORIAL_EPOCHS ?? 5} epoch(s), ${process.env.TSQUANT_TUTORIAL_TRAIN_IMAGES ?? 60000} training images`;
console.log(`tutorial: ${notebooks.length} notebook(s), ${settings}; output in ${out}`);
const t0 = Date.now();
for (const [i, name] of notebooks.entries()) {
  const t = Date.now();
  console.log(`[${i + 1}/${notebooks.length}] ${name}`);
  const code = await runNotebook(name);
  if (code !== 0) {
    fail(`${name} failed (executed copy with the error: ${join(executed, name)})`);
  }
  console.log(
    `[${i + 1}/${notebooks.length}] ${name} ok in ${((Date.now() - t) / 1000).toFixed(0)} s`,
  );
  if (save) copyFileSync(join(executed, name), join(notebooksDir, name));
}
console.log(`tutorial: all notebooks ran in ${((Date.now() - t0) / 60000).toFixed(1)} min`);

const md = join(out, "side-by-side.md");
if (existsSync(md)) {
  console.log(`\nSide by side (${join(out, "side-by-side.json")}):\n`);
  console.log(readFileSync(md, "utf8"));
}
