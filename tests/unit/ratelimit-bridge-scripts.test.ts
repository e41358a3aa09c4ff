import { describe, expect, it } from "vitest";
import { ScriptRewriter, sha1, withoutUpstashFlags } from "@/lib/ratelimit/bridge/scripts";

describe("withoutUpstashFlags", () => {
  it.each([
    ["#!lua flags=allow-key-locking\nreturn 1", "#!lua flags=\nreturn 1"],
    ["#!lua flags=no-writes,allow-key-locking\nreturn 1", "#!lua flags=no-writes\nreturn 1"],
    ["#!lua flags=allow-key-locking,no-cluster,no-writes\nreturn 1", "#!lua flags=no-cluster,no-writes\nreturn 1"],
    ["#!lua flags=no-writes\nreturn 1", "#!lua flags=no-writes\nreturn 1"],
    ["#!lua\nreturn 1", "#!lua\nreturn 1"],
    ["return 1", "return 1"],
    ["-- #!lua flags=allow-key-locking\nreturn 1", "-- #!lua flags=allow-key-locking\nreturn 1"],
  ])("turns %j into %j", (script, expected) => {
    expect(withoutUpstashFlags(script)).toBe(expected);
  });
});

describe("ScriptRewriter", () => {
  const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])";
  const runnable = "#!lua flags=\nreturn redis.call('INCR', KEYS[1])";

  it("rewrites EVAL and then sends EVALSHA under the rewritten script's hash", () => {
    const scripts = new ScriptRewriter();
    expect(scripts.rewrite(["evalsha", sha1(script), "1", "k"])).toEqual({ args: ["evalsha", sha1(script), "1", "k"] });
    expect(scripts.rewrite(["eval", script, "1", "k"])).toEqual({ args: ["eval", runnable, "1", "k"] });
    expect(scripts.rewrite(["evalsha", sha1(script), "1", "k"])).toEqual({
      args: ["evalsha", sha1(runnable), "1", "k"],
    });
    expect(scripts.rewrite(["EVALSHA_RO", sha1(script).toUpperCase(), "0"])).toEqual({
      args: ["EVALSHA_RO", sha1(runnable), "0"],
    });
  });

  it("leaves other commands and scripts without the flag alone", () => {
    const scripts = new ScriptRewriter();
    expect(scripts.rewrite(["SET", "k", "v"])).toEqual({ args: ["SET", "k", "v"] });
    expect(scripts.rewrite(["EVAL", "return 1", "0"])).toEqual({ args: ["EVAL", "return 1", "0"] });
    expect(scripts.rewrite(["EVALSHA", sha1("return 1"), "0"])).toEqual({ args: ["EVALSHA", sha1("return 1"), "0"] });
    expect(scripts.rewrite(["EVAL"])).toEqual({ args: ["EVAL"] });
  });
});
