/**
 * The load: fans that stay inside their rate limits, and two ways of sending requests.
 *
 * - Closed loop: N workers, each sending its next request when the last one answered
 *   (concurrency N). Unmeasured ramp first, then a measured window: the answers that
 *   complete inside it count, each timed from the first byte sent to the last byte read.
 * - Open loop: requests sent on a fixed schedule whatever the server does, each timed
 *   from the instant it was due, so a server that falls behind shows it in the latency
 *   instead of slowing the client down (no coordinated omission).
 */
import { performance } from "node:perf_hooks";
import { MemoryStore } from "../../lib/ratelimit/memory";
import { TIERS } from "../../lib/ratelimit/tiers";
import { parseServerTiming, type TimingEntry } from "./stats";

/**
 * The run's own cancellation (Ctrl-C): passes start nothing new once it fires and
 * requests in flight are aborted.
 */
export const cancelled = new AbortController();

export interface Fan {
  id: string;
  email: string;
  /** RFC 2544's benchmarking block, one address per fan (see benchAddress). */
  address: string;
  token: string;
  /** performance.now() of the sign-in that issued `token`. */
  signedInAt: number;
}

/**
 * Each fan comes from its own address in 198.18.0.0/15 (RFC 2544's benchmarking block),
 * sent as X-Forwarded-For as the proxy in front of a self-hosted server would write it:
 * the anonymous tier (sign-in) then counts per fan, as it would for real fans.
 */
export function benchAddress(index: number): string {
  const n = index + 1;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}

interface Budget {
  limit: number;
  windowMs: number;
}

/**
 * Hands out fans round robin, skipping any whose next request its rate limits would
 * refuse. The check mirrors the server's own counters (lib/ratelimit/memory.ts weighs
 * windows exactly as the Redis script does), one request short of each limit, so a
 * bench request is refused only if the clocks disagree. When every fan is spent the
 * load waits: the run reports that wait instead of measuring 429s.
 */
export class FanPool {
  readonly #fans: Fan[];
  readonly #budgets: Budget[];
  readonly #store = new MemoryStore({ maxKeys: 1_000_000 });
  #next = 0;

  constructor(fans: Fan[], budgets: Budget[]) {
    this.#fans = fans;
    this.#budgets = budgets;
  }

  get size(): number {
    return this.#fans.length;
  }

  take(now = Date.now()): Fan | null {
    for (let tried = 0; tried < this.#fans.length; tried++) {
      const fan = this.#fans[this.#next]!;
      this.#next = (this.#next + 1) % this.#fans.length;
      if (this.#budgets.every((b, i) => this.#store.hit(`${i}:${fan.id}`, b.limit - 1, b.windowMs, now).success)) {
        return fan;
      }
    }
    return null;
  }
}

/** The budgets of a fan who only pulls: the user tier and the gacha tier. */
export const PULL_BUDGETS: Budget[] = [TIERS.user, TIERS.gacha];
/** The budget of a fan who only reads `/api/me`: the user tier. */
export const READ_BUDGETS: Budget[] = [TIERS.user];

export interface Answer {
  ok: boolean;
  /** "201", "200", "503 server_busy", "network TimeoutError", … */
  label: string;
  timing: TimingEntry[];
}

/** Something the bench sends: with a fan (or none, for health) to a URL. */
export type Send = (fan: Fan | null) => Promise<Answer>;

export interface PassResult {
  /** Completed inside the measured window. */
  latenciesMs: number[];
  ok: number;
  outcomes: Record<string, number>;
  /** Server-Timing entries of the measured successful answers. */
  timings: TimingEntry[][];
  measuredMs: number;
  /** Milliseconds workers waited because every fan had spent its rate limit. */
  starvedMs: number;
  /** Open loop only: requests not sent because too many were in flight already. */
  dropped: number;
}

function record(result: PassResult, latencyMs: number, answer: Answer): void {
  result.latenciesMs.push(latencyMs);
  result.outcomes[answer.label] = (result.outcomes[answer.label] ?? 0) + 1;
  if (answer.ok) {
    result.ok++;
    result.timings.push(answer.timing);
  }
}

function emptyResult(measuredMs: number): PassResult {
  return { latenciesMs: [], ok: 0, outcomes: {}, timings: [], measuredMs, starvedMs: 0, dropped: 0 };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `concurrency` workers for `rampMs` unmeasured, then `steadyMs` measured. */
export async function closedLoop(options: {
  concurrency: number;
  rampMs: number;
  steadyMs: number;
  fans: FanPool | null;
  send: Send;
}): Promise<PassResult> {
  cancelled.signal.throwIfAborted();
  const result = emptyResult(options.steadyMs);
  const start = performance.now();
  const measureFrom = start + options.rampMs;
  const end = measureFrom + options.steadyMs;
  const worker = async () => {
    while (performance.now() < end && !cancelled.signal.aborted) {
      let fan: Fan | null = null;
      if (options.fans) {
        fan = options.fans.take();
        if (!fan) {
          const waitFrom = performance.now();
          await delay(20);
          if (waitFrom >= measureFrom) result.starvedMs += performance.now() - waitFrom;
          continue;
        }
      }
      const t0 = performance.now();
      const answer = await options.send(fan);
      const t1 = performance.now();
      if (t1 >= measureFrom && t1 <= end) record(result, t1 - t0, answer);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  cancelled.signal.throwIfAborted();
  return result;
}

/** Most requests an open-loop pass keeps in flight; past it, due requests are dropped and counted. */
const OPEN_LOOP_MAX_IN_FLIGHT = 2_000;

/** `ratePerMinute` requests on a fixed schedule for `steadyMs`, each timed from when it was due. */
export async function openLoop(options: {
  ratePerMinute: number;
  steadyMs: number;
  fans: FanPool;
  send: Send;
}): Promise<PassResult> {
  cancelled.signal.throwIfAborted();
  const result = emptyResult(options.steadyMs);
  const intervalMs = 60_000 / options.ratePerMinute;
  const total = Math.floor(options.steadyMs / intervalMs);
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < total && !cancelled.signal.aborted; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await delay(wait);
    const fan = options.fans.take();
    if (!fan || inFlight.size >= OPEN_LOOP_MAX_IN_FLIGHT) {
      result.dropped++;
      continue;
    }
    const request = options.send(fan).then((answer) => record(result, performance.now() - due, answer));
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);
  cancelled.signal.throwIfAborted();
  return result;
}

/** Runs `fn` over `items` with `concurrency` workers, failing on the first error. */
export async function eachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      cancelled.signal.throwIfAborted();
      await fn(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// ---------------------------------------------------------------------------
// HTTP

/** Signs in through the API and returns the access token the server issued. */
export async function signIn(baseUrl: string, email: string, password: string, address: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.any([cancelled.signal, AbortSignal.timeout(30_000)]),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`Sign-in of ${email} answered ${res.status}: ${text.slice(0, 300)}`);
  const token = (JSON.parse(text) as { accessToken?: string }).accessToken;
  if (!token) throw new Error(`Sign-in of ${email} answered no accessToken: ${text.slice(0, 300)}`);
  return token;
}

async function send(url: string, init: RequestInit, okStatus: (status: number, body: string) => boolean) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.any([cancelled.signal, AbortSignal.timeout(30_000)]) });
    const text = await res.text();
    const ok = okStatus(res.status, text);
    return {
      ok,
      label: ok ? String(res.status) : `${res.status} ${errorCode(text)}`.trim(),
      timing: parseServerTiming(res.headers.get("server-timing")),
    };
  } catch (err) {
    return { ok: false, label: `network ${(err as Error).name}`, timing: [] };
  }
}

function errorCode(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    return "(not JSON)";
  }
}

/** `GET /api/health`: through the gate, no limiter tier, no database. */
export function healthRequest(baseUrl: string): Send {
  return () => send(`${baseUrl}/api/health`, {}, (status) => status === 200);
}

/** `GET /api/me`: gate, limiter, the route's token check and its user read. */
export function meRequest(baseUrl: string): Send {
  return (fan) =>
    send(
      `${baseUrl}/api/me`,
      { headers: { authorization: `Bearer ${fan!.token}`, "x-forwarded-for": fan!.address } },
      (status) => status === 200,
    );
}

/** `POST /api/gachas/{id}/pulls`: a single pull paid with Stripe's test Visa, a fresh key each. */
export function pullRequest(baseUrl: string, campaignIds: readonly string[], keyPrefix: string): Send {
  let n = 0;
  return (fan) => {
    const i = n++;
    return send(
      `${baseUrl}/api/gachas/${campaignIds[i % campaignIds.length]}/pulls`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${fan!.token}`,
          "content-type": "application/json",
          "idempotency-key": `${keyPrefix}-${i}`,
          "x-forwarded-for": fan!.address,
        },
        body: JSON.stringify({ count: 1, paymentMethodId: "pm_card_visa" }),
      },
      (status, body) => status === 201 && body.includes('"pull"'),
    );
  };
}
