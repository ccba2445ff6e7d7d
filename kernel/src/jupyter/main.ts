/**
 * The tsquant kernel's launcher, started by Jupyter as
 *
 *   node <tsquant>/dist/jupyter/main.js --config-path <connection file>
 *
 * It builds tslab's TypeScript converter and executor (rooted at the working directory, the
 * notebook's folder), runs the prelude through the converter — so `tq` (tsquant) and `tf`
 * (TensorFlow.js) are declared, typed, in every cell — and serves the Jupyter protocol with
 * `TsquantKernel`. tslab's own `startKernel` is not used: it has no prelude and no display hook,
 * and it would hand over to any other tslab found in node_modules above the notebook.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tslabJupyter from "tslab/dist/jupyter";
import type { Converter } from "tslab/dist/converter";
import { createExecutor, type ConverterSet, type Executor } from "tslab/dist/executor";
import { currentCell } from "../services/context";
import { createFixedConverter } from "./converter";
import { TsquantKernel } from "./kernel";

/** The tsquant package folder (kernel/): dist/jupyter/main.js → ../.. */
export const PACKAGE_DIR = join(__dirname, "..", "..");

function packageVersion(dir: string): string {
  try {
    const v: unknown = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
    return typeof v === "string" ? v : "?";
  } catch {
    return "?";
  }
}

/** The folder of an installed package, resolved as the kernel itself would load it. */
function packageDir(name: string, from = PACKAGE_DIR): string {
  return dirname(createRequire(join(from, "package.json")).resolve(`${name}/package.json`));
}

/**
 * The prelude: absolute-path imports, so TypeScript finds the packages' types from any notebook
 * folder (NODE_PATH does not help the type checker), and the same module instances as the
 * kernel's own (the display hook and `display()` share their cell context).
 */
export function preludeCode(tsquantDir: string, tfjsDir: string): string {
  return [
    `import * as tq from ${JSON.stringify(tsquantDir)};`,
    `import * as tf from ${JSON.stringify(tfjsDir)};`,
    "const display = tq.display;",
  ].join("\n");
}

/** Code that may use the prelude's names (a false positive only costs the prelude's time). */
export const PRELUDE_NAMES = /\b(tq|tf|display)\b/;

function parseArgs(argv: readonly string[]): { configPath: string; prelude: boolean } {
  let configPath = "";
  let prelude = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--config-path") configPath = argv[++i] ?? "";
    else if (a?.startsWith("--config-path=")) configPath = a.slice("--config-path=".length);
    else if (a === "--no-prelude") prelude = false;
    else if (a !== undefined && configPath === "" && a.endsWith(".json")) configPath = a;
  }
  return { configPath, prelude };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const t0 = Date.now();
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const log = (line: string): void => {
    stderrWrite(`[tsquant kernel] ${line}\n`);
  };
  const { configPath, prelude } = parseArgs(argv);
  if (configPath === "" || !existsSync(configPath)) {
    log(`usage: node main.js --config-path <connection file> (given: ${configPath || "none"})`);
    process.exit(2);
  }
  const connection: unknown = JSON.parse(readFileSync(configPath, "utf8"));
  const scheme = (connection as { signature_scheme?: unknown }).signature_scheme;
  if (scheme !== undefined && scheme !== "hmac-sha256") {
    log(`unsupported signature_scheme ${String(scheme)}; tsquant supports hmac-sha256`);
    process.exit(2);
  }

  // The converter (a TypeScript program over the notebook folder) takes seconds to build, so the
  // sockets are bound first and kernel_info is answered while it builds; execute, complete and
  // inspect requests wait for it. Until then the executor is a forwarder with nothing behind it.
  let real: Executor | null = null;
  const need = (): Executor => {
    if (real === null) throw new Error("the TypeScript executor is not ready yet");
    return real;
  };
  const executor: Executor = {
    execute: (src) => need().execute(src),
    inspect: (src, position) => need().inspect(src, position),
    complete: (src, position) => need().complete(src, position),
    reset: () => need().reset(),
    interrupt: () => real?.interrupt(),
    get locals() {
      return need().locals;
    },
    close: () => real?.close(),
  };
  const handler = new tslabJupyter.JupyterHandlerImpl(executor, false);

  const tslabDir = packageDir("tslab");
  let tsVersion = "5.0";
  try {
    tsVersion = packageVersion(packageDir("@tslab/typescript-for-tslab", tslabDir));
  } catch {
    // keep the approximate version
  }
  const version = packageVersion(PACKAGE_DIR);
  const kernel = new TsquantKernel(
    handler,
    configPath,
    executor,
    {
      implementationVersion: version,
      languageVersion: tsVersion,
      banner: `tsquant ${version}: TypeScript ${tsVersion} (tslab ${packageVersion(tslabDir)}) on Node ${process.versions.node}; tq = tsquant, tf = TensorFlow.js`,
    },
    log,
  );

  // tslab.display (users' `import * as tslab from "tslab"`) writes through this module global;
  // point it at the cell that calls it.
  (tslabJupyter as { lastWriteDisplayData: unknown }).lastWriteDisplayData = (
    data: Record<string, unknown>,
    update: boolean,
  ): void => {
    currentCell()?.publish(update ? "update_display_data" : "display_data", data);
  };

  process.on("SIGINT", () => kernel.interrupt());
  process.on("uncaughtException", (e) => {
    process.stderr.write(
      `Uncaught exception (kernel kept running): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  });
  process.on("unhandledRejection", (reason) => {
    process.stderr.write(
      `Unhandled promise rejection (kernel kept running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`,
    );
  });

  await kernel.init();
  log(`listening (${Date.now() - t0} ms after start)`);
  kernel.captureStdio();
  kernel.startUp(async () => {
    // Building the converter blocks the event loop for seconds. Clients send kernel_info first
    // (and reconnect to the new sockets within ~100 ms): answer it before blocking, but do not
    // wait more than a second for a client.
    const second = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
    await Promise.race([kernel.firstMessage, second]);
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
    let browser: Converter | null = null;
    // tslab's converter with its watch-timer and shorthand-property defects fixed (converter.ts).
    const node = createFixedConverter({ isJS: false, isBrowser: false }, log);
    const converters: ConverterSet = {
      node,
      get browser(): Converter {
        browser ??= createFixedConverter({ isJS: false, isBrowser: true }, log);
        return browser;
      },
      close() {
        node.close();
        browser?.close();
      },
    };
    real = createExecutor(
      process.cwd(),
      converters,
      TsquantKernel.console(() => kernel),
    );
    log(`TypeScript ready (${Date.now() - t0} ms after start)`);
  });
  if (!prelude) return;

  // NOTE: the prelude is lazy. Type-checking `import * as tq` / `* as tf` loads every .d.ts of
  // tsquant and TensorFlow.js (1.6 MB beyond the compiler's own libs: seconds of parsing and
  // binding), so it runs before the first request whose code names `tq`, `tf` or `display`, or
  // once the kernel has been idle for a second, whichever comes first. A cell that needs
  // neither (`1 + 1`) does not wait for it.
  let preludeRun: Promise<void> | null = null;
  const runPrelude = (): Promise<void> =>
    (preludeRun ??= (async () => {
      const started = Date.now();
      if (real === null) return;
      await kernel.runSetupCode(preludeCode(PACKAGE_DIR, packageDir("@tensorflow/tfjs")));
      const tq: unknown = real.locals["tq"];
      if (typeof tq === "object" && tq !== null) {
        // Fast training kernels, if this build of tsquant has them (another module's export).
        const enable: unknown = Reflect.get(tq, "enableFastKernels");
        if (typeof enable === "function") {
          try {
            (enable as () => unknown)();
          } catch (e) {
            log(`enableFastKernels failed: ${String(e)}`);
          }
        }
        // NOTE: tfjs's CPU backend tells Node users, on its first tensor, to install tfjs-node (a
        // native addon that downloads a binary). tsquant uses the CPU backend with its own fast
        // kernels on purpose and downloads nothing, so that advice is wrong here: mark the backend
        // as already used.
        // tf.backend() initializes the backend engine-wide (findBackend would make an instance the
        // engine replaces on first use).
        const tf: unknown = real.locals["tf"];
        const backend: unknown =
          typeof tf === "object" && tf !== null ? Reflect.get(tf, "backend") : null;
        if (typeof backend === "function") {
          const instance: unknown = (backend as () => unknown)();
          if (
            typeof instance === "object" &&
            instance !== null &&
            Reflect.get(instance, "firstUse") === true
          ) {
            Reflect.set(instance, "firstUse", false);
          }
        }
        // `display` as a true global too, for code in modules the notebook requires.
        Reflect.set(globalThis, "display", Reflect.get(tq, "display"));
      }
      log(`prelude done in ${Date.now() - started} ms (${Date.now() - t0} ms after start)`);
    })());
  kernel.lazySetup(
    (code) => (PRELUDE_NAMES.test(code) ? runPrelude() : Promise.resolve()),
    runPrelude,
  );
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(
      `[tsquant kernel] failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  });
}
