import Joi from "joi";
import { ConfigError, envSchema, readEnv, type Env } from "./env";
import type { ModeConfig } from "./mode";
import type { ServerConfig } from "./server";

/**
 * How account mail (verification, password reset, email change, notices) leaves.
 * - `smtp`: any SMTP server, through nodemailer (`MAIL_SMTP_URL`).
 * - `resend`: Resend's HTTP API (`MAIL_RESEND_API_KEY`; `MAIL_RESEND_API_BASE` points
 *   it elsewhere, e.g. at a local server in tests).
 * - `outbox`: no transport configured outside production: each mail is written as a
 *   file under the data folder and listed at `/dev/outbox` (loopback clients only).
 * - `unconfigured`: production without a transport: sending refuses and logs an alert,
 *   so a missing setting is loud instead of mail silently piling up on a disk.
 */
export type MailTransportConfig =
  | { kind: "smtp"; url: string }
  | { kind: "resend"; apiKey: string; apiBase: string }
  | { kind: "outbox"; dir: string }
  | { kind: "unconfigured" };

export interface MailConfig {
  transport: MailTransportConfig;
  /** The From header of every mail. */
  from: string;
}

interface MailEnv {
  MAIL_FROM: string;
  MAIL_SMTP_URL?: string;
  MAIL_RESEND_API_KEY?: string;
  MAIL_RESEND_API_BASE: string;
}

export const mailEnv = envSchema<MailEnv>({
  MAIL_FROM: Joi.string().max(320).default("Koepon! <no-reply@koepon.localhost>"),
  MAIL_SMTP_URL: Joi.string()
    .uri({ scheme: ["smtp", "smtps"] })
    .empty(""),
  MAIL_RESEND_API_KEY: Joi.string().max(200).empty(""),
  MAIL_RESEND_API_BASE: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .default("https://api.resend.com"),
});

export function mailSettings(
  env: Env,
  server: Pick<ServerConfig, "dataDir">,
  mode: Pick<ModeConfig, "mode">,
): MailConfig {
  const v = readEnv(mailEnv, env);
  if (v.MAIL_SMTP_URL && v.MAIL_RESEND_API_KEY) {
    throw new ConfigError("Set MAIL_SMTP_URL or MAIL_RESEND_API_KEY, not both. See .env.example.");
  }
  const transport: MailTransportConfig = v.MAIL_SMTP_URL
    ? { kind: "smtp", url: v.MAIL_SMTP_URL }
    : v.MAIL_RESEND_API_KEY
      ? { kind: "resend", apiKey: v.MAIL_RESEND_API_KEY, apiBase: v.MAIL_RESEND_API_BASE.replace(/\/+$/, "") }
      : mode.mode === "production"
        ? { kind: "unconfigured" }
        : { kind: "outbox", dir: `${server.dataDir}/outbox` };
  return { transport, from: v.MAIL_FROM };
}
