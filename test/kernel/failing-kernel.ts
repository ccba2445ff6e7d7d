/**
 * A TsquantKernel whose set-up and executor throw on demand, for the reply guarantee of issue
 * #6: the real protocol layer (sockets, signing, queue, replies), with an executor that throws
 * when the code says `executor-throws` and a lazy set-up (the prelude hook, awaited before the
 * request is handled) that rejects when it says `setup-throws`. Other code "runs" and succeeds.
 * Started by failures.test.ts as `node --import tsx failing-kernel.ts --config-path <file>`.
 */
import * as tslabJupyter from "tslab/dist/jupyter";
import type { Executor } from "tslab/dist/executor";
import { TsquantKernel } from "../../kernel/src/jupyter/kernel";

const configPath = process.argv[process.argv.indexOf("--config-path") + 1] ?? "";
const executor: Executor = {
  execute: (src: string) => {
    if (src.includes("executor-throws")) throw new TypeError("executor exploded");
    return Promise.resolve(true);
  },
  inspect: () => {
    throw new Error("no inspection here");
  },
  complete: () => {
    throw new Error("no completion here");
  },
  reset: () => undefined,
  interrupt: () => undefined,
  locals: {},
  close: () => undefined,
};
const log = (line: string): void => void process.stderr.write(`[failing kernel] ${line}\n`);
const kernel = new TsquantKernel(
  new tslabJupyter.JupyterHandlerImpl(executor, false),
  configPath,
  executor,
  { implementationVersion: "0", languageVersion: "0", banner: "failing kernel" },
  log,
);
void (async () => {
  await kernel.init();
  kernel.startUp(() => Promise.resolve());
  kernel.lazySetup(
    (code) =>
      code.includes("setup-throws")
        ? Promise.reject(new RangeError("set-up exploded"))
        : Promise.resolve(),
    () => Promise.resolve(),
  );
})();
