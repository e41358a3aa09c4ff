import "server-only";
/**
 * SMTP through nodemailer: MIME encoding (UTF-8 Japanese subjects and bodies), STARTTLS
 * when the server offers it, authentication from the URL (`smtp://user:pass@host:587`,
 * `smtps://…:465` for implicit TLS).
 */
import nodemailer from "nodemailer";
import type { MailTransport, OutgoingMail } from "./types";

/** A slow SMTP server must not hold a request for long: the route answers the same either way. */
const TIMEOUT_MS = 10_000;

export function smtpTransport(url: string): MailTransport {
  const options = new URL(url).searchParams;
  for (const name of ["connectionTimeout", "greetingTimeout", "socketTimeout"]) {
    if (!options.has(name)) options.set(name, String(TIMEOUT_MS));
  }
  const withTimeouts = new URL(url);
  withTimeouts.search = options.toString();
  const transporter = nodemailer.createTransport(withTimeouts.toString());
  return {
    kind: "smtp",
    async send(mail: OutgoingMail) {
      await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.id}@koepon>`,
      });
    },
  };
}
