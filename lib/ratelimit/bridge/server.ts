/**
 * The Upstash-REST bridge: a small HTTP server that speaks the subset of Upstash's REST
 * protocol `@upstash/redis` uses, in front of a stock Redis. Services mode runs it so the
 * Edge gate counts in Redis through the very client it uses against Upstash in
 * production. Node only.
 *
 * Protocol, as Upstash serves it:
 * - `POST /` with one command as a JSON array → `{"result": …}`
 * - `POST /pipeline` with an array of commands → `[{"result": …} | {"error": "…"}, …]`,
 *   in order, not atomic
 * - `POST /multi-exec` likewise, run as MULTI/EXEC; a command Redis refuses to queue
 *   aborts the whole transaction (400 `{"error"}`), a command failing while it runs only
 *   fails its own entry
 * - `Authorization: Bearer <token>`; 401 without it
 * - `Upstash-Encoding: base64`: every string in the result base64-encoded, except a
 *   plain "OK", so binary values survive JSON
 * - command errors → 400 `{"error": "<Redis's message>"}`; Redis unreachable → 503
 * The path-style commands (`GET /set/foo/bar`) and SSE subscriptions are not served:
 * the rate limiter never sends them.
 *
 * It listens on 127.0.0.1 only: the token is a local default in services mode.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Redis, { ReplyError } from "ioredis";
import { log } from "../../log/logger";
import { ScriptRewriter, type Rewritten } from "./scripts";

export interface BridgeOptions {
  /** The Redis to front, e.g. `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** What clients must send as `Authorization: Bearer <token>`. */
  token: string;
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 8079
   */
  port?: number;
  /**
   * Largest request body accepted; larger ones get 413.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * How long one Redis command may take before its request fails with 503, so a stuck
   * Redis does not pile up open requests.
   * @default 5000
   */
  commandTimeoutMs?: number;
}

export interface Bridge {
  /** Base URL to give `@upstash/redis`. */
  url: string;
  port: number;
  /** Stops taking requests, lets running ones finish, then disconnects from Redis. */
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const CLOSE_GRACE_MS = 5_000;

/**
 * Commands that would change the one shared connection's state for every other request
 * (transactions, database, subscriptions, auth), block it for everyone, or administer
 * the server. A rate-limit store needs none of them.
 */
const REFUSED = new Set([
  "AUTH",
  "HELLO",
  "SELECT",
  "QUIT",
  "RESET",
  "CLIENT",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "SYNC",
  "PSYNC",
  "BLPOP",
  "BRPOP",
  "BRPOPLPUSH",
  "BLMOVE",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "WAIT",
  "WAITAOF",
  "SHUTDOWN",
  "DEBUG",
  "CONFIG",
  "MODULE",
  "ACL",
  "REPLICAOF",
  "SLAVEOF",
  "FAILOVER",
]);

/** An answer the bridge decides itself, with its status. */
class BridgeError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Json = string | number | null | Json[];
type Entry = { result: Json } | { error: string };

const OK = Buffer.from("OK");

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const tokenDigest = sha256(options.token);
  const scripts = new ScriptRewriter();

  const redis = new Redis(options.redisUrl, {
    // Upstash answers in RESP2 shapes (flat arrays, doubles as strings).
    protocol: 2,
    // Fail now rather than queue: the gate waits at most its timeout anyway, and a
    // command replayed after a reconnect could count a request twice.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 5_000,
    // Back within a second of Redis returning.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    connectionName: "koepon-upstash-bridge",
  });
  watchRedis(redis);
  // Serve either way: while Redis is down every request gets 503, which the gate's
  // failure policy handles, and the bridge recovers by itself when Redis comes back.
  await new Promise<void>((resolve) => {
    const settle = () => {
      redis.off("ready", settle);
      redis.off("error", settle);
      resolve();
    };
    redis.on("ready", settle);
    redis.on("error", settle);
  });

  async function run(rewritten: Rewritten): Promise<unknown> {
    const [name, ...args] = rewritten.args as [string, ...string[]];
    const reply = await redis.callBuffer(name, ...args);
    return rewritten.reply ?? reply;
  }

  async function runBatch(commands: Rewritten[], transaction: boolean, base64: boolean): Promise<Entry[]> {
    const batch = transaction ? redis.multi() : redis.pipeline();
    for (const { args } of commands) {
      const [name, ...rest] = args as [string, ...string[]];
      batch.callBuffer(name, ...rest);
    }
    const replies = await batch.exec();
    if (replies === null) throw new BridgeError(400, "ERR the transaction was aborted");
    return replies.map(([error, reply], i): Entry => {
      if (error) {
        if (!(error instanceof ReplyError)) throw error;
        return { error: error.message };
      }
      return { result: encode(commands[i]!.reply ?? reply, base64) };
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (!authorized(req.headers.authorization, tokenDigest)) throw new BridgeError(401, "Unauthorized");
      if (req.method !== "POST") throw new BridgeError(405, "ERR the bridge accepts POST only");
      const path = new URL(req.url ?? "/", "http://bridge").pathname;
      if (path !== "/" && path !== "/pipeline" && path !== "/multi-exec") {
        throw new BridgeError(404, "ERR the bridge serves POST /, /pipeline and /multi-exec only");
      }
      const body = parseJson(await readBody(req, maxBodyBytes));
      const base64 = String(req.headers["upstash-encoding"]).toLowerCase() === "base64";

      if (path === "/") {
        const reply = await run(scripts.rewrite(toCommand(body)));
        return send(res, 200, { result: encode(reply, base64) });
      }
      if (!Array.isArray(body) || body.length === 0) throw new BridgeError(400, "ERR expected an array of commands");
      const commands = body.map((command) => scripts.rewrite(toCommand(command)));
      return send(res, 200, await runBatch(commands, path === "/multi-exec", base64));
    } catch (error) {
      if (error instanceof BridgeError) return send(res, error.status, { error: error.message });
      if (error instanceof ReplyError) return send(res, 400, { error: (error as Error).message });
      const message = error instanceof Error ? error.message : String(error);
      return send(res, 503, { error: `ERR Redis is unavailable: ${message}` });
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 8079, HOST, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${HOST}:${port}`,
    port,
    async close() {
      const forced = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      forced.unref();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(forced);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** Logs when Redis goes away (alert-worthy: the gate is degraded meanwhile) and when it is back. */
function watchRedis(redis: Redis): void {
  let up: boolean | null = null;
  redis.on("ready", () => {
    if (up === false) log("info", "ratelimit.bridge.redis_ready");
    up = true;
  });
  redis.on("error", (error: Error) => {
    if (up !== false) {
      log("alert", "ratelimit.bridge.redis_unavailable", { error });
    }
    up = false;
  });
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Compares digests so the comparison takes the same time whatever the token's length. */
function authorized(header: string | undefined, tokenDigest: Buffer): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? "");
  return match !== null && timingSafeEqual(sha256(match[1]!), tokenDigest);
}

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
      reject(new BridgeError(413, "ERR request body too large"));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off("data", onData);
        reject(new BridgeError(413, "ERR request body too large"));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new BridgeError(400, "ERR the request body is not valid JSON");
  }
}

/** A command as Upstash takes it: a non-empty array of strings, numbers or booleans. */
function toCommand(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new BridgeError(400, "ERR expected a command array");
  const args = value.map((arg) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new BridgeError(400, "ERR command arguments must be strings or numbers");
  });
  const name = args[0]!.toUpperCase();
  if (REFUSED.has(name)) throw new BridgeError(400, `ERR ${name} is not supported through the bridge`);
  if ((name === "XREAD" || name === "XREADGROUP") && args.some((a) => a.toUpperCase() === "BLOCK")) {
    throw new BridgeError(400, `ERR blocking ${name} is not supported through the bridge`);
  }
  return args;
}

/** Redis's reply as Upstash puts it in JSON. */
function encode(reply: unknown, base64: boolean): Json {
  if (reply === null || reply === undefined) return null;
  if (typeof reply === "number") return reply;
  if (typeof reply === "string" || Buffer.isBuffer(reply)) {
    const bytes = Buffer.isBuffer(reply) ? reply : Buffer.from(reply);
    if (!base64) return bytes.toString("utf8");
    return bytes.equals(OK) ? "OK" : bytes.toString("base64");
  }
  if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
  // An error reply nested in an array (a script can return one) carries its message.
  if (reply instanceof Error) return reply.message;
  return String(reply);
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    "content-type": "application/json",
    // A refused or oversized body may still be arriving: do not reuse this connection.
    ...(status === 413 || status === 401 ? { connection: "close" } : {}),
  });
  res.end(JSON.stringify(body));
}
