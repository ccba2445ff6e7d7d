#!/usr/bin/env node
// `npm start`: JupyterLab from the project venv, on notebooks/. Arguments after `npm start --`
// go to `jupyter lab` (e.g. `npm start -- --no-browser --port 9999`). Adds --no-browser when there
// is no display to open a browser on, and --allow-root when run as root (as in containers). The
// server config (read-only extension manager, no news or update checks) is jupyter-config/, which
// the set-up copied into the venv's etc/jupyter. Prints the URL with its token once serving.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const venv = process.env.TSQUANT_VENV || join(root, ".venv");
const jupyterLab = join(venv, "bin", "jupyter-lab");
const notebooks = join(root, "notebooks");

if (!existsSync(jupyterLab)) {
  console.error(
    `\ntsquant start: JupyterLab is not installed: ${jupyterLab} is missing. Run \`npm install\` ` +
      "(or `npm run setup`) in the repository first; it creates the project venv with JupyterLab " +
      "(see the README for what it needs: Python >= 3.10 with python3-venv).\n",
  );
  process.exit(1);
}

const args = process.argv.slice(2);
const has = (...flags) => args.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)));

// Linux and BSD browsers need an X11 or Wayland display; macOS and Windows always have one.
const headless =
  process.platform !== "darwin" &&
  process.platform !== "win32" &&
  !process.env.DISPLAY &&
  !process.env.WAYLAND_DISPLAY;
if (headless && !has("--no-browser", "--ServerApp.open_browser")) args.push("--no-browser");
if (process.getuid?.() === 0 && !has("--allow-root", "--ServerApp.allow_root")) {
  args.push("--allow-root");
}
if (!has("--notebook-dir", "--ServerApp.root_dir", "--root-dir")) {
  // git does not keep empty folders: a fresh clone may have no notebooks/ yet.
  mkdirSync(notebooks, { recursive: true });
  args.push(`--ServerApp.root_dir=${notebooks}`);
}

console.log(`tsquant start: ${jupyterLab} ${args.join(" ")}`);
const child = spawn(jupyterLab, args, {
  cwd: root,
  stdio: ["inherit", "inherit", "pipe"],
  env: { ...process.env, VIRTUAL_ENV: venv, PATH: `${join(venv, "bin")}:${process.env.PATH}` },
});

// Jupyter logs to stderr; pass it through, and restate the first URL with a token on its own.
let announced = false;
let pending = "";
child.stderr.on("data", (chunk) => {
  process.stderr.write(chunk);
  if (announced) return;
  pending += String(chunk);
  const url = /https?:\/\/(?:localhost|127\.0\.0\.1)\S*\/lab(?:\?token=\w+)?/.exec(pending);
  if (url) {
    announced = true;
    console.log(`\ntsquant: JupyterLab is serving ${notebooks} at\n\n    ${url[0]}\n`);
  }
  pending = pending.slice(-4096);
});

// Ctrl-C reaches Jupyter directly (same process group; it asks to confirm, or stops on a second
// one): wait for it to exit. A SIGTERM sent to this process alone is passed on.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("error", (e) => {
  console.error(`tsquant start: cannot run ${jupyterLab}: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
