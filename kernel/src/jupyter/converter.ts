/**
 * tslab's TypeScript converter with two defects of tslab 1.0.22 fixed (issue #6).
 *
 * 1. "Unexpected pending rebuildTimer". tslab gives TypeScript's watch program a fake
 *    `setTimeout` that holds one timer and throws on a second; it fires that timer itself, in
 *    `convert`, right after telling the watcher that the cell changed. TypeScript keeps two
 *    timers, though: the program update and the re-resolution of failed module lookups. When a
 *    file the program watches changes between two cells (a rebuilt `kernel/dist/*.d.ts`, a
 *    touched `package.json`, a new file beside an imported one), the watcher schedules the
 *    second; the next cell's program update then throws, no cell runs any more, and the throw
 *    escaped the execute request. `SerialTimers` below lets every timer be scheduled: tslab still
 *    sees one, whose callback runs all that are due, in the order they were set (timers set
 *    while they run join the same run).
 *
 * 2. Shorthand properties. tslab rewrites a reference to an earlier cell's declaration `rows`
 *    to `exports.rows`, but not the name of a shorthand property (`{ rows }`: the checker gives
 *    the property's symbol there), so `{ rows }` became a ReferenceError. `expandShorthands`
 *    writes such properties out (`{ rows: rows }`) before tslab compiles the cell.
 */
import { createRequire } from "node:module";
import type * as TS from "typescript";
import {
  createConverter,
  type Converter,
  type ConverterOptions,
  type DiagnosticPos,
} from "tslab/dist/converter";

type Timer = { readonly id: number };
type SetTimeout = (
  callback: (...args: unknown[]) => void,
  ms?: number,
  ...args: unknown[]
) => unknown;
type ClearTimeout = (handle: unknown) => void;

/**
 * Many timers over a host that allows one pending timer at a time (tslab's fake `setTimeout`).
 *
 * The host timer is armed when the first timer is set and no host timer is pending; when it
 * fires, every timer set so far runs in order, and timers set meanwhile run in the same flush.
 * Clearing a timer removes it; clearing the last one clears the host timer. Degenerate case: a
 * timer whose callback throws leaves the rest queued and the host timer counted as pending (tslab
 * does not reset its own after a throw), so the next flush runs them.
 */
export class SerialTimers {
  private readonly queue: { timer: Timer; run: () => void }[] = [];
  private hostTimer: unknown = null;
  private flushing = false;
  private nextId = 1;

  constructor(
    private readonly hostSet: SetTimeout,
    private readonly hostClear: ClearTimeout,
  ) {}

  readonly setTimeout = (
    callback: (...args: unknown[]) => void,
    ms?: number,
    ...args: unknown[]
  ): Timer => {
    const timer: Timer = { id: this.nextId++ };
    this.queue.push({ timer, run: () => callback(...args) });
    if (!this.flushing && this.hostTimer === null) {
      this.hostTimer = this.hostSet(() => this.flush(), ms);
    }
    return timer;
  };

  readonly clearTimeout = (handle: unknown): void => {
    const i = this.queue.findIndex((e) => e.timer === handle);
    if (i < 0) return;
    this.queue.splice(i, 1);
    if (this.queue.length === 0 && !this.flushing && this.hostTimer !== null) {
      const host = this.hostTimer;
      this.hostTimer = null;
      this.hostClear(host);
    }
  };

  /** How many timers wait for the next flush. */
  get pending(): number {
    return this.queue.length;
  }

  private flush(): void {
    this.flushing = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) e.run();
    } finally {
      this.flushing = false;
    }
    this.hostTimer = null;
  }
}

/** tslab's own TypeScript (5.0.4, `@tslab/typescript-for-tslab`): the instance its converter uses. */
export function tslabTypeScript(): typeof TS {
  const fromTslab = createRequire(require.resolve("tslab/dist/converter"));
  return fromTslab("@tslab/typescript-for-tslab") as typeof TS;
}

/**
 * `createConverter` with serial timers: while tslab builds its converter, assignments of
 * `setTimeout` / `clearTimeout` to its `Object.create(ts.sys)` go through accessors on `ts.sys`
 * that install `SerialTimers` over tslab's functions; `ts.sys` is restored afterwards.
 * A convert that throws anyway is retried once (the throw is logged), so the cell runs.
 */
export function createFixedConverter(
  options: ConverterOptions,
  log: (line: string) => void = () => undefined,
): Converter {
  const ts = tslabTypeScript();
  const sys = ts.sys as unknown as Record<string, unknown>;
  const saved = {
    setTimeout: Object.getOwnPropertyDescriptor(sys, "setTimeout"),
    clearTimeout: Object.getOwnPropertyDescriptor(sys, "clearTimeout"),
  };
  const hosts = new WeakMap<
    object,
    { set?: SetTimeout; clear?: ClearTimeout; timers?: SerialTimers }
  >();
  const install = (target: object): void => {
    const h = hosts.get(target);
    if (h?.set === undefined || h.clear === undefined || h.timers !== undefined) return;
    const timers = new SerialTimers(h.set, h.clear);
    h.timers = timers;
    for (const [name, value] of [
      ["setTimeout", timers.setTimeout],
      ["clearTimeout", timers.clearTimeout],
    ] as const)
      Object.defineProperty(target, name, { value, writable: true, configurable: true });
  };
  const accessor = (name: "set" | "clear"): PropertyDescriptor => ({
    configurable: true,
    get(this: object): unknown {
      const own = name === "set" ? saved.setTimeout : saved.clearTimeout;
      return own?.value;
    },
    set(this: object, fn: unknown): void {
      const h = hosts.get(this) ?? {};
      if (typeof fn === "function") {
        if (name === "set") h.set = fn as SetTimeout;
        else h.clear = fn as ClearTimeout;
      }
      hosts.set(this, h);
      // Until both are known, the assigned function itself serves.
      Object.defineProperty(this, name === "set" ? "setTimeout" : "clearTimeout", {
        value: fn,
        writable: true,
        configurable: true,
      });
      install(this);
    },
  });
  let inner: Converter;
  try {
    Object.defineProperty(sys, "setTimeout", accessor("set"));
    Object.defineProperty(sys, "clearTimeout", accessor("clear"));
    inner = createConverter(options);
  } finally {
    for (const name of ["setTimeout", "clearTimeout"] as const) {
      const d = saved[name];
      if (d !== undefined) Object.defineProperty(sys, name, d);
      else Reflect.deleteProperty(sys, name);
    }
  }
  const convert: Converter["convert"] = (prevDecl, src) => {
    const { code, inserted } = expandShorthandsMapped(ts, src, prevDecl);
    let result: ReturnType<Converter["convert"]>;
    try {
      result = inner.convert(prevDecl, code);
    } catch (e) {
      log(
        `convert failed, retrying once: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
      result = inner.convert(prevDecl, code);
    }
    if (inserted.length > 0) {
      // Diagnostics point into the cell as the user wrote it (those of other files stay).
      for (const d of result.diagnostics) {
        if (d.fileName !== undefined) continue;
        d.start = originalPosition(src, inserted, d.start);
        d.end = originalPosition(src, inserted, d.end);
      }
    }
    return result;
  };
  return {
    close: () => inner.close(),
    convert,
    inspect: (prevDecl, src, position) => inner.inspect(prevDecl, src, position),
    complete: (prevDecl, src, position) => inner.complete(prevDecl, src, position),
    addModule: (name, content, meta) => inner.addModule(name, content, meta),
  };
}

/** The names an earlier cell declared: top-level declarations of tslab's `__prev__.d.ts`. */
export function declaredNames(ts: typeof TS, prevDecl: string): Set<string> {
  const names = new Set<string>();
  const sf = ts.createSourceFile("__prev__.d.ts", prevDecl, ts.ScriptTarget.Latest, false);
  const add = (name: TS.Node | undefined): void => {
    if (name === undefined) return;
    if (ts.isIdentifier(name)) names.add(name.text);
    else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name))
      for (const el of name.elements) if (!ts.isOmittedExpression(el)) add(el.name);
  };
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) add(d.name);
    else if (
      ts.isFunctionDeclaration(s) ||
      ts.isClassDeclaration(s) ||
      ts.isEnumDeclaration(s) ||
      ts.isModuleDeclaration(s)
    )
      add(s.name);
    else if (ts.isImportDeclaration(s)) {
      const c = s.importClause;
      add(c?.name);
      const b = c?.namedBindings;
      if (b !== undefined) {
        if (ts.isNamespaceImport(b)) add(b.name);
        else for (const el of b.elements) add(el.name);
      }
    } else if (ts.isImportEqualsDeclaration(s)) add(s.name);
  }
  return names;
}

/**
 * `src` with every shorthand property `{ name }` (or `{ name = init }` in a destructuring
 * assignment) whose name an earlier cell declared written out as `{ name: name }`. Both forms
 * mean the same everywhere, also where a local shadows the name. `inserted` lists where text
 * went in (offsets in `src`, ascending), for `originalPosition`. Degenerate case: no such
 * property (or no earlier declarations) returns `src` itself and no insertions.
 */
export function expandShorthandsMapped(
  ts: typeof TS,
  src: string,
  prevDecl: string,
): { code: string; inserted: { at: number; length: number }[] } {
  if (prevDecl.trim() === "") return { code: src, inserted: [] };
  const names = declaredNames(ts, prevDecl);
  if (names.size === 0) return { code: src, inserted: [] };
  const sf = ts.createSourceFile("__tslab__.ts", src, ts.ScriptTarget.Latest, true);
  const ends: { end: number; name: string }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isShorthandPropertyAssignment(node) && names.has(node.name.text))
      ends.push({ end: node.name.end, name: node.name.text });
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let code = "";
  let at = 0;
  const inserted: { at: number; length: number }[] = [];
  for (const { end, name } of ends.sort((a, b) => a.end - b.end)) {
    const text = `: ${name}`;
    code += src.slice(at, end) + text;
    inserted.push({ at: end, length: text.length });
    at = end;
  }
  return { code: code + src.slice(at), inserted };
}

/** `expandShorthandsMapped(...).code`. */
export function expandShorthands(ts: typeof TS, src: string, prevDecl: string): string {
  return expandShorthandsMapped(ts, src, prevDecl).code;
}

/**
 * A position in the expanded cell mapped back to `src`: offset o → o − Σ lengths inserted
 * before it (a position inside inserted text maps to where it went in); the line is unchanged
 * (no insertion has a newline) and the character is recomputed from the line's start in `src`.
 */
export function originalPosition(
  src: string,
  inserted: readonly { at: number; length: number }[],
  pos: DiagnosticPos,
): DiagnosticPos {
  let shift = 0;
  for (const ins of inserted) {
    const expandedAt = ins.at + shift;
    if (pos.offset <= expandedAt) break;
    if (pos.offset < expandedAt + ins.length) {
      // Inside the inserted text: where it went in.
      shift = pos.offset - ins.at;
      break;
    }
    shift += ins.length;
  }
  const offset = pos.offset - shift;
  const lineStart = offset === 0 ? 0 : src.lastIndexOf("\n", offset - 1) + 1;
  return { offset, line: pos.line, character: offset - lineStart };
}
