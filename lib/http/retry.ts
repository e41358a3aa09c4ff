/**
 * Outbound HTTP calls to the services we report to or deliver through (PagerDuty, Slack,
 * Datadog, Resend, a webhook receiver), retried one way: a bounded number of attempts,
 * exponential backoff, `Retry-After` honoured whether it is given in seconds or as an
 * HTTP date, a time limit per attempt. Which answers are worth another try is the
 * caller's (its service documents it): `retryOn` sees each status, and an attempt that
 * got no answer at all (refused, reset, timed out) is always tried again.
 *
 * It never throws: the caller decides what a final answer, or none, means for it.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the first retry; doubled before each next one. */
  backoffMs: number;
  /** Longest single wait, also for a `Retry-After` that asks for more. */
  maxWaitMs: number;
  /** Whether an answer with this status is tried again. */
  retryOn: (status: number) => boolean;
  /** Time limit of each attempt; none when absent. */
  timeoutMs?: number;
  /** Injected by tests to observe the waits. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
  /** Clock that an HTTP-date `Retry-After` is measured against. */
  now?: () => number;
}

/** 429 and every 5xx: what PagerDuty, Slack, Resend and most APIs ask to be retried. */
export const RETRY_429_5XX = (status: number): boolean => status === 429 || status >= 500;

export type RetryResult =
  /** The last answer: final by `retryOn`, or still retryable when the attempts ran out (`exhausted`). */
  | { answered: true; status: number; headers: Headers; text: string; attempts: number; exhausted: boolean }
  /** No attempt got an answer; `error` is the last attempt's failure. */
  | { answered: false; error: unknown; reason: string; attempts: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds a `Retry-After` header asks for (RFC 9110 §10.2.3: whole seconds, or an
 * HTTP date). Null when absent or unreadable; a date in the past is 0.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === "") return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Not a number at all: Date.parse would take "12" or "-1" as a year.
  if (!/[A-Za-z]/.test(value)) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** `fetch failed` hides the reason (ECONNREFUSED, a timeout…) in its cause. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message;
  return reason ? `${err.message} (${reason})` : `${err.name}: ${err.message}`;
}

export async function fetchWithRetry(url: string, init: RequestInit, policy: RetryPolicy): Promise<RetryResult> {
  const sleep = policy.sleep ?? realSleep;
  const send = policy.fetch ?? fetch;
  const now = policy.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    let wait = policy.backoffMs * 2 ** (attempt - 1);
    let failed: RetryResult;
    try {
      const response = await send(url, {
        ...init,
        signal: policy.timeoutMs === undefined ? init.signal : AbortSignal.timeout(policy.timeoutMs),
      });
      const text = await response.text().catch(() => "");
      const retryable = policy.retryOn(response.status);
      failed = {
        answered: true,
        status: response.status,
        headers: response.headers,
        text,
        attempts: attempt,
        exhausted: retryable,
      };
      if (!retryable) return failed;
      wait = retryAfterMs(response.headers.get("retry-after"), now()) ?? wait;
    } catch (error) {
      failed = { answered: false, error, reason: describeFailure(error), attempts: attempt };
    }
    if (attempt >= policy.attempts) return failed;
    await sleep(Math.min(wait, policy.maxWaitMs));
  }
}
