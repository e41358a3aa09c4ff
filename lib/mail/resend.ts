import "server-only";
/**
 * Resend's HTTP API: `POST {base}/emails` with `Authorization: Bearer <key>` and a JSON
 * body `{from, to: [...], subject, text, html}`; 200 answers `{id}`, errors answer
 * `{statusCode, name, message}`. `Idempotency-Key` makes a retried send go out once.
 * One retry on 429 and 5xx (after `Retry-After`, at most 2 s), then the error is thrown.
 */
import type { MailTransport, OutgoingMail } from "./types";

const TIMEOUT_MS = 10_000;
const MAX_RETRY_WAIT_MS = 2_000;

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
  async function post(mail: OutgoingMail): Promise<Response> {
    return fetch(`${options.apiBase}/emails`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        "content-type": "application/json",
        "idempotency-key": mail.id,
      },
      body: JSON.stringify({ from: mail.from, to: [mail.to], subject: mail.subject, text: mail.text, html: mail.html }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  }

  return {
    kind: "resend",
    async send(mail: OutgoingMail) {
      let response = await post(mail);
      if (response.status === 429 || response.status >= 500) {
        const seconds = Number(response.headers.get("retry-after"));
        await new Promise((r) =>
          setTimeout(r, Number.isFinite(seconds) ? Math.min(seconds * 1000, MAX_RETRY_WAIT_MS) : 500),
        );
        response = await post(mail);
      }
      if (response.ok) return;
      const body = (await response.json().catch(() => ({}))) as { name?: unknown; message?: unknown };
      throw new MailProviderError(
        response.status,
        typeof body.name === "string" ? body.name : "unknown",
        typeof body.message === "string" ? body.message : `Resend answered ${response.status}`,
      );
    },
  };
}
