/** One mail as every transport takes it: plain text for any client, simple HTML beside it. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface OutgoingMail extends Mail {
  from: string;
  /**
   * Stable per logical message, so a provider that deduplicates (Resend's
   * `Idempotency-Key`) sends a retried request once.
   */
  id: string;
}

export interface MailTransport {
  readonly kind: string;
  send(mail: OutgoingMail): Promise<void>;
}
