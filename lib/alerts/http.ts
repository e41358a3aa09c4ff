/**
 * One outbound call to an alerting or monitoring API (PagerDuty, Slack, Datadog's
 * monitors API), retried as their documents ask: on 429 (after `Retry-After`) and on
 * 5xx or no answer, through the shared retry (lib/http/retry.ts), with a bounded number
 * of attempts so an evaluation never hangs on a receiver. A 4xx other than 429 is
 * final: the request is wrong and sending it again cannot help.
 */
import { fetchWithRetry, RETRY_429_5XX } from "../http/retry";

export interface RetryOptions {
  /** @default 4 */
  attempts?: number;
  /** First backoff; doubles per attempt. @default 500 */
  backoffMs?: number;
  /** Longest single wait, also for a `Retry-After` that asks for more. @default 30_000 */
  maxWaitMs?: number;
  /** @default 10_000 */
  timeoutMs?: number;
  /** Injected by tests to observe the waits. */
  sleep?: (ms: number) => Promise<void>;
}

export interface HttpAnswer {
  status: number;
  text: string;
  /** Attempts made, 1 when the first one was answered for good. */
  attempts: number;
}

export class HttpSendError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "HttpSendError";
  }
}

/** Sends until an answer that is not worth retrying; throws HttpSendError when none came or the last was 429/5xx. */
export async function sendWithRetry(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  options: RetryOptions = {},
): Promise<HttpAnswer> {
  const result = await fetchWithRetry(url, init, {
    attempts: options.attempts ?? 4,
    backoffMs: options.backoffMs ?? 500,
    maxWaitMs: options.maxWaitMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 10_000,
    retryOn: RETRY_429_5XX,
    sleep: options.sleep,
  });
  if (result.answered && !result.exhausted)
    return { status: result.status, text: result.text, attempts: result.attempts };
  const failure = result.answered ? `answered ${result.status}` : result.reason;
  throw new HttpSendError(
    `${init.method} ${new URL(url).host}: ${failure} after ${result.attempts} attempts`,
    result.answered ? result.status : null,
  );
}
