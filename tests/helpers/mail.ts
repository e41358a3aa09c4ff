/**
 * The mail a test caused, read back from a real outbox (lib/mail/outbox.ts) in a
 * temporary folder. `useTestMailer()` points the process's mailer slot at it, so route
 * handlers send there too.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { mailerFor, type Mailer } from "@/lib/mail";
import { listOutbox, type StoredMail } from "@/lib/mail/outbox";

const slot = Symbol.for("koepon.mailer");

export interface TestMailer {
  dir: string;
  mailer: Mailer;
  /** Newest first. */
  mails(to?: string): Promise<StoredMail[]>;
  /** The token of the newest link to `pagePath` mailed to `to`. */
  tokenFor(to: string, pagePath: string): Promise<string>;
  restore(): Promise<void>;
}

export async function useTestMailer(): Promise<TestMailer> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-outbox-"));
  const mailer = mailerFor({ transport: { kind: "outbox", dir }, from: "Koepon! <no-reply@test.koepon.invalid>" });
  const g = globalThis as typeof globalThis & { [slot]?: Mailer };
  const previous = g[slot];
  g[slot] = mailer;
  const mails = (to?: string) => listOutbox(dir, to === undefined ? {} : { to });
  return {
    dir,
    mailer,
    mails,
    async tokenFor(to, pagePath) {
      for (const mail of await mails(to)) {
        const token = linkToken(mail.text, pagePath);
        if (token) return token;
      }
      throw new Error(`no link to ${pagePath} was mailed to ${to}`);
    },
    async restore() {
      if (previous === undefined) delete g[slot];
      else g[slot] = previous;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** The `token` of the first link to `pagePath` in a mail's text, or null. */
export function linkToken(text: string, pagePath: string): string | null {
  for (const match of text.matchAll(/https?:\/\/\S+/g)) {
    const url = new URL(match[0]);
    if (url.pathname === pagePath && url.searchParams.has("token")) return url.searchParams.get("token");
  }
  return null;
}
