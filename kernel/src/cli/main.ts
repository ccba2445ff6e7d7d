#!/usr/bin/env node
/**
 * `tsquant` — the command line: `tsquant <command> [options]`. Every error on bad input exits
 * with status 1 and one line naming what is wrong; `--help` works on every command.
 */
import { TsquantError } from "../errors";
import { helpText, parseArgs } from "./args";
import { COMMANDS } from "./commands";

function overview(): string {
  const rows = Object.entries(COMMANDS).map(
    ([name, c]) => `  ${name.padEnd(10)} ${c.about.split("\n")[0]}`,
  );
  return `Usage: tsquant <command> [options]\n\nCommands:\n${rows.join("\n")}\n\nRun tsquant <command> --help for a command's options.\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(overview());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(
      `tsquant: unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(", ")}\n`,
    );
    return 1;
  }
  try {
    const parsed = parseArgs(name, rest, command.flags);
    if (parsed.flags.get("help") === true) {
      process.stdout.write(helpText(command.usage, command.about, command.flags));
      return 0;
    }
    return await command.run(
      parsed,
      (line) => process.stdout.write(`${line}\n`),
      (line) => process.stderr.write(`${line}\n`),
    );
  } catch (e) {
    // One line: the typed error's message (which names the file, tensor or op), no stack.
    const message =
      e instanceof TsquantError
        ? `${e.name}: ${e.message}`
        : e instanceof Error
          ? `${e.name}: ${e.message}`
          : String(e);
    process.stderr.write(`tsquant ${name}: ${message.split("\n")[0]}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tsquant: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
