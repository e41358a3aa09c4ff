/**
 * The scale drill's client: one request through the balancer, answered with its status,
 * error code, body and the instance that answered. A request that gets no answer within
 * its timeout, or whose connection fails, is reported as such, never thrown.
 */
import { INSTANCE_HEADER } from "./balancer";

export interface Reply {
  status: number;
  /** The error code of a 4xx/5xx body, "" otherwise; "no-answer" or "connection" without a status. */
  code: string;
  body: unknown;
  instance: string | null;
  headers: Headers | null;
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** The fan's own address, as the proxy in front writes it. */
  address?: string;
  idempotencyKey?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export async function call(url: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.address) headers["x-forwarded-for"] = options.address;
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  try {
    const res = await fetch(url, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    const code = res.status >= 400 ? ((body as { error?: { code?: string } })?.error?.code ?? "(no-code)") : "";
    return { status: res.status, code, body, instance: res.headers.get(INSTANCE_HEADER), headers: res.headers };
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    return { status: 0, code: timedOut ? "no-answer" : "connection", body: null, instance: null, headers: null };
  }
}

/** "201", "429 rate_limited", "no-answer": how the report counts an answer. */
export function replyLabel(reply: Reply): string {
  if (reply.status === 0) return reply.code;
  return reply.code ? `${reply.status} ${reply.code}` : String(reply.status);
}
