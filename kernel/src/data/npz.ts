/**
 * `.npz` files: numpy's `savez` / `savez_compressed` archives, a zip of `.npy` members, each
 * stored (method 0) or deflated (method 8, inflated with node's zlib). The central directory
 * at the end of the file gives each member's name, sizes and header offset; ZIP64 fields
 * (numpy writes its members with `force_zip64`) are read where the 32-bit fields hold
 * 0xFFFFFFFF. Every member's CRC-32 is checked.
 *
 * Keys are the member names without `.npy`: the keyword names of `np.savez(f, a=…, b=…)`, or
 * `arr_0`, `arr_1` … for positional arrays.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { DataFormatError } from "../errors";
import type { NDArray } from "../ir";
import { readNpy, writeNpy } from "./npy";

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as zip uses it. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++)
    c = (crcTable[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Member {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`zip field ${v} too large`);
  return Number(v);
}

/** Parse `.npz` bytes into its arrays by key (member name without `.npy`), in archive order. */
export function readNpz(bytes: Uint8Array, name = "<npz bytes>"): Map<string, NDArray> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string): DataFormatError =>
    new DataFormatError(`${name}: not a valid .npz (zip) file: ${what}`);
  // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the end.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw bad(`no end-of-central-directory record (starts with ${head || "nothing"})`);
  }
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if (
    (count === 0xffff || dirOffset === 0xffffffff) &&
    eocd >= 20 &&
    view.getUint32(eocd - 20, true) === ZIP64_LOCATOR
  ) {
    const z = u64(view, eocd - 20 + 8);
    if (z + 56 > bytes.length || view.getUint32(z, true) !== ZIP64_EOCD)
      throw bad("bad ZIP64 end-of-central-directory record");
    count = u64(view, z + 32);
    dirOffset = u64(view, z + 48);
  }
  const members: Member[] = [];
  let at = dirOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL)
      throw bad(`central directory entry ${i} at byte ${at} is missing`);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const memberName = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    const m: Member = {
      name: memberName,
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    // ZIP64 extra field (id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in order.
    let e = at + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 1) {
        let p = e + 4;
        if (m.size === 0xffffffff) {
          m.size = u64(view, p);
          p += 8;
        }
        if (m.compressedSize === 0xffffffff) {
          m.compressedSize = u64(view, p);
          p += 8;
        }
        if (m.localOffset === 0xffffffff) m.localOffset = u64(view, p);
      }
      e += 4 + len;
    }
    members.push(m);
    at = extraEnd + commentLen;
  }
  const out = new Map<string, NDArray>();
  for (const m of members) {
    if (m.name.endsWith("/")) continue;
    const where = `${name}[${m.name}]`;
    const h = m.localOffset;
    if (h + 30 > bytes.length || view.getUint32(h, true) !== LOCAL)
      throw bad(`member '${m.name}' has no local header at byte ${h}`);
    const start = h + 30 + view.getUint16(h + 26, true) + view.getUint16(h + 28, true);
    const stored = bytes.subarray(start, start + m.compressedSize);
    if (stored.length !== m.compressedSize)
      throw bad(`member '${m.name}' is cut short (${stored.length} of ${m.compressedSize} bytes)`);
    let data: Uint8Array;
    if (m.method === 0) data = stored;
    else if (m.method === 8) {
      try {
        data = inflateRawSync(stored);
      } catch (e) {
        throw bad(
          `member '${m.name}' does not inflate (${e instanceof Error ? e.message : String(e)})`,
        );
      }
    } else {
      throw new DataFormatError(
        `${where}: compression method ${m.method}; expected 0 (stored) or 8 (deflated)`,
      );
    }
    if (data.length !== m.size)
      throw bad(`member '${m.name}' is ${data.length} bytes; its header says ${m.size}`);
    const crc = crc32(data);
    if (crc !== m.crc) {
      throw bad(
        `member '${m.name}' has CRC-32 ${crc.toString(16)}; its header says ${m.crc.toString(16)}`,
      );
    }
    out.set(m.name.replace(/\.npy$/, ""), readNpy(data, where));
  }
  return out;
}

/**
 * An `.npz` archive of `arrays` (member `<key>.npy` each): deflated as `np.savez_compressed`
 * (default) or stored as `np.savez`. Plain zip (no ZIP64): every member below 4 GiB.
 */
export function writeNpz(
  arrays: Record<string, NDArray> | Map<string, NDArray>,
  options: { compress?: boolean } = {},
): Uint8Array {
  const compress = options.compress ?? true;
  const entries = arrays instanceof Map ? [...arrays] : Object.entries(arrays);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [key, a] of entries) {
    const name = new TextEncoder().encode(`${key}.npy`);
    const raw = writeNpy(a);
    const body = compress ? deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, compress ? 8 : 0, true);
    lv.setUint16(12, 0x21, true); // DOS date 1980-01-01
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, compress ? 8 : 0, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const dirSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, EOCD, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Read an `.npz` file from disk; errors name the path. */
export function loadNpz(path: string): Map<string, NDArray> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new DataFormatError(
      `${path}: cannot read .npz file: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  return readNpz(bytes, path);
}

/** Write arrays to disk as an `.npz` file (deflated unless `compress: false`). */
export function saveNpz(
  path: string,
  arrays: Record<string, NDArray> | Map<string, NDArray>,
  options: { compress?: boolean } = {},
): void {
  writeFileSync(path, writeNpz(arrays, options));
}
