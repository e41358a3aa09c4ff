/**
 * Where a request's time goes, for the `Server-Timing` header (`KOEPON_SERVER_TIMING`):
 * named steps, and the database work done on its behalf (statements, transactions, the
 * wait for a pooled connection). The route wrapper opens a timing per request; the data
 * layer and the domain add to whichever is open, found through AsyncLocalStorage, so no
 * signature carries it. With the setting off nothing is opened and each call below is
 * one failed store lookup.
 *
 * Process totals (statements, transactions since start) are kept either way: a load
 * test reads them before and after a run to count the work of everything in between,
 * background work (webhooks) included.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";

export interface RequestTiming {
  /** Steps in the order they ended: name and milliseconds. */
  steps: [string, number][];
  statements: number;
  transactions: number;
  /** Writes to the database that waited for its answer (a pipelined BEGIN, statement and COMMIT are one). */
  roundTrips: number;
  poolWaitMs: number;
}

interface ProcessTotals {
  statements: number;
  transactions: number;
  roundTrips: number;
  /** µs spent recording request metrics (lib/api/handler.ts): what measuring costs this process. */
  metricsUs: number;
}

const slot = Symbol.for("koepon.requestTiming");
type GlobalWithTiming = typeof globalThis & {
  [slot]?: { store: AsyncLocalStorage<RequestTiming>; totals: ProcessTotals; loop?: IntervalHistogram };
};

// Process-wide, like the database handle: Next bundles each route apart, and they must share one store.
function state() {
  const g = globalThis as GlobalWithTiming;
  g[slot] ??= {
    store: new AsyncLocalStorage<RequestTiming>(),
    totals: { statements: 0, transactions: 0, roundTrips: 0, metricsUs: 0 },
  };
  return g[slot];
}

/** Runs `fn` with a fresh timing open; returns what it produced and the timing. */
export async function withRequestTiming<T>(fn: () => Promise<T>): Promise<{ result: T; timing: RequestTiming }> {
  const timing: RequestTiming = { steps: [], statements: 0, transactions: 0, roundTrips: 0, poolWaitMs: 0 };
  const result = await state().store.run(timing, fn);
  return { result, timing };
}

/** Times `fn` as step `name` of the open request, if any. */
export async function timeStep<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const timing = state().store.getStore();
  if (!timing) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timing.steps.push([name, performance.now() - started]);
  }
}

/** The data layer: one statement sent. */
export function countStatement(): void {
  const s = state();
  s.totals.statements++;
  const timing = s.store.getStore();
  if (timing) timing.statements++;
}

/**
 * The data layer: one write to the database that waits for its answer. PGlite runs in
 * process and has none.
 */
export function countRoundTrip(): void {
  const s = state();
  s.totals.roundTrips++;
  const timing = s.store.getStore();
  if (timing) timing.roundTrips++;
}

/**
 * The route wrapper: `ms` spent recording one request's metrics. Timed by the wall clock
 * around work that never waits, so it is the record's CPU time, or a little more when
 * the thread was preempted in between: an upper bound.
 */
export function countMetricsRecording(ms: number): void {
  state().totals.metricsUs += ms * 1000;
}

/** The data layer: one transaction begun, after waiting `waitMs` for its connection. */
export function countTransaction(waitMs: number): void {
  const s = state();
  s.totals.transactions++;
  const timing = s.store.getStore();
  if (timing) {
    timing.transactions++;
    timing.poolWaitMs += waitMs;
  }
}

/**
 * Whether the open request has begun a transaction yet: false before its first, true
 * after, null outside any request (jobs, background deliveries). The data layer refuses
 * a busy request only before its first transaction, so nothing it began is cut short.
 */
export function requestHasBegun(): boolean | null {
  const timing = state().store.getStore();
  return timing ? timing.transactions > 0 : null;
}

/** Runs `fn` outside the open request: work it leaves behind (a webhook delivery) is not its own. */
export function outsideRequest<T>(fn: () => T): T {
  return state().store.exit(fn);
}

/** Statements and transactions this process has run since it started. */
export function processTotals(): Readonly<ProcessTotals> {
  return { ...state().totals };
}

/**
 * p99 of this process's event-loop delay over the last few seconds, in ms: how long a
 * ready callback waited for the thread. Sampled only once something asks.
 */
export function eventLoopDelayP99Ms(): number {
  const s = state();
  if (!s.loop) {
    s.loop = monitorEventLoopDelay({ resolution: 10 });
    s.loop.enable();
    // A rolling window: the figure describes now, not the whole life of the process.
    setInterval(() => s.loop!.reset(), 5_000).unref();
  }
  return s.loop.percentile(99) / 1e6;
}

/**
 * The header value (W3C Server Timing): each step with its duration; `pool`, the wait
 * for database connections; `db`, the request's statements and transactions; `loop`,
 * the event-loop delay; `proc`, the process totals (statements, transactions, µs spent
 * recording request metrics); `total`. Counts travel in `desc`,
 * as the format has no other place for them.
 */
export function serverTimingHeader(timing: RequestTiming, totalMs: number): string {
  const totals = processTotals();
  return [
    ...timing.steps.map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`),
    `pool;dur=${timing.poolWaitMs.toFixed(2)}`,
    `db;desc="statements=${timing.statements} transactions=${timing.transactions} round_trips=${timing.roundTrips}"`,
    `loop;dur=${eventLoopDelayP99Ms().toFixed(2)}`,
    `proc;desc="statements=${totals.statements} transactions=${totals.transactions} round_trips=${totals.roundTrips} metrics_us=${Math.round(totals.metricsUs)}"`,
    `total;dur=${totalMs.toFixed(2)}`,
  ].join(", ");
}
