/**
 * One request to Datadog's intake over `fetch`: gzip body, `DD-API-KEY`, a time limit,
 * and retries through lib/http/retry.ts on what Datadog says is worth retrying (429, 408
 * and 5xx, or no answer at all), honouring `Retry-After`. 401 and 403 (a wrong key) end
 * the call but keep the data for a later run; any other 4xx is final: the same body
 * would be refused again (a malformed or oversized payload).
 */
import { fetchWithRetry, RETRY_429_5XX } from "../http/retry";
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

/** Datadog's intake asks for a retry on these (its API docs: 408, 429, 5xx). */
const DATADOG_RETRYABLE = (status: number) => status === 408 || RETRY_429_5XX(status);

export async function postToDatadog(url: string, json: string, options: PostOptions): Promise<PostOutcome> {
  const result = await fetchWithRetry(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", "dd-api-key": options.apiKey },
      body: new Uint8Array(gzip(json)),
    },
    {
      attempts: options.attempts ?? 3,
      backoffMs: options.backoffMs ?? 1_000,
      maxWaitMs: options.maxWaitMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      retryOn: DATADOG_RETRYABLE,
      sleep: options.sleep,
      fetch: options.fetch,
    },
  );
  if (!result.answered) {
    return { ok: false, attempts: result.attempts, retryable: true, status: null, error: result.reason };
  }
  if (result.status >= 200 && result.status < 300) return { ok: true, attempts: result.attempts };
  // A rejected key: trying again now is pointless, but the data is kept for when the
  // key is fixed (retryable for the emitter, not within this call).
  const keyRejected = result.status === 401 || result.status === 403;
  return {
    ok: false,
    attempts: result.attempts,
    retryable: result.exhausted || keyRejected,
    status: result.status,
    error: result.text.slice(0, 300),
  };
}
