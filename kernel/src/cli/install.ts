/**
 * `tsquant install` / `tsquant uninstall`: the kernelspec and the prebuilt JupyterLab extension
 * into (or out of) any Jupyter environment, through `installKernelspec` / `uninstallKernelspec`.
 */
import { UsageError } from "../errors";
import {
  type InstallOptions,
  type InstallResult,
  installKernelspec,
  uninstallKernelspec,
} from "../jupyter/install";
import { type Command, type Parsed, str } from "./args";

const FLAGS = {
  user: { boolean: true, help: "the per-user Jupyter data dir (the default)" },
  "sys-prefix": {
    boolean: true,
    help: "the sys.prefix of --python (default: $VIRTUAL_ENV, else python3's)",
  },
  prefix: { help: "into PREFIX/share/jupyter (a venv or conda env given by path)" },
  python: { help: "the Python whose sys.prefix --sys-prefix means" },
  "no-labextension": { boolean: true, help: "leave the JupyterLab extension alone" },
};

function installOptions(command: string, p: Parsed): InstallOptions {
  if (p.positionals.length > 0) {
    throw new UsageError(`${command}: takes no arguments; got '${p.positionals.join(" ")}'`);
  }
  const user = p.flags.get("user") === true;
  const sysPrefix = p.flags.get("sys-prefix") === true;
  const prefix = str(p, "prefix");
  if ([user, sysPrefix, prefix !== undefined].filter(Boolean).length > 1) {
    throw new UsageError(`${command}: give at most one of --user, --sys-prefix, --prefix`);
  }
  return {
    user: user || undefined,
    sysPrefix: sysPrefix || undefined,
    prefix,
    python: str(p, "python"),
    labextension: p.flags.get("no-labextension") !== true,
  };
}

function report(verb: string, r: InstallResult, out: (line: string) => void): void {
  out(`${verb} kernelspec '${r.kernelDir}'`);
  if (r.labextensionDir) out(`${verb} JupyterLab extension '${r.labextensionDir}'`);
  if (r.note) out(r.note);
}

export const install: Command = {
  usage: "tsquant install [--user | --sys-prefix | --prefix P] [--python PY] [--no-labextension]",
  about:
    'Install the tsquant kernel ("TypeScript (tsquant)") and the prebuilt JupyterLab extension\n' +
    "into a Jupyter environment; `jupyter kernelspec list` then shows it.",
  flags: FLAGS,
  async run(p, out) {
    report("installed", await installKernelspec(installOptions("install", p)), out);
    return 0;
  },
};

export const uninstall: Command = {
  usage: "tsquant uninstall [--user | --sys-prefix | --prefix P] [--python PY] [--no-labextension]",
  about: "Remove what `tsquant install` put into a Jupyter environment.",
  flags: FLAGS,
  async run(p, out) {
    const r = await uninstallKernelspec(installOptions("uninstall", p));
    report(r.existed === false ? "nothing to remove at" : "removed", r, out);
    return 0;
  },
};
