/**
 * Makes the Lua scripts Upstash's clients send runnable on stock Redis.
 *
 * `@upstash/ratelimit` ≥ 2.1 starts its scripts with `#!lua flags=allow-key-locking`, a
 * flag only Upstash's server knows; Redis refuses the whole script ("Unexpected flag in
 * script shebang"). The bridge drops that one flag and keeps any other, so Redis still
 * enforces what the script declares (e.g. `no-writes`).
 *
 * The client first tries EVALSHA with the SHA-1 of the script as it wrote it, a script
 * Redis never saw under that hash. The bridge remembers, for each script it rewrote,
 * original hash → rewritten hash and sends EVALSHA with the latter. A hash it has not
 * seen goes through unchanged and Redis answers NOSCRIPT, on which the client falls back
 * to EVAL with the full script (`safeEval` in @upstash/ratelimit), teaching the bridge.
 */
import { createHash } from "node:crypto";

const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

/** The script with Upstash-only shebang flags removed; unchanged when it has none. */
export function withoutUpstashFlags(script: string): string {
  const end = script.indexOf("\n");
  const shebang = end === -1 ? script : script.slice(0, end);
  if (!shebang.startsWith("#!")) return script;
  const rewritten = shebang
    .split(" ")
    .map((part) =>
      part.startsWith("flags=")
        ? `flags=${part
            .slice("flags=".length)
            .split(",")
            .filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag))
            .join(",")}`
        : part,
    )
    .join(" ");
  return rewritten + script.slice(shebang.length);
}

export function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** A command as it goes to Redis. */
export interface Rewritten {
  args: string[];
}

/**
 * Rewrites the scripting commands of one bridge process. The hash map only grows with
 * distinct scripts, which come from code, not from requests' data.
 */
export class ScriptRewriter {
  readonly #rewrittenSha = new Map<string, string>();

  rewrite(args: string[]): Rewritten {
    const [name, first, ...rest] = args;
    if (name === undefined || first === undefined) return { args };
    switch (name.toUpperCase()) {
      case "EVAL":
      case "EVAL_RO":
        return { args: [name, this.#learn(first), ...rest] };
      case "EVALSHA":
      case "EVALSHA_RO":
        return { args: [name, this.#translate(first), ...rest] };
      default:
        return { args };
    }
  }

  #learn(script: string): string {
    const runnable = withoutUpstashFlags(script);
    if (runnable !== script) this.#rewrittenSha.set(sha1(script), sha1(runnable));
    return runnable;
  }

  #translate(sha: string): string {
    return this.#rewrittenSha.get(sha.toLowerCase()) ?? sha;
  }
}
