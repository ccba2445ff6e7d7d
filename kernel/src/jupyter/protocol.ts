/**
 * The Jupyter wire protocol (messaging spec v5.3): frames ⇄ messages, signed with
 * HMAC-SHA256 over the four JSON frames (header, parent header, metadata, content) with the
 * connection file's key.
 *
 * tsquant parses and signs frames itself instead of using tslab's: tslab compares signatures
 * with `==` (timing leak) and throws from inside its socket loop on a bad one. Here a wrong or
 * missing signature makes `parseMessage` return a rejection, and the kernel drops the message
 * (it is logged, never executed). Signatures are compared with `crypto.timingSafeEqual`.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/** The zmq identity prefix delimiter. */
export const DELIMITER = Buffer.from("<IDS|MSG>");
export const PROTOCOL_VERSION = "5.3";

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message {
  /** Routing identities before the delimiter (copied into replies). */
  identities: Buffer[];
  header: MessageHeader;
  /** The request's header, or `{}`. */
  parent: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

export type ParseResult = { ok: true; message: Message } | { ok: false; reason: string };

/** HMAC-SHA256 hex digest of the frames; the empty string when the key is empty (no signing). */
export function sign(key: string, frames: readonly (Buffer | string)[]): string {
  if (key === "") return "";
  const h = createHmac("sha256", key);
  for (const f of frames) h.update(f);
  return h.digest("hex");
}

/** Constant-time equality of two hex signatures (length is not secret: it is always 64). */
export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseJson(frame: Buffer | undefined, what: string): Record<string, unknown> | string {
  if (frame === undefined) return `missing ${what} frame`;
  try {
    const v: unknown = JSON.parse(frame.toString("utf8"));
    if (typeof v !== "object" || v === null || Array.isArray(v))
      return `${what} is not a JSON object`;
    return v as Record<string, unknown>;
  } catch {
    return `${what} is not valid JSON`;
  }
}

function isHeader(h: Record<string, unknown>): boolean {
  return typeof h["msg_id"] === "string" && typeof h["msg_type"] === "string";
}

/**
 * Split raw frames `[identities…, <IDS|MSG>, signature, header, parent, metadata, content,
 * buffers…]` and verify the signature before looking at any JSON. With an empty key (signing
 * disabled by the connection file) every signature is accepted, as the spec says.
 */
export function parseMessage(key: string, frames: readonly Buffer[]): ParseResult {
  const at = frames.findIndex((f) => f.equals(DELIMITER));
  if (at < 0) return { ok: false, reason: "no <IDS|MSG> delimiter" };
  const signature = frames[at + 1];
  const body = frames.slice(at + 2, at + 6);
  if (signature === undefined || body.length < 4) {
    return {
      ok: false,
      reason: `expected 5 frames after the delimiter, found ${frames.length - at - 1}`,
    };
  }
  if (key !== "") {
    const expected = sign(key, body);
    if (!signaturesEqual(signature.toString("utf8"), expected)) {
      return {
        ok: false,
        reason: signature.length === 0 ? "missing signature" : "invalid signature",
      };
    }
  }
  const header = parseJson(body[0], "header");
  const parent = parseJson(body[1], "parent header");
  const metadata = parseJson(body[2], "metadata");
  const content = parseJson(body[3], "content");
  for (const part of [header, parent, metadata, content]) {
    if (typeof part === "string") return { ok: false, reason: part };
  }
  const h = header as Record<string, unknown>;
  if (!isHeader(h)) return { ok: false, reason: "header lacks msg_id or msg_type" };
  return {
    ok: true,
    message: {
      identities: frames.slice(0, at),
      header: h as unknown as MessageHeader,
      parent: parent as MessageHeader | Record<string, never>,
      metadata: metadata as Record<string, unknown>,
      content: content as Record<string, unknown>,
      buffers: frames.slice(at + 6),
    },
  };
}

/** A new header for a message of `msgType` in reply to (or caused by) `parent`. */
export function replyHeader(parent: MessageHeader, msgType: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    session: parent.session,
    username: parent.username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

/** Signed frames of a message to `parent` (identities copied for shell/control replies). */
export function serializeMessage(
  key: string,
  identities: readonly Buffer[],
  header: MessageHeader,
  parent: MessageHeader | Record<string, never>,
  content: Record<string, unknown>,
  metadata: Record<string, unknown> = {},
): (Buffer | string)[] {
  const body = [
    JSON.stringify(header),
    JSON.stringify(parent),
    JSON.stringify(metadata),
    JSON.stringify(content),
  ];
  return [...identities, DELIMITER, sign(key, body), ...body];
}
