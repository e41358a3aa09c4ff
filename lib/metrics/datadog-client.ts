/**
 * One request to Datadog's intake over `fetch`: gzip body, `DD-API-KEY`, a time limit,
 * and retries with exponential backoff on what Datadog says is worth retrying (429, 408
 * and 5xx, or no answer at all), honouring `Retry-After`. 401 and 403 (a wrong key) end
 * the call but keep the data for a later run; any other 4xx is final: the same body
 * would be refused again (a malformed or oversized payload).
 */
import { gzip } from "./datadog-payload";

export interface PostOptions {
  apiKey: string;
  /** @default 3 */
  attempts?: number;
  /** First backoff; doubles each retry. @default 1000 */
  backoffMs?: number;
  /** Longest wait between attempts, whatever Retry-After says. @default 30000 */
  maxWaitMs?: number;
  /** @default 10000 */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

export type PostOutcome =
  | { ok: true; attempts: number }
  | { ok: false; attempts: number; retryable: boolean; status: number | null; error: string };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds, or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** fetch's "fetch failed" hides the reason (ECONNREFUSED, a timeout…) in its cause. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message;
  return reason ? `${err.message} (${reason})` : `${err.name}: ${err.message}`;
}

export async function postToDatadog(url: string, json: string, options: PostOptions): Promise<PostOutcome> {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1_000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const sleep = options.sleep ?? sleepFor;
  const doFetch = options.fetch ?? fetch;
  const body = gzip(json);

  let last: PostOutcome = { ok: false, attempts: 0, retryable: true, status: null, error: "not sent" };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let wait = backoffMs * 2 ** (attempt - 1);
    try {
      const response = await doFetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "dd-api-key": options.apiKey,
        },
        body: new Uint8Array(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await response.text().catch(() => "");
      if (response.ok) return { ok: true, attempts: attempt };
      const retryable = response.status === 429 || response.status === 408 || response.status >= 500;
      // A rejected key: trying again now is pointless, but the data is kept for when the
      // key is fixed (retryable for the emitter, not within this call).
      const keyRejected = response.status === 401 || response.status === 403;
      last = {
        ok: false,
        attempts: attempt,
        retryable: retryable || keyRejected,
        status: response.status,
        error: text.slice(0, 300),
      };
      if (!retryable) return last;
      wait = retryAfterMs(response.headers.get("retry-after")) ?? wait;
    } catch (err) {
      last = {
        ok: false,
        attempts: attempt,
        retryable: true,
        status: null,
        error: describe(err),
      };
    }
    if (attempt < attempts) await sleep(Math.min(wait, maxWaitMs));
  }
  return last;
}
