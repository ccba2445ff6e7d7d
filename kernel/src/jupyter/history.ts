/**
 * The kernel's input history for `history_request` (tail, range, search), kept in memory for
 * the life of the kernel process: one session, numbered 1, whose lines are execution counts.
 */

/** The session number this kernel reports (history is not kept across restarts). */
export const HISTORY_SESSION = 1;

interface Entry {
  line: number;
  input: string;
  /** The text/plain of the execute_result, or null. */
  output: string | null;
}

/** `[session, line, input]`, or `[session, line, [input, output]]` when output was asked for. */
export type HistoryItem = [number, number, string | [string, string | null]];

/** A glob as IPython's history search takes it: `*` any run, `?` one character, else literal. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (c) =>
    c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : `\\${c}`,
  );
  return new RegExp(`^${body}$`);
}

export class History {
  private readonly entries: Entry[] = [];

  add(line: number, input: string, output: string | null): void {
    this.entries.push({ line, input, output });
  }

  /** Answer a history_request's content (hist_access_type tail | range | search). */
  query(request: Record<string, unknown>): HistoryItem[] {
    const withOutput = request["output"] === true;
    const n = typeof request["n"] === "number" && request["n"] >= 0 ? request["n"] : null;
    let picked: Entry[];
    switch (request["hist_access_type"]) {
      case "tail":
        picked = n === null ? this.entries.slice(-10) : n === 0 ? [] : this.entries.slice(-n);
        break;
      case "range": {
        // Session 0 and negative sessions are relative to the current one (IPython's rule); only
        // the current session exists here.
        const session = typeof request["session"] === "number" ? request["session"] : 0;
        if (session > 0 && session !== HISTORY_SESSION) return [];
        if (session < 0) return [];
        const start = typeof request["start"] === "number" ? request["start"] : 0;
        const stop =
          typeof request["stop"] === "number" ? request["stop"] : Number.POSITIVE_INFINITY;
        picked = this.entries.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case "search": {
        const re = globToRegExp(typeof request["pattern"] === "string" ? request["pattern"] : "*");
        let found = this.entries.filter((e) => re.test(e.input));
        if (request["unique"] === true) {
          // Keep the latest occurrence of each input, in order.
          const seen = new Set<string>();
          found = found
            .reverse()
            .filter((e) => !seen.has(e.input) && seen.add(e.input) !== undefined)
            .reverse();
        }
        picked = n === null ? found : n === 0 ? [] : found.slice(-n);
        break;
      }
      default:
        return [];
    }
    return picked.map((e) => [HISTORY_SESSION, e.line, withOutput ? [e.input, e.output] : e.input]);
  }
}
