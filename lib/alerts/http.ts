/**
 * One outbound call to an alerting or monitoring API, retried the way their documents
 * ask: on 429 (after `Retry-After` when given) and on 5xx or no answer, with exponential
 * backoff, a timeout per attempt, and a bounded number of attempts so an evaluation
 * never hangs on a receiver. A 4xx other than 429 is final: the request is wrong and
 * sending it again cannot help.
 */

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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends until an answer that is not worth retrying; throws HttpSendError when none came or the last was 429/5xx. */
export async function sendWithRetry(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  options: RetryOptions = {},
): Promise<HttpAnswer> {
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  const maxWait = options.maxWaitMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    let status: number | null = null;
    let retryAfter: string | null = null;
    let failure: string;
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
      const text = await res.text();
      if (res.status !== 429 && res.status < 500) return { status: res.status, text, attempts: attempt };
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      failure = `answered ${res.status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (attempt >= attempts) {
      throw new HttpSendError(`${init.method} ${new URL(url).host}: ${failure} after ${attempt} attempts`, status);
    }
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    const wait =
      Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : (options.backoffMs ?? 500) * 2 ** (attempt - 1);
    await sleep(Math.min(wait, maxWait));
  }
}
