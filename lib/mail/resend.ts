import "server-only";
/**
 * Resend's HTTP API: `POST {base}/emails` with `Authorization: Bearer <key>` and a JSON
 * body `{from, to: [...], subject, text, html}`; 200 answers `{id}`, errors answer
 * `{statusCode, name, message}`. `Idempotency-Key` makes a retried send go out once.
 * One retry on 429, 5xx or no answer (after `Retry-After`, at most 2 s; lib/http/retry.ts),
 * then the error is thrown: a person is waiting for this mail's page to answer.
 */
import { fetchWithRetry, RETRY_429_5XX } from "../http/retry";
import type { MailTransport, OutgoingMail } from "./types";

const RETRY = { attempts: 2, backoffMs: 500, maxWaitMs: 2_000, timeoutMs: 10_000, retryOn: RETRY_429_5XX };

export class MailProviderError extends Error {
  constructor(
    readonly status: number,
    readonly providerCode: string,
    message: string,
  ) {
    super(message);
    this.name = "MailProviderError";
  }
}

export function resendTransport(options: { apiKey: string; apiBase: string }): MailTransport {
  return {
    kind: "resend",
    async send(mail: OutgoingMail) {
      const result = await fetchWithRetry(
        `${options.apiBase}/emails`,
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            "content-type": "application/json",
            "idempotency-key": mail.id,
          },
          body: JSON.stringify({
            from: mail.from,
            to: [mail.to],
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
          }),
        },
        RETRY,
      );
      if (!result.answered) throw result.error;
      if (result.status >= 200 && result.status < 300) return;
      const body = parseError(result.text);
      throw new MailProviderError(
        result.status,
        typeof body.name === "string" ? body.name : "unknown",
        typeof body.message === "string" ? body.message : `Resend answered ${result.status}`,
      );
    },
  };
}

function parseError(text: string): { name?: unknown; message?: unknown } {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}
