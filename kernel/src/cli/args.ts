/**
 * A small argument parser for the `tsquant` CLI: `--flag value`, `--flag=value`, `-o value`,
 * boolean flags, and positionals. Unknown flags and missing values are `UsageError`s, which
 * `main` prints as one line.
 */
import { UsageError } from "../errors";

export interface FlagSpec {
  /** Takes a value (default) or is a boolean switch. */
  boolean?: boolean;
  /** A one-letter alias, e.g. "o" for `-o`. */
  alias?: string;
  help: string;
}

export interface Parsed {
  positionals: string[];
  /** Each flag's last value. */
  flags: Map<string, string | true>;
  /** Every value of each valued flag, in order (for flags that may be repeated). */
  lists: Map<string, string[]>;
}

/** A subcommand: its usage line, one-line description, flags and body (returns the exit code). */
export interface Command {
  usage: string;
  about: string;
  flags: Record<string, FlagSpec>;
  run(p: Parsed, out: (line: string) => void, progress: (line: string) => void): Promise<number>;
}

export function parseArgs(
  command: string,
  argv: readonly string[],
  spec: Record<string, FlagSpec>,
): Parsed {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const byAlias = new Map(
    Object.entries(spec).flatMap(([k, s]) => (s.alias ? [[s.alias, k]] : [])),
  );
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      flags.set("help", true);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      inline = eq >= 0 ? a.slice(eq + 1) : undefined;
    } else if (a.startsWith("-") && a.length === 2 && !/^-\d/.test(a)) {
      name = byAlias.get(a.slice(1));
      if (name === undefined)
        throw new UsageError(`${command}: unknown option ${a} (see tsquant ${command} --help)`);
    } else {
      positionals.push(a);
      continue;
    }
    const s = spec[name];
    if (s === undefined)
      throw new UsageError(`${command}: unknown option --${name} (see tsquant ${command} --help)`);
    if (s.boolean === true) {
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${command}: option --${name} needs a value`);
    flags.set(name, value);
    lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  return { positionals, flags, lists };
}

/** The value of a flag as a string (undefined when absent). */
export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

/** Every value of a repeatable flag, in order (empty when absent). */
export function all(p: Parsed, name: string): string[] {
  return p.lists.get(name) ?? [];
}

/** The value of a flag as a finite number, or `fallback`. */
export function num(
  command: string,
  p: Parsed,
  name: string,
  fallback?: number,
): number | undefined {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`${command}: --${name} expects a number, got '${v}'`);
  return n;
}

/** One of `choices`, or `fallback`. */
export function choice<T extends string>(
  command: string,
  p: Parsed,
  name: string,
  choices: readonly T[],
  fallback?: T,
): T | undefined {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const hit = choices.find((c) => c === v);
  if (hit === undefined)
    throw new UsageError(`${command}: --${name} must be one of ${choices.join(", ")}; got '${v}'`);
  return hit;
}

export function helpText(usage: string, about: string, spec: Record<string, FlagSpec>): string {
  const rows = Object.entries(spec).map(([k, s]) => {
    const left = `${s.alias ? `-${s.alias}, ` : "    "}--${k}${s.boolean ? "" : " VALUE"}`;
    return `  ${left.padEnd(28)} ${s.help}`;
  });
  return `Usage: ${usage}\n\n${about}\n\nOptions:\n${rows.join("\n")}\n      --help                   show this help\n`;
}
