import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DELIMITER,
  parseMessage,
  replyHeader,
  serializeMessage,
  sign,
  signaturesEqual,
  type MessageHeader,
} from "./protocol";

const header: MessageHeader = {
  msg_id: "m1",
  session: "s1",
  username: "u",
  date: "2026-01-01T00:00:00Z",
  msg_type: "execute_request",
  version: "5.3",
};

function frames(key: string, content: Record<string, unknown> = { code: "1+1" }): Buffer[] {
  return serializeMessage(key, [Buffer.from("client-id")], header, {}, content).map((f) =>
    Buffer.isBuffer(f) ? f : Buffer.from(f),
  );
}

describe("jupyter wire protocol", () => {
  test("sign is HMAC-SHA256 over the concatenated frames (RFC 4231 test case 2)", () => {
    // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?" →
    // 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843; the data split over two
    // frames must give the same digest (Jupyter signs the frames back to back).
    assert.equal(
      sign("Jefe", ["what do ya want ", "for nothing?"]),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    assert.equal(sign("", ["anything"]), "");
  });

  test("a signed message round-trips with its identities, header and content", () => {
    const r = parseMessage("secret", frames("secret"));
    assert.ok(r.ok);
    assert.deepEqual(
      r.message.identities.map((b) => b.toString()),
      ["client-id"],
    );
    assert.equal(r.message.header.msg_type, "execute_request");
    assert.deepEqual(r.message.content, { code: "1+1" });
    assert.deepEqual(r.message.parent, {});
  });

  test("a wrong signature is rejected before the JSON is read", () => {
    const f = frames("other-key");
    const r = parseMessage("secret", f);
    assert.deepEqual(r, { ok: false, reason: "invalid signature" });
    // Tampered content with the original signature is rejected too.
    const g = frames("secret");
    const at = g.findIndex((b) => b.equals(DELIMITER));
    g[at + 5] = Buffer.from(JSON.stringify({ code: "process.exit()" }));
    assert.deepEqual(parseMessage("secret", g), { ok: false, reason: "invalid signature" });
  });

  test("a missing signature is rejected; with an empty key signing is off", () => {
    const f = frames("");
    assert.deepEqual(parseMessage("secret", f), { ok: false, reason: "missing signature" });
    assert.ok(parseMessage("", f).ok);
  });

  test("malformed frames are rejected with a reason", () => {
    assert.deepEqual(parseMessage("k", [Buffer.from("x")]), {
      ok: false,
      reason: "no <IDS|MSG> delimiter",
    });
    const short = [DELIMITER, Buffer.from("sig"), Buffer.from("{}")];
    assert.equal(parseMessage("k", short).ok, false);
    const noJson = serializeMessage("", [], header, {}, {}).map((f) => Buffer.from(f));
    noJson[3] = Buffer.from("not json");
    assert.deepEqual(parseMessage("", noJson), {
      ok: false,
      reason: "parent header is not valid JSON",
    });
  });

  test("signaturesEqual compares exactly (length and content)", () => {
    assert.equal(signaturesEqual("abc", "abc"), true);
    assert.equal(signaturesEqual("abc", "abd"), false);
    assert.equal(signaturesEqual("abc", "abcd"), false);
    assert.equal(signaturesEqual("", ""), true);
  });

  test("a reply header keeps the session and gets a fresh id", () => {
    const h = replyHeader(header, "execute_reply");
    assert.equal(h.session, "s1");
    assert.equal(h.msg_type, "execute_reply");
    assert.notEqual(h.msg_id, header.msg_id);
  });
});
