/**
 * The watch after a switch: the new colour keeps production until the window ends
 * unless it stops answering as itself, its share of 5xx answers crosses the limit, or
 * its latency does. Any one ends the watch early with the reason, and the release
 * rolls back. Thresholds follow the alert rules: error rate > 5 % (with a minimum
 * volume, so two errors in twenty requests on a quiet night are not a verdict), P95 >
 * 1 s, health failing twice in a row (one lost probe is not an outage).
 */
import type { Deployment, ReleaseTarget } from "./targets/types";

export interface WatchOptions {
  target: ReleaseTarget;
  green: Deployment;
  /** @default 300000 (5 minutes) */
  durationMs?: number;
  /** @default 2000 */
  intervalMs?: number;
  /** @default 0.05 */
  maxErrorRate?: number;
  /** Requests before the error rate counts. @default 50 */
  minVolume?: number;
  /** @default 1000 */
  maxP95Ms?: number;
  /** Probes before P95 counts. @default 10 */
  minProbes?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

export interface WatchResult {
  ok: boolean;
  reason?: string;
  /** When the failure was first seen (ms since the epoch). */
  failedAt?: number;
  probes: number;
  p95Ms: number | null;
  requests: number;
  errors5xx: number;
}

export async function watch(options: WatchOptions): Promise<WatchResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch = options.fetch ?? fetch;
  const duration = options.durationMs ?? 300_000;
  const interval = options.intervalMs ?? 2_000;
  const maxErrorRate = options.maxErrorRate ?? 0.05;
  const minVolume = options.minVolume ?? 50;
  const maxP95 = options.maxP95Ms ?? 1_000;
  const minProbes = options.minProbes ?? 10;
  const { target, green } = options;

  const baseline = (await target.traffic(green.colour)) ?? { requests: 0, errors5xx: 0 };
  const latencies: number[] = [];
  let consecutiveFailures = 0;
  let lastTraffic = baseline;
  const result = (ok: boolean, reason?: string, failedAt?: number): WatchResult => ({
    ok,
    ...(reason ? { reason, failedAt } : {}),
    probes: latencies.length,
    p95Ms: percentile(latencies, 0.95),
    requests: lastTraffic.requests - baseline.requests,
    errors5xx: lastTraffic.errors5xx - baseline.errors5xx,
  });

  const end = now() + duration;
  while (now() < end) {
    const started = performance.now();
    const problem = await probe(doFetch, target.productionUrl, green.releaseId);
    const at = now();
    latencies.push(performance.now() - started);
    consecutiveFailures = problem ? consecutiveFailures + 1 : 0;
    if (consecutiveFailures >= 2) return result(false, `health: ${problem}`, at);

    lastTraffic = (await target.traffic(green.colour)) ?? lastTraffic;
    const requests = lastTraffic.requests - baseline.requests;
    const errors = lastTraffic.errors5xx - baseline.errors5xx;
    if (requests >= minVolume && errors / requests > maxErrorRate) {
      return result(false, `error rate ${((100 * errors) / requests).toFixed(1)} % of ${requests} requests`, at);
    }
    const p95 = percentile(latencies.slice(-50), 0.95);
    if (latencies.length >= minProbes && p95 !== null && p95 > maxP95) {
      return result(false, `P95 ${Math.round(p95)} ms over the last ${Math.min(50, latencies.length)} probes`, at);
    }
    options.log?.(`watch: ${green.colour} ${requests} requests, ${errors} 5xx, P95 ${Math.round(p95 ?? 0)} ms`);
    await sleep(interval);
  }
  return result(true);
}

/** Null when production answers healthy as `releaseId`, else what is wrong. */
async function probe(doFetch: typeof fetch, url: string, releaseId: string): Promise<string | null> {
  try {
    const res = await doFetch(new URL("/api/health", url), { signal: AbortSignal.timeout(5_000) });
    if (res.status !== 200) return `HTTP ${res.status}`;
    const body = (await res.json()) as { status?: string; releaseId?: string };
    if (body.status !== "pass") return `status ${body.status}`;
    if (body.releaseId !== releaseId) return `production answers as ${body.releaseId}, not ${releaseId}`;
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
