#!/usr/bin/env node
// Install the prebuilt extension (dist/labextension, from `npm run build:labextension`) into a
// Jupyter environment, the way a pip-installed extension lands there:
//   <prefix>/share/jupyter/labextensions/tsquant-labextension/{package.json, static/, install.json}
// JupyterLab loads prebuilt extensions from there with no `jupyter lab build`.
//
//   node labextension/scripts/install.mjs [--prefix DIR] [--uninstall]
//
// DIR defaults to the project's .venv. Idempotent: an existing copy is replaced. The set-up and
// `tsquant install` can import installLabextension() / uninstallLabextension() instead.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(fileURLToPath(import.meta.url), "..", "..");
export const PACKAGE_NAME = "tsquant-labextension";
export const BUILD_DIR = join(here, "dist", "labextension");

/** The folder the extension occupies under a Jupyter prefix (a venv's sys.prefix). */
export function labextensionDir(prefix) {
  return join(resolve(prefix), "share", "jupyter", "labextensions", PACKAGE_NAME);
}

/** Copy the built extension under `prefix`; returns the folder written. */
export function installLabextension(prefix, buildDir = BUILD_DIR) {
  if (!existsSync(join(buildDir, "package.json"))) {
    throw new Error(
      `install-labextension: ${buildDir} has no package.json; build it first (npm run build:labextension)`,
    );
  }
  const dest = labextensionDir(prefix);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  cpSync(join(buildDir, "package.json"), join(dest, "package.json"));
  cpSync(join(buildDir, "static"), join(dest, "static"), { recursive: true });
  // Shown by `jupyter labextension list`; says how the extension got there and how to remove it.
  writeFileSync(
    join(dest, "install.json"),
    JSON.stringify(
      {
        packageManager: "npm",
        packageName: "tsquant",
        uninstallInstructions: "Use `tsquant uninstall`, or delete this folder",
      },
      null,
      2,
    ) + "\n",
  );
  return dest;
}

/** Remove the extension from under `prefix`; true if it was there. */
export function uninstallLabextension(prefix) {
  const dest = labextensionDir(prefix);
  const was = existsSync(dest);
  rmSync(dest, { recursive: true, force: true });
  return was;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--prefix");
  const prefix = at >= 0 && args[at + 1] ? args[at + 1] : join(here, "..", ".venv");
  try {
    if (args.includes("--uninstall")) {
      const was = uninstallLabextension(prefix);
      console.log(was ? `removed ${labextensionDir(prefix)}` : `not installed under ${prefix}`);
    } else {
      console.log(`installed ${installLabextension(prefix)}`);
    }
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
