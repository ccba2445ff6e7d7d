/**
 * The slice of the WebAssembly JS API the kernels use, typed here because the project's
 * TypeScript libs (ES2022, no DOM) do not declare the `WebAssembly` global. Undefined where the
 * engine has no WebAssembly.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  validate(bytes: Uint8Array): boolean;
}

export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi })
  .WebAssembly;
