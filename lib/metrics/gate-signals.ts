import "server-only";
/**
 * The Edge gate's rate-limit signals (`ratelimit.refusals`, `ratelimit.store_failures`,
 * per tier; lib/ratelimit/signals.ts) brought into `metric_signal_counts`, where the
 * alert rules, Prometheus and Datadog read them.
 *
 * - With a shared store (Upstash, or the bridge in services mode) the gate adds its
 *   counts to one hash per minute in the store, so the store holds the whole service's
 *   running figure; it is written under the instance id `limiter-store`, and a repeated
 *   collection (or two job runners at once) changes nothing.
 * - In embedded mode the counts live in the gate's own memory (the Edge sandbox is not
 *   this process): the collector asks the gate for them over HTTP (`GET
 *   /api/gate/signals`, answered by the gate itself, with an admin access token this
 *   process signs for a minute), and writes them under the gate's instance id.
 */
import { Redis } from "@upstash/redis";
import { signAccessToken, type SigningKey } from "../auth/access-token";
import { getSigningKey } from "../auth/keys";
import type { AuthConfig, RateLimitConfig } from "../config";
import type { Database } from "../db";
import { GATE_SIGNALS_PATH, STORE_PREFIX, signalKey, type GateSignalsAnswer } from "../ratelimit/signals";
import { TIERS } from "../ratelimit/tiers";
import { writeSignalRows, type SignalRow } from "./signals";

/** The instance id of the counts read from the shared store. */
export const STORE_INSTANCE = "limiter-store";
/** Minutes read back each time: the store keeps two hours, a run every minute needs a few. */
export const COLLECT_MINUTES = 60;
const MINUTE = 60_000;
/** The subject of the collector's own token: no user, so no route handler would accept it. */
const COLLECTOR_SUBJECT = "00000000-0000-0000-0000-000000000000";

export interface CollectOptions {
  now: Date;
  rateLimit: Pick<RateLimitConfig, "store">;
  /** Where the gate answers, for embedded mode (config.internalUrl). */
  internalUrl: string;
  auth: Pick<AuthConfig, "issuer" | "audience">;
  /** Key prefix of the limiter (lib/ratelimit/limiter.ts). @default STORE_PREFIX */
  prefix?: string;
  fetch?: typeof fetch;
  /** @default this server's signing key */
  signingKey?: SigningKey;
}

export async function collectGateSignals(db: Database, options: CollectOptions): Promise<{ rows: number }> {
  const { instanceId, rows } =
    options.rateLimit.store.kind === "upstash"
      ? { instanceId: STORE_INSTANCE, rows: await fromStore(options.rateLimit.store, options) }
      : await fromGate(options);
  await writeSignalRows(db, instanceId, rows);
  return { rows: rows.length };
}

async function fromStore(
  store: Extract<RateLimitConfig["store"], { kind: "upstash" }>,
  options: CollectOptions,
): Promise<SignalRow[]> {
  const prefix = options.prefix ?? STORE_PREFIX;
  const redis = new Redis({ url: store.url, token: store.token, retry: false, enableTelemetry: false });
  const current = Math.floor(options.now.getTime() / MINUTE) * MINUTE;
  const minutes = Array.from({ length: COLLECT_MINUTES + 1 }, (_, i) => current - (COLLECT_MINUTES - i) * MINUTE);
  const pipeline = redis.pipeline();
  for (const minute of minutes) pipeline.hgetall(signalKey(prefix, minute));
  const hashes = await pipeline.exec<(Record<string, unknown> | null)[]>();
  return minutes.flatMap((minute, i) => rowsOf(minute, hashes[i] ?? {}));
}

async function fromGate(options: CollectOptions): Promise<{ instanceId: string; rows: SignalRow[] }> {
  const key = options.signingKey ?? (await getSigningKey());
  const signed = await signAccessToken({ sub: COLLECTOR_SUBJECT, role: "admin", sid: COLLECTOR_SUBJECT }, key, {
    issuer: options.auth.issuer,
    audience: options.auth.audience,
    ttlSeconds: 60,
    now: options.now,
  });
  const response = await (options.fetch ?? fetch)(`${options.internalUrl}${GATE_SIGNALS_PATH}`, {
    headers: { authorization: `Bearer ${signed.token}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`the gate answered ${response.status} for its signal counts`);
  const answer = (await response.json()) as GateSignalsAnswer;
  return {
    instanceId: `gate-${answer.instanceId}`,
    rows: answer.minutes.flatMap(({ minute, counts }) => rowsOf(minute, counts)),
  };
}

/** A minute's `<metric>|<tier>` counts as rows; anything else (an unknown tier too) is ignored. */
function rowsOf(minute: number, counts: Record<string, unknown>): SignalRow[] {
  return Object.entries(counts).flatMap(([field, value]) => {
    const [metric, tier] = field.split("|");
    const n = Number(value);
    if (metric !== "ratelimit.refusals" && metric !== "ratelimit.store_failures") return [];
    if (!tier || !Object.hasOwn(TIERS, tier) || !(n > 0)) return [];
    return [{ metric, bucket: new Date(minute).toISOString(), tag: `tier:${tier}`, value: n }];
  });
}
