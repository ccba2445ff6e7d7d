#!/usr/bin/env node
// The set-up behind `npm install` (root postinstall) and `npm run setup`:
//   1. the project venv (.venv, git-ignored): Python >= 3.10, the locked packages of
//      kernel/python/requirements.txt (JupyterLab, LiteRT, jupyter-kernel-test, nbclient, numpy);
//   2. jupyter-config/ copied into the venv's etc/jupyter (read by every Jupyter run from it);
//   3. the TypeScript build of the kernel package (incremental), then the prebuilt JupyterLab
//      extension and the tsquant kernelspec installed into the venv.
// Idempotent: a stamp in the venv holds the hash of the lock and the Python version, and pip runs
// only when it changes, so a second run takes seconds. On failure it prints one paragraph saying
// what is missing and exits 1.
//
// Environment:
//   PYTHON=/path/to/python3   the interpreter that creates the venv (default: python3 on PATH)
//   TSQUANT_VENV=/path        where the venv lives (default: <repo>/.venv)
//   TSQUANT_SKIP_SETUP=1      skip the Python part (1 and 2), e.g. where Jupyter is not wanted
//   TSQUANT_SKIP_BUILD=1      skip the TypeScript build (3)
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { setInterval, clearInterval } from "node:timers";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const venv = process.env.TSQUANT_VENV || join(root, ".venv");
const venvPython = join(venv, "bin", "python");
const requirements = join(root, "kernel", "python", "requirements.txt");
const stampPath = join(venv, ".tsquant-setup.json");
const MIN_PYTHON = [3, 10];

/** A failure the user can fix; printed as one paragraph, without a stack trace. */
class SetupError extends Error {}

const rel = (p) => relative(process.cwd(), p) || ".";
const log = (msg) => console.log(`tsquant setup: ${msg}`);
const seconds = (t0) => ((Date.now() - t0) / 1000).toFixed(1);
const lastLines = (text, n) => text.trimEnd().split("\n").slice(-n).join("\n");

const SKIP_HINT =
  "(To skip the Python part, e.g. where Jupyter is not needed: TSQUANT_SKIP_SETUP=1.)";

/** `python -c ...` printing the interpreter's version, or a SetupError saying why it cannot run. */
function pythonVersion(python) {
  const r = spawnSync(python, ["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], {
    encoding: "utf8",
  });
  if (r.error) {
    const found = r.error.code === "ENOENT" ? "was not found" : `cannot be run (${r.error.code})`;
    throw new SetupError(
      `Python ${found}: tried \`${python}\`${process.env.PYTHON ? " (from PYTHON)" : " on PATH"}. ` +
        `tsquant needs Python >= ${MIN_PYTHON.join(".")} with the venv module to host JupyterLab ` +
        "and LiteRT. Install it (Debian/Ubuntu: `sudo apt-get install python3 python3-venv`) or " +
        "point PYTHON at one (`PYTHON=/usr/bin/python3.11 npm install`). " +
        SKIP_HINT,
    );
  }
  const version = /^(\d+)\.(\d+)\.(\d+)$/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !version) {
    throw new SetupError(
      `\`${python}\` did not report its version (exit ${r.status}): ` +
        `${lastLines(`${r.stdout}${r.stderr}`, 3) || "no output"}. ` +
        "Point PYTHON at a working Python >= 3.10. " +
        SKIP_HINT,
    );
  }
  return version.slice(1, 4).map(Number);
}

/** The venv works when its python runs and has pip. */
function venvUsable() {
  if (!existsSync(venvPython)) return false;
  const r = spawnSync(venvPython, ["-m", "pip", "--version"], { encoding: "utf8" });
  return !r.error && r.status === 0;
}

function createVenv(python, versionText) {
  const t0 = Date.now();
  const clear = existsSync(venv);
  log(`${clear ? "re-creating" : "creating"} ${rel(venv)} with Python ${versionText} (${python})`);
  const r = spawnSync(python, ["-m", "venv", ...(clear ? ["--clear"] : []), venv], {
    encoding: "utf8",
  });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0 || !venvUsable()) {
    // A failed `python -m venv` leaves a venv without pip behind; remove it so that the next run
    // starts clean instead of trusting it.
    rmSync(venv, { recursive: true, force: true });
    const [major, minor] = versionText.split(".");
    if (/ensurepip|No module named venv|python3(\.\d+)?-venv/.test(output)) {
      throw new SetupError(
        `Python ${versionText} (${python}) cannot create a virtual environment: its venv module ` +
          "or ensurepip is missing. On Debian/Ubuntu install them with " +
          `\`sudo apt-get install python3-venv\` (or python${major}.${minor}-venv), then run ` +
          "`npm install` again. " +
          SKIP_HINT,
      );
    }
    throw new SetupError(
      `\`${python} -m venv ${rel(venv)}\` failed (exit ${r.status}); its last lines:\n` +
        `${lastLines(output, 10) || "(no output)"}\n` +
        "Fix the above (or point PYTHON at another Python >= 3.10) and run `npm install` again.",
    );
  }
  log(`created ${rel(venv)} in ${seconds(t0)} s`);
}

/** Runs pip in the venv, printing a progress line every 15 s; resolves to its exit code. */
function pipInstall(args) {
  return new Promise((resolve) => {
    const child = spawn(venvPython, ["-m", "pip", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let current = "";
    const take = (chunk) => {
      output += chunk;
      for (const line of String(chunk).split("\n")) {
        const step = /^\s*(Collecting|Downloading|Installing|Building|Using cached)\b.*/.exec(line);
        if (step) current = step[0].trim().slice(0, 100);
      }
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    const t0 = Date.now();
    const timer = setInterval(
      () => log(`  … ${seconds(t0)} s: ${current || "pip is working"}`),
      15000,
    );
    const done = (code) => {
      clearInterval(timer);
      resolve({ code, output });
    };
    child.on("error", (e) => {
      output += String(e);
      done(-1);
    });
    child.on("close", (code) => done(code ?? -1));
  });
}

async function pythonEnvironment() {
  const python = process.env.PYTHON || "python3";
  const version = pythonVersion(python);
  const versionText = version.join(".");
  if (version[0] < MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] < MIN_PYTHON[1])) {
    throw new SetupError(
      `Python ${versionText} (${python}) is too old: tsquant needs Python >= ${MIN_PYTHON.join(".")} ` +
        "(JupyterLab 4 and LiteRT require it). Install a newer Python and point PYTHON at it " +
        "(`PYTHON=/usr/bin/python3.11 npm install`). " +
        SKIP_HINT,
    );
  }
  if (!venvUsable()) createVenv(python, versionText);

  const venvVersion = pythonVersion(venvPython).join(".");
  const lock = readFileSync(requirements);
  const stamp = {
    requirementsSha256: createHash("sha256").update(lock).digest("hex"),
    python: venvVersion,
  };
  let previous = null;
  try {
    previous = JSON.parse(readFileSync(stampPath, "utf8"));
  } catch {
    // no stamp yet (or unreadable): install
  }
  if (
    previous?.requirementsSha256 === stamp.requirementsSha256 &&
    previous?.python === stamp.python
  ) {
    log(`Python packages up to date in ${rel(venv)} (Python ${venvVersion})`);
  } else {
    const t0 = Date.now();
    log(
      `installing the Python packages of ${rel(requirements)} into ${rel(venv)} ` +
        "(first run: a few minutes) …",
    );
    const pipLog = join(venv, "pip-install.log");
    const { code, output } = await pipInstall([
      "install",
      "--disable-pip-version-check",
      "--no-input",
      "--progress-bar",
      "off",
      "-r",
      requirements,
    ]);
    writeFileSync(pipLog, output);
    if (code !== 0) {
      rmSync(stampPath, { force: true });
      throw new SetupError(
        `pip could not install the Python packages (exit ${code}). Its last lines:\n` +
          `${lastLines(output, 12)}\n` +
          `The whole output is in ${rel(pipLog)}. Check the network access to PyPI and that ` +
          `Python ${venvVersion} is supported (>= 3.10), then run \`npm install\` again. ` +
          SKIP_HINT,
      );
    }
    writeFileSync(stampPath, JSON.stringify(stamp, null, 2) + "\n");
    log(`Python packages installed in ${seconds(t0)} s`);
  }
  copyJupyterConfig();
}

/** Copies jupyter-config/** into <venv>/etc/jupyter, writing only the files that differ. */
function copyJupyterConfig() {
  const from = join(root, "jupyter-config");
  const to = join(venv, "etc", "jupyter");
  if (!existsSync(from)) return;
  let copied = 0;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const src = join(dir, name);
      const dst = join(to, relative(from, src));
      if (statSync(src).isDirectory()) {
        walk(src);
      } else if (!existsSync(dst) || !readFileSync(dst).equals(readFileSync(src))) {
        mkdirSync(dirname(dst), { recursive: true });
        copyFileSync(src, dst);
        copied++;
      }
    }
  };
  walk(from);
  if (copied > 0) log(`copied ${copied} file(s) of jupyter-config/ into ${rel(to)}`);
}

/** Newest modification time (ms) of the files under `dir` (recursively). */
function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }
  return newest;
}

function buildTypeScript() {
  const t0 = Date.now();
  // Fast path: nothing changed since the last successful build (its stamp is newer than every
  // source, the tsconfig and the installed TypeScript). tsc --incremental would find the same,
  // but only after seconds of start-up.
  const kernel = join(root, "kernel");
  const builtStamp = join(kernel, "dist", ".tsquant-build-ok");
  if (existsSync(builtStamp)) {
    const inputs = [
      join(kernel, "tsconfig.json"),
      join(root, "node_modules", "typescript", "package.json"),
    ];
    const newest = Math.max(
      newestMtime(join(kernel, "src")),
      ...inputs.filter((p) => existsSync(p)).map((p) => statSync(p).mtimeMs),
    );
    if (statSync(builtStamp).mtimeMs > newest) {
      log("kernel/dist is up to date");
      return;
    }
  }
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  } catch {
    throw new SetupError(
      "TypeScript is not installed (node_modules/typescript is missing), so the kernel package " +
        "cannot be built. Run `npm install` (with dev dependencies) in the repository root.",
    );
  }
  log("building the TypeScript (tsc -p kernel/tsconfig.json, incremental) …");
  // The build-info file lives in dist/ so that deleting dist/ also forces a full rebuild.
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "-p",
      join(root, "kernel", "tsconfig.json"),
      "--incremental",
      "--tsBuildInfoFile",
      join(root, "kernel", "dist", ".tsbuildinfo"),
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (r.status !== 0) {
    rmSync(builtStamp, { force: true });
    throw new SetupError(
      `the TypeScript build failed (tsc exit ${r.status}):\n${lastLines(`${r.stdout}${r.stderr}`, 20)}`,
    );
  }
  writeFileSync(builtStamp, `${new Date().toISOString()}\n`);
  log(`built kernel/dist in ${seconds(t0)} s`);
}

/**
 * Builds the prebuilt JupyterLab extension (labextension/dist/labextension) when its sources are
 * newer than the last build, and installs it into the venv's share/jupyter/labextensions, as a
 * pip-installed extension would land there. Needs the venv (the builder is a Python tool).
 */
async function labextension() {
  const dir = join(root, "labextension");
  if (!existsSync(join(dir, "package.json"))) return;
  const stamp = join(dir, "dist", ".tsquant-build-ok");
  const inputs = [join(dir, "src"), join(root, "style"), join(root, "kernel", "src", "display")];
  const newest = Math.max(
    ...inputs.filter((p) => existsSync(p)).map((p) => newestMtime(p)),
    statSync(join(dir, "package.json")).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs > newest) {
    log("labextension/dist is up to date");
  } else {
    const t0 = Date.now();
    log("building the JupyterLab extension (jupyter-builder) …");
    const env = { ...process.env, PATH: `${join(venv, "bin")}:${process.env.PATH ?? ""}` };
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    let r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], {
      cwd: dir,
      encoding: "utf8",
      env,
    });
    if (r.status === 0) {
      r = spawnSync(process.execPath, [join(dir, "scripts", "build.mjs")], {
        cwd: dir,
        encoding: "utf8",
        env,
      });
    }
    if (r.status !== 0) {
      rmSync(stamp, { force: true });
      throw new SetupError(
        `the JupyterLab extension build failed (exit ${r.status}):\n` +
          lastLines(`${r.stdout ?? ""}${r.stderr ?? ""}`, 20),
      );
    }
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
    log(`built labextension/dist in ${seconds(t0)} s`);
  }
  const { installLabextension } = await import(
    pathToFileURL(join(dir, "scripts", "install.mjs")).href
  );
  const dest = installLabextension(venv);
  log(`JupyterLab extension installed in ${rel(dest)}`);
}

/**
 * Installs the tsquant kernelspec (kernel.json with absolute paths, logos) into the venv's
 * share/jupyter/kernels, where the venv's Jupyter finds it. Needs the build (dist/jupyter).
 * Rewritten each run: a few small files.
 */
async function kernelspec() {
  const installer = join(root, "kernel", "dist", "jupyter", "install.js");
  if (!existsSync(installer)) return;
  const { installKernelspec } = await import(pathToFileURL(installer).href);
  const { kernelDir } = await installKernelspec({ prefix: venv, labextension: false });
  log(`tsquant kernelspec installed in ${rel(kernelDir)}`);
}

async function main() {
  const t0 = Date.now();
  const skipPython = process.env.TSQUANT_SKIP_SETUP === "1";
  if (skipPython) {
    log("TSQUANT_SKIP_SETUP=1: skipping the Python environment");
  } else {
    await pythonEnvironment();
  }
  if (process.env.TSQUANT_SKIP_BUILD === "1") {
    log("TSQUANT_SKIP_BUILD=1: skipping the build");
  } else {
    buildTypeScript();
    if (!skipPython) {
      await labextension();
      await kernelspec();
    }
  }
  log(`done in ${seconds(t0)} s`);
}

main().catch((e) => {
  if (e instanceof SetupError) {
    console.error(`\ntsquant setup failed: ${e.message}\n`);
  } else {
    console.error("tsquant setup failed unexpectedly:", e);
  }
  process.exit(1);
});
