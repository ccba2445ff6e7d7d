import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { HISTORY_SESSION, History, globToRegExp } from "./history";

function sample(): History {
  const h = new History();
  h.add(1, "const a = 1", null);
  h.add(2, "a + 1", "2");
  h.add(3, "a + 2", "3");
  h.add(4, "a + 1", "2");
  return h;
}

describe("kernel history", () => {
  test("tail returns the last n inputs, with outputs when asked", () => {
    const h = sample();
    assert.deepEqual(h.query({ hist_access_type: "tail", n: 2, output: false }), [
      [HISTORY_SESSION, 3, "a + 2"],
      [HISTORY_SESSION, 4, "a + 1"],
    ]);
    assert.deepEqual(h.query({ hist_access_type: "tail", n: 1, output: true }), [
      [HISTORY_SESSION, 4, ["a + 1", "2"]],
    ]);
    assert.deepEqual(h.query({ hist_access_type: "tail", n: 0 }), []);
  });

  test("range is [start, stop) of the current session; other sessions are empty", () => {
    const h = sample();
    assert.deepEqual(
      h.query({ hist_access_type: "range", session: HISTORY_SESSION, start: 2, stop: 3 }),
      [[HISTORY_SESSION, 2, "a + 1"]],
    );
    assert.equal(h.query({ hist_access_type: "range", session: 0, start: 1 }).length, 4);
    assert.deepEqual(h.query({ hist_access_type: "range", session: 7, start: 1 }), []);
  });

  test("search matches a glob; unique keeps the latest of each input; n keeps the last n", () => {
    const h = sample();
    assert.equal(h.query({ hist_access_type: "search", pattern: "a + *" }).length, 3);
    assert.deepEqual(h.query({ hist_access_type: "search", pattern: "a + *", unique: true }), [
      [HISTORY_SESSION, 3, "a + 2"],
      [HISTORY_SESSION, 4, "a + 1"],
    ]);
    assert.deepEqual(h.query({ hist_access_type: "search", pattern: "*", n: 1 }), [
      [HISTORY_SESSION, 4, "a + 1"],
    ]);
  });

  test("glob: * and ? are wildcards, regex characters are literal", () => {
    assert.ok(globToRegExp("a.b*").test("a.bcd"));
    assert.ok(!globToRegExp("a.b*").test("axbcd"));
    assert.ok(globToRegExp("x?z").test("xyz"));
    assert.ok(globToRegExp("(1+1)").test("(1+1)"));
    assert.ok(globToRegExp("*").test("multi\nline"));
  });
});
