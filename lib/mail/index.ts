import "server-only";
/**
 * The mailer: one `sendAccountMail` whatever carries the mail (SMTP, Resend, the local
 * outbox), chosen by the settings (lib/config/mail.ts).
 *
 * Sending never fails the request that caused it: an account answer must not depend on
 * whether a mail server is up (and must answer the same for an address that has an
 * account and one that does not). A failed send is logged at `error` (`alert` when no
 * transport is configured in production) and the user can ask again.
 */
import { randomUUID } from "node:crypto";
import { getConfig, type MailConfig, type MailTransportConfig } from "../config";
import { log } from "../log/logger";
import { outboxTransport } from "./outbox";
import { resendTransport } from "./resend";
import { smtpTransport } from "./smtp";
import { renderMail, type AccountMail, type MailLang } from "./templates";
import type { MailTransport } from "./types";

export type { AccountMail, MailLang } from "./templates";

export interface Mailer {
  transport: MailTransport;
  from: string;
}

export function mailerFor(config: MailConfig): Mailer {
  return { transport: transportFor(config.transport), from: config.from };
}

function transportFor(config: MailTransportConfig): MailTransport {
  switch (config.kind) {
    case "smtp":
      return smtpTransport(config.url);
    case "resend":
      return resendTransport(config);
    case "outbox":
      return outboxTransport(config.dir);
    case "unconfigured":
      return {
        kind: "unconfigured",
        send() {
          throw new Error("No mail transport is configured: set MAIL_SMTP_URL or MAIL_RESEND_API_KEY");
        },
      };
  }
}

/** Process-wide, so tests can hand route handlers a mailer of their own (tests/helpers/mail.ts). */
const mailerSlot = Symbol.for("koepon.mailer");

/** The process's mailer, from the settings. */
export function getMailer(): Mailer {
  const g = globalThis as typeof globalThis & { [mailerSlot]?: Mailer };
  g[mailerSlot] ??= mailerFor(getConfig().mail);
  return g[mailerSlot];
}

/** Renders and sends one account mail; true when the transport accepted it. */
export async function sendAccountMail(mailer: Mailer, to: string, mail: AccountMail, lang: MailLang): Promise<boolean> {
  const id = randomUUID();
  try {
    await mailer.transport.send({ ...renderMail(to, mail, lang), from: mailer.from, id });
    log("info", "mail.sent", { kind: mail.kind, transport: mailer.transport.kind, mailId: id });
    return true;
  } catch (err) {
    log(mailer.transport.kind === "unconfigured" ? "alert" : "error", "mail.send_failed", {
      kind: mail.kind,
      transport: mailer.transport.kind,
      mailId: id,
      error: err,
    });
    return false;
  }
}
