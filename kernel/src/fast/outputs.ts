/**
 * Recycled output arrays for the fast kernels: a large Float32Array a fast kernel returned goes
 * back to a free list when tfjs disposes its tensor, and the next kernel output of that length
 * reuses it instead of allocating.
 *
 * Why: a fresh activation-sized array (1 MB for the tutorial CNN's conv output at batch 32) costs
 * about 200–250 µs on this machine — zero-filling plus a page fault per 4 kB page on first touch
 * — against about 40 µs to overwrite a reused one, and the external memory it adds triggers
 * V8 garbage collections. A training step made several.
 *
 * Safety: an array is recycled only while tsquant knows nobody else can see it. `floats(n)` hands
 * out an array marked *pending*; when a kernel gives it to the backend (`write`, which
 * `makeTensorInfo` calls) it becomes *owned*. It stops being owned — and is never recycled — when
 *   - the backend returns it to anyone (`readSync`/`read`: `dataSync()`, `data()`, `array()`,
 *     `bufferSync()`, moving data to another backend, the profiler), or
 *   - any array over the same memory is written into the backend (a stock Slice's subarray view,
 *     `tf.tensor(values)` of it) or moved there.
 * Only when the backend deletes the data (its reference count reaches zero) does an owned array
 * return to the free list. Hooks are installed on the cpu backend instance by
 * `enableFastKernels()`; `disableFastKernels()` removes them and forgets every owned array.
 */
import * as tf from "@tensorflow/tfjs";

/** Outputs smaller than this many floats are allocated normally (cheap on V8's heap). */
export const RECYCLE_MIN = 16384;
/** Free arrays kept per length, and in total bytes. */
const PER_LENGTH = 16;
const MAX_BYTES = 64 << 20;

let pending = new WeakSet<Float32Array>();
let owned = new WeakSet<Float32Array>();
let byBuffer = new WeakMap<ArrayBufferLike, Float32Array>();
const free = new Map<number, Float32Array[]>();
let freeBytes = 0;

/**
 * Int32 scratch a kernel keeps beside an output (MaxPool's argmax positions), recycled when that
 * output's data is deleted; `forget` drops the kernel's own reference first.
 */
let companions = new WeakMap<object, { values: Int32Array; forget: () => void }>();
const freeInts = new Map<number, Int32Array[]>();

/** Counters for tests and benchmarks. */
export const recycling = { reused: 0, allocated: 0, released: 0, escaped: 0 };

/** A Float32Array of n elements for a kernel's output; its contents are unspecified. */
export function floats(n: number): Float32Array {
  if (n < RECYCLE_MIN || !installed) return new Float32Array(n);
  const list = free.get(n);
  const reused = list?.pop();
  if (reused !== undefined) {
    freeBytes -= reused.byteLength;
    recycling.reused++;
    pending.add(reused);
    return reused;
  }
  const a = new Float32Array(n);
  recycling.allocated++;
  byBuffer.set(a.buffer, a);
  pending.add(a);
  return a;
}

/** An Int32Array of n elements (contents unspecified) to `attach` to an output. */
export function ints(n: number): Int32Array {
  if (n < RECYCLE_MIN || !installed) return new Int32Array(n);
  const reused = freeInts.get(n)?.pop();
  if (reused !== undefined) {
    freeBytes -= reused.byteLength;
    recycling.reused++;
    return reused;
  }
  recycling.allocated++;
  return new Int32Array(n);
}

/**
 * Recycle `values` (from `ints`, never given to tfjs) once the data of `dataId` is deleted,
 * after calling `forget` (which must drop every reference the caller keeps to it).
 */
export function attach(dataId: object, values: Int32Array, forget: () => void): void {
  if (installed !== null && values.length >= RECYCLE_MIN)
    companions.set(dataId, { values, forget });
}

/** `floats(n)` filled with zeros. */
export function zeros(n: number): Float32Array {
  const a = floats(n);
  if (n >= RECYCLE_MIN) a.fill(0);
  return a;
}

/** A copy of `src` in a `floats` array. */
export function copyOf(src: Float32Array): Float32Array {
  const a = floats(src.length);
  a.set(src);
  return a;
}

function escape(values: unknown): void {
  if (!ArrayBuffer.isView(values)) return;
  const o = byBuffer.get(values.buffer);
  if (o !== undefined && owned.has(o)) {
    owned.delete(o);
    recycling.escaped++;
  }
}

function release<T extends Float32Array | Int32Array>(a: T, lists: Map<number, T[]>): void {
  if (freeBytes + a.byteLength > MAX_BYTES) return;
  const list = lists.get(a.length) ?? [];
  if (list.length >= PER_LENGTH) return;
  list.push(a);
  lists.set(a.length, list);
  freeBytes += a.byteLength;
  recycling.released++;
}

/** The cpu backend methods the hooks wrap (MathBackendCPU of tfjs-backend-cpu 4.x). */
interface Hookable {
  data: { get(id: object): { values?: unknown } | undefined; has(id: object): boolean };
  write(values: unknown, shape: number[], dtype: string): object;
  move(id: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
  readSync(id: object): unknown;
  disposeData(id: object, force?: boolean): boolean;
}

let installed: { backend: Hookable; saved: Partial<Hookable> } | null = null;

function hookable(b: unknown): b is Hookable {
  if (typeof b !== "object" || b === null) return false;
  return ["write", "move", "readSync", "disposeData"].every(
    (m) => typeof (b as Record<string, unknown>)[m] === "function",
  );
}

export function enableRecycling(): void {
  if (installed !== null) return;
  const backend: unknown = tf.findBackend("cpu");
  if (!hookable(backend)) return;
  const { write, move, readSync, disposeData } = backend;
  installed = { backend, saved: { write, move, readSync, disposeData } };
  backend.write = function (this: Hookable, values, shape, dtype) {
    if (values instanceof Float32Array && pending.has(values)) {
      pending.delete(values);
      owned.add(values);
    } else {
      escape(values);
    }
    return write.call(this, values, shape, dtype);
  };
  backend.move = function (this: Hookable, id, values, shape, dtype, refCount) {
    escape(values);
    move.call(this, id, values, shape, dtype, refCount);
  };
  backend.readSync = function (this: Hookable, id) {
    escape(this.data.get(id)?.values);
    return readSync.call(this, id);
  };
  backend.disposeData = function (this: Hookable, id, force) {
    const values = this.data.get(id)?.values;
    const r = disposeData.call(this, id, force);
    if (this.data.has(id)) return r;
    if (values instanceof Float32Array && owned.has(values)) {
      owned.delete(values);
      release(values, free);
    }
    const c = companions.get(id);
    if (c !== undefined) {
      companions.delete(id);
      c.forget();
      release(c.values, freeInts);
    }
    return r;
  };
}

export function disableRecycling(): void {
  if (installed === null) return;
  const { backend, saved } = installed;
  const proto = Object.getPrototypeOf(backend) as Record<string, unknown>;
  for (const [name, fn] of Object.entries(saved)) {
    // Back to the prototype's method when that is what was there; else the saved own one.
    if (proto[name] === fn) delete (backend as unknown as Record<string, unknown>)[name];
    else (backend as unknown as Record<string, unknown>)[name] = fn;
  }
  installed = null;
  // Forget everything: while unhooked, escapes are not seen, so no array handed out so far may
  // ever be recycled.
  pending = new WeakSet();
  owned = new WeakSet();
  byBuffer = new WeakMap();
  companions = new WeakMap();
  free.clear();
  freeInts.clear();
  freeBytes = 0;
}
