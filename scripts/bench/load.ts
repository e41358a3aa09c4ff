/**
 * The load itself: a fixed list of single pulls worked off by N workers, each pull timed
 * from the first byte sent to the last byte read (HTTP) or from call to return (baseline).
 */
import { performance } from "node:perf_hooks";
import type { Database } from "../../lib/db";
import { DomainError } from "../../lib/domain-error";
import { payAndPull } from "../../lib/payments/pay-and-pull";
import type { PaymentProvider } from "../../lib/payments/providers/types";

export interface PullTask {
  /** Index of the fan in the phase's list. */
  user: number;
  campaignId: string;
  idempotencyKey: string;
}

export interface Outcome {
  ok: boolean;
  /** "201", "429 rate_limited", "error spending_cap_exceeded", "network TimeoutError", … */
  label: string;
}

export interface PhaseResult {
  planned: number;
  concurrency: number;
  wallMs: number;
  /** One per request that was sent, in completion order. */
  latenciesMs: number[];
  ok: number;
  outcomes: Record<string, number>;
  /** Pulls never started because the phase ran out of time. */
  notStarted: number;
}

/**
 * Round by round, every fan once per round, each fan on the next campaign each round:
 * a fan's pulls are spread over the run instead of bunched, like many fans at once.
 */
export function pullTasks(users: number, pullsPerUser: number, campaignIds: string[], keyPrefix: string): PullTask[] {
  const tasks: PullTask[] = [];
  for (let round = 0; round < pullsPerUser; round++) {
    for (let user = 0; user < users; user++) {
      tasks.push({
        user,
        campaignId: campaignIds[(user + round) % campaignIds.length]!,
        idempotencyKey: `${keyPrefix}-${user}-${round}`,
      });
    }
  }
  return tasks;
}

/**
 * The run's own cancellation (Ctrl-C): phases start nothing new once it fires and
 * requests in flight are aborted.
 */
export const cancelled = new AbortController();

/** Works off `tasks` with `concurrency` workers; none starts a task after `maxMs`. */
export async function runPhase(
  label: string,
  tasks: readonly PullTask[],
  concurrency: number,
  maxMs: number,
  run: (task: PullTask) => Promise<Outcome>,
): Promise<PhaseResult> {
  cancelled.signal.throwIfAborted();
  const latenciesMs: number[] = [];
  const outcomes: Record<string, number> = {};
  let ok = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + maxMs;

  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    console.log(`  ${label}: ${latenciesMs.length}/${tasks.length} in ${seconds.toFixed(0)} s`);
  }, 10_000);
  const worker = async () => {
    while (next < tasks.length && performance.now() < deadline && !cancelled.signal.aborted) {
      const task = tasks[next++]!;
      const t0 = performance.now();
      const outcome = await run(task);
      latenciesMs.push(performance.now() - t0);
      outcomes[outcome.label] = (outcomes[outcome.label] ?? 0) + 1;
      if (outcome.ok) ok++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  } finally {
    clearInterval(progress);
  }
  cancelled.signal.throwIfAborted();
  return {
    planned: tasks.length,
    concurrency,
    wallMs: performance.now() - started,
    latenciesMs,
    ok,
    outcomes,
    notStarted: tasks.length - next,
  };
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

/**
 * Each fan comes from its own address in 198.18.0.0/15 (RFC 2544's benchmarking block),
 * sent as X-Forwarded-For as the proxy in front of a self-hosted server would write it:
 * the anonymous tier (sign-in) then counts per fan, as it would for real fans, instead
 * of putting every sign-in of the run behind one address.
 */
export function benchAddress(index: number): string {
  const n = index + 1;
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}

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

export interface HttpFan {
  token: string;
  address: string;
}

/** `POST /api/gachas/{id}/pulls`, a single pull paid with Stripe's test Visa. */
export async function httpPull(baseUrl: string, fan: HttpFan, task: PullTask): Promise<Outcome> {
  try {
    const res = await fetch(`${baseUrl}/api/gachas/${task.campaignId}/pulls`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${fan.token}`,
        "content-type": "application/json",
        "idempotency-key": task.idempotencyKey,
        "x-forwarded-for": fan.address,
      },
      body: JSON.stringify({ count: 1, paymentMethodId: "pm_card_visa" }),
      signal: AbortSignal.any([cancelled.signal, AbortSignal.timeout(30_000)]),
    });
    const text = await res.text();
    if (res.status === 201 && text.includes('"pull"')) return { ok: true, label: "201" };
    return { ok: false, label: `${res.status} ${errorCode(text)}`.trim() };
  } catch (err) {
    return { ok: false, label: `network ${(err as Error).name}` };
  }
}

function errorCode(body: string): string {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? "";
  } catch {
    return "(not JSON)";
  }
}

// ---------------------------------------------------------------------------
// Baseline

/** The route's own call, in process: reserve → sandbox charge → fulfil, no HTTP, no gate. */
export async function baselinePull(
  deps: { db: Database; provider: PaymentProvider },
  userId: string,
  task: PullTask,
): Promise<Outcome> {
  try {
    const { created } = await payAndPull(
      { db: deps.db, provider: deps.provider, now: new Date() },
      {
        userId,
        campaignId: task.campaignId,
        count: 1,
        paymentMethodId: "pm_card_visa",
        idempotencyKey: task.idempotencyKey,
      },
    );
    return created ? { ok: true, label: "created" } : { ok: false, label: "replayed" };
  } catch (err) {
    if (err instanceof DomainError) return { ok: false, label: `error ${err.code}` };
    return { ok: false, label: `exception ${(err as Error).message.slice(0, 80)}` };
  }
}
