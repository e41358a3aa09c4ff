/**
 * The drill's load: signed-in fans paying for single pulls and 10-pulls, each with an
 * idempotency key, retried with the same key as a real client would when the answer is
 * a 503, a 429 or no answer at all. Every answer is recorded as a label.
 */
import { performance } from "node:perf_hooks";

export interface DrillFan {
  token: string;
  address: string;
}

export interface LoadResult {
  requests: number;
  /** Paid pulls answered 201 (a replay of the same key counts once). */
  succeeded: number;
  failed: Record<string, number>;
  /** Times (ms since the run started) of each 201. */
  successAtMs: number[];
  /** Pulls (1 or 10 each) sent, retries included. */
  pullsSent: number;
  /** Purchases whose last attempt still failed in a way worth retrying: the client gave up. */
  abandoned: number;
}

const REQUEST_TIMEOUT_MS = 20_000;
const RETRIES = 4;

function label(status: number, body: string): string {
  try {
    const code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
    return `${status} ${code ?? "(no-code)"}`;
  } catch {
    return `${status} (no-code)`;
  }
}

async function attempt(
  baseUrl: string,
  fan: DrillFan,
  campaignId: string,
  count: number,
  key: string,
): Promise<{ label: string; ok: boolean; retry: boolean }> {
  try {
    const res = await fetch(`${baseUrl}/api/gachas/${campaignId}/pulls`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${fan.token}`,
        "content-type": "application/json",
        "idempotency-key": key,
        "x-forwarded-for": fan.address,
      },
      body: JSON.stringify({ count, paymentMethodId: "pm_card_visa" }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status === 201 || res.status === 200) return { label: String(res.status), ok: true, retry: false };
    const l = label(res.status, text);
    // 502/504: a proxy in front lost the server mid-answer; the same key makes a retry safe.
    const retry = [409, 429, 502, 503, 504].includes(res.status);
    return { label: l, ok: false, retry };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    if ((err as Error).name === "TimeoutError") return { label: "hang", ok: false, retry: true };
    if (cause === "ECONNREFUSED" || cause === "ECONNRESET" || cause === "UND_ERR_SOCKET") {
      return { label: "refused", ok: false, retry: true };
    }
    return { label: `network ${(err as Error).name}${cause ? ` ${cause}` : ""}`, ok: false, retry: true };
  }
}

/**
 * `concurrency` workers for `seconds`; every fifth purchase is a 10-pull. Keys are unique
 * per purchase, and a retry reuses its purchase's key.
 */
export async function runLoad(options: {
  baseUrl: string;
  fans: readonly DrillFan[];
  campaignIds: readonly string[];
  concurrency: number;
  seconds: number;
  keyPrefix: string;
}): Promise<LoadResult> {
  const result: LoadResult = { requests: 0, succeeded: 0, failed: {}, successAtMs: [], pullsSent: 0, abandoned: 0 };
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let n = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = n++;
      const fan = options.fans[i % options.fans.length]!;
      const campaignId = options.campaignIds[i % options.campaignIds.length]!;
      const count = i % 5 === 4 ? 10 : 1;
      const key = `${options.keyPrefix}-${i}`;
      for (let a = 0; a <= RETRIES; a++) {
        const r = await attempt(options.baseUrl, fan, campaignId, count, key);
        result.requests++;
        result.pullsSent += count;
        if (r.ok) {
          result.succeeded++;
          result.successAtMs.push(performance.now() - started);
          break;
        }
        result.failed[r.label] = (result.failed[r.label] ?? 0) + 1;
        if (!r.retry) break;
        if (a === RETRIES) {
          result.abandoned++;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** a));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return result;
}
