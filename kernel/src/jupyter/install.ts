/**
 * Install and uninstall the tsquant kernelspec (and the prebuilt JupyterLab extension) into a
 * Jupyter environment — what `tsquant install` / `tsquant uninstall` and the set-up call.
 *
 * Where (the same choices as `jupyter kernelspec install`):
 * - `prefix: P` → `P/share/jupyter/kernels/tsquant` (a venv or conda env given by path);
 * - `sysPrefix: true` → the same under the `sys.prefix` of `python` (default: `$VIRTUAL_ENV`,
 *   else `python3` on PATH) — the environment JupyterLab runs from;
 * - `user: true` (the default) → the per-user Jupyter data dir (`$JUPYTER_DATA_DIR`, else
 *   `~/.local/share/jupyter` on Linux, `~/Library/Jupyter` on macOS, `%APPDATA%\jupyter` on
 *   Windows).
 *
 * The kernelspec's argv is `node <abs>/dist/jupyter/main.js --config-path {connection_file}`
 * with the absolute path of the node running the installer, so the kernel starts whatever PATH
 * Jupyter has. Idempotent: installing again replaces the folders.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../errors";

/** The kernel's name: the kernelspec folder, and `metadata.kernelspec.name` in notebooks. */
export const KERNEL_NAME = "tsquant";
/** The tsquant package folder (kernel/): dist/jupyter/install.js → ../.. */
export const PACKAGE_DIR = resolve(__dirname, "..", "..");
const KERNELSPEC_DIR = join(PACKAGE_DIR, "kernelspec");
const LABEXTENSION_INSTALLER = join(PACKAGE_DIR, "..", "labextension", "scripts", "install.mjs");

export interface InstallOptions {
  /** Per-user install (the default when neither `sysPrefix` nor `prefix` is given). */
  user?: boolean;
  /** Into the `sys.prefix` of `python` (a venv or conda env running JupyterLab). */
  sysPrefix?: boolean;
  /** Into `<prefix>/share/jupyter`. */
  prefix?: string;
  /** The Python whose sys.prefix `sysPrefix` means (default `$VIRTUAL_ENV`, else `python3`). */
  python?: string;
  /** Also (un)install the prebuilt JupyterLab extension (default true). */
  labextension?: boolean;
  /** The node binary the kernelspec runs (default: the one running this). */
  node?: string;
}

export interface InstallResult {
  /** The kernelspec folder written or removed. */
  kernelDir: string;
  /** The labextension folder written or removed; null if skipped. */
  labextensionDir: string | null;
  /** Why the labextension was skipped, if it was. */
  note?: string;
  /** Uninstall only: whether the kernelspec was there. */
  existed?: boolean;
}

/** The Jupyter data directory of `<prefix>`. */
function prefixDataDir(prefix: string): string {
  return join(resolve(prefix), "share", "jupyter");
}

function userDataDir(): string {
  const env = process.env["JUPYTER_DATA_DIR"];
  if (env !== undefined && env !== "") return resolve(env);
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(process.env["APPDATA"] ?? homedir(), "jupyter");
  const xdg = process.env["XDG_DATA_HOME"];
  return join(
    xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".local", "share"),
    "jupyter",
  );
}

function sysPrefix(python: string | undefined): string {
  if (python === undefined) {
    const venv = process.env["VIRTUAL_ENV"];
    if (venv !== undefined && venv !== "") return resolve(venv);
  }
  const exe = python ?? "python3";
  const r = spawnSync(exe, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0 || r.stdout.trim() === "") {
    throw new UsageError(
      `install: cannot find the sys.prefix of \`${exe}\` (${r.error?.message ?? `exit ${r.status}`}); pass --prefix <dir> or --python <path>`,
    );
  }
  return r.stdout.trim();
}

interface Target {
  dataDir: string;
  /** A prefix P with P/share/jupyter = dataDir, for the labextension installer; null if none. */
  prefix: string | null;
}

function target(options: InstallOptions): Target {
  const chosen = [
    options.user === true,
    options.sysPrefix === true,
    options.prefix !== undefined,
  ].filter(Boolean);
  if (chosen.length > 1) {
    throw new UsageError("install: choose one of user, sysPrefix and prefix (found more than one)");
  }
  if (options.prefix !== undefined)
    return { dataDir: prefixDataDir(options.prefix), prefix: resolve(options.prefix) };
  if (options.sysPrefix === true) {
    const p = sysPrefix(options.python);
    return { dataDir: prefixDataDir(p), prefix: p };
  }
  const dataDir = userDataDir();
  const suffix = join("share", "jupyter");
  return {
    dataDir,
    prefix: dataDir.endsWith(suffix) ? dataDir.slice(0, -suffix.length - 1) : null,
  };
}

interface LabextensionInstaller {
  installLabextension(prefix: string): string;
  uninstallLabextension(prefix: string): boolean;
  labextensionDir(prefix: string): string;
}

/** The labextension's ESM installer, loaded with a real dynamic import (tsc would make it require). */
async function labextensionInstaller(): Promise<LabextensionInstaller | null> {
  if (!existsSync(LABEXTENSION_INSTALLER)) return null;
  const load = new Function("url", "return import(url)") as (
    url: string,
  ) => Promise<LabextensionInstaller>;
  return load(pathToFileURL(LABEXTENSION_INSTALLER).href);
}

/** The kernel.json text for this installation (absolute node and launcher paths). */
export function kernelJson(node: string = process.execPath): string {
  const template = readFileSync(join(KERNELSPEC_DIR, "kernel.json"), "utf8");
  const spec = JSON.parse(template) as { argv: string[] };
  const main = join(PACKAGE_DIR, "dist", "jupyter", "main.js");
  spec.argv = spec.argv.map((a) => (a === "@NODE@" ? node : a === "@MAIN@" ? main : a));
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/** Write the kernelspec (kernel.json + logos) and, unless told not to, the JupyterLab extension. */
export async function installKernelspec(options: InstallOptions = {}): Promise<InstallResult> {
  const t = target(options);
  const kernelDir = join(t.dataDir, "kernels", KERNEL_NAME);
  rmSync(kernelDir, { recursive: true, force: true });
  mkdirSync(kernelDir, { recursive: true });
  writeFileSync(join(kernelDir, "kernel.json"), kernelJson(options.node));
  for (const logo of ["logo-64x64.png", "logo-svg.svg"]) {
    copyFileSync(join(KERNELSPEC_DIR, logo), join(kernelDir, logo));
  }
  if (options.labextension === false) return { kernelDir, labextensionDir: null };
  const installer = await labextensionInstaller();
  if (installer === null) {
    return {
      kernelDir,
      labextensionDir: null,
      note: `no labextension installer at ${LABEXTENSION_INSTALLER}`,
    };
  }
  if (t.prefix === null) {
    return {
      kernelDir,
      labextensionDir: null,
      note: `the data dir ${t.dataDir} is not <prefix>/share/jupyter`,
    };
  }
  return { kernelDir, labextensionDir: installer.installLabextension(t.prefix) };
}

/** Remove what `installKernelspec` with the same options wrote. */
export async function uninstallKernelspec(options: InstallOptions = {}): Promise<InstallResult> {
  const t = target(options);
  const kernelDir = join(t.dataDir, "kernels", KERNEL_NAME);
  const existed = existsSync(kernelDir);
  rmSync(kernelDir, { recursive: true, force: true });
  if (options.labextension === false || t.prefix === null)
    return { kernelDir, labextensionDir: null, existed };
  const installer = await labextensionInstaller();
  if (installer === null) return { kernelDir, labextensionDir: null, existed };
  installer.uninstallLabextension(t.prefix);
  return { kernelDir, labextensionDir: installer.labextensionDir(t.prefix), existed };
}
