/**
 * What the bridge lets through: exactly what `@upstash/ratelimit` sends for our limiter,
 * on our key prefix, the gate's per-minute signal counts (lib/ratelimit/signals.ts:
 * HINCRBY and EXPIRE of `<prefix>:signals:<minute>`, HGETALL to read them back), and a
 * bare PING for the readiness probe; nothing else. The rate limiter runs one Lua script per check
 * (EVALSHA, then EVAL when Redis does not know it yet); a token holder could otherwise
 * FLUSHALL, list every key, or run any script on the shared Redis.
 *
 * The scripts are not copied here: they are taken from the installed `@upstash/ratelimit`
 * by running a limiter built as lib/ratelimit/limiter.ts builds its own against a
 * recorder, so an upgrade that changes them changes this list with it.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { sha1 } from "./scripts";

export interface AllowedCommands {
  /** The scripts, and the SHA-1 of each as the client computes it. */
  scripts: ReadonlySet<string>;
  hashes: ReadonlySet<string>;
  /** Every key a command names must start with one of these. */
  keyPrefixes: readonly string[];
}

export async function rateLimiterCommands(keyPrefixes: readonly string[]): Promise<AllowedCommands> {
  const scripts = new Set<string>();
  const recorder = {
    evalsha: () => Promise.reject(new Error("NOSCRIPT No matching script")),
    eval: (script: string) => {
      scripts.add(script);
      return Promise.resolve([1, 1]);
    },
  };
  const limiter = new Ratelimit({
    redis: recorder as unknown as ConstructorParameters<typeof Ratelimit>[0]["redis"],
    limiter: Ratelimit.slidingWindow(1, "1000 ms"),
    analytics: false,
    ephemeralCache: false,
    enableProtection: false,
    timeout: 0,
  });
  await limiter.limit("probe");
  if (scripts.size === 0) throw new Error("@upstash/ratelimit sent no script: the bridge cannot know what to allow");
  return { scripts, hashes: new Set([...scripts].map(sha1)), keyPrefixes };
}

/**
 * Null when the command is one the rate limiter sends on its own keys, else why not.
 * `EVAL <script> <numkeys> <key>… <arg>…` and `EVALSHA <sha1> <numkeys> <key>… <arg>…`.
 */
export function refusal(args: readonly string[], allowed: AllowedCommands): string | null {
  const [rawName, body, numkeys, ...rest] = args;
  const name = (rawName ?? "").toUpperCase();
  // The readiness probe's question (lib/ops/readiness.ts): it names no key and reads nothing.
  if (name === "PING" && args.length === 1) return null;
  if (name === "HINCRBY" || name === "EXPIRE" || name === "HGETALL") return signalRefusal(name, args, allowed);
  if (name !== "EVAL" && name !== "EVALSHA") return `${name || "(empty)"} is not a command the rate limiter sends`;
  const known = name === "EVAL" ? allowed.scripts.has(body ?? "") : allowed.hashes.has((body ?? "").toLowerCase());
  if (!known) return `${name} of a script the rate limiter does not send`;
  const count = Number(numkeys);
  if (!/^\d+$/.test(numkeys ?? "") || count < 1 || count > rest.length) return `${name} with a bad key count`;
  const keys = rest.slice(0, count);
  if (!keys.every((key) => allowed.keyPrefixes.some((prefix) => key.startsWith(`${prefix}:`)))) {
    return `${name} on a key outside the rate limiter's prefix`;
  }
  return null;
}

const SIGNAL_KEY = /^(.+):signals:\d{1,15}$/;
const SIGNAL_FIELD = /^ratelimit\.(refusals|store_failures)\|[a-z]{1,20}$/;

/** The gate's signal counts: one shape per command, on a minute's hash under our prefix. */
function signalRefusal(name: string, args: readonly string[], allowed: AllowedCommands): string | null {
  const key = args[1] ?? "";
  const prefix = SIGNAL_KEY.exec(key)?.[1];
  if (prefix === undefined || !allowed.keyPrefixes.includes(prefix)) {
    return `${name} on a key that is not a signal count under the rate limiter's prefix`;
  }
  const shapes: Record<string, boolean> = {
    HINCRBY: args.length === 4 && SIGNAL_FIELD.test(args[2] ?? "") && /^\d{1,9}$/.test(args[3] ?? ""),
    EXPIRE: args.length === 3 && /^\d{1,6}$/.test(args[2] ?? ""),
    HGETALL: args.length === 2,
  };
  return shapes[name] ? null : `${name} with arguments the gate's signal counts never send`;
}
