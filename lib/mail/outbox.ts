import "server-only";
/**
 * The local outbox: without a mail transport (embedded mode, and any non-production run
 * with none configured) each mail is written as one JSON file under the data folder, and
 * `/dev/outbox` lists them for the developer. Names start with the time, so a directory
 * listing is already in order.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { MailTransport, OutgoingMail } from "./types";

export interface StoredMail extends OutgoingMail {
  sentAt: string;
}

/** The page shows this many, newest first. */
export const OUTBOX_PAGE_SIZE = 50;
const FILE = /^\d{13}-[0-9a-f-]{36}\.json$/;

export function outboxTransport(dir: string, clock: () => Date = () => new Date()): MailTransport {
  return {
    kind: "outbox",
    async send(mail: OutgoingMail) {
      const now = clock();
      await fs.mkdir(dir, { recursive: true, mode: 0o700 });
      const stored: StoredMail = { ...mail, sentAt: now.toISOString() };
      // Written under a temporary name and renamed, so a reader never sees half a mail.
      const file = path.join(dir, `${String(now.getTime()).padStart(13, "0")}-${mail.id}.json`);
      await fs.writeFile(`${file}.tmp`, JSON.stringify(stored), { mode: 0o600 });
      await fs.rename(`${file}.tmp`, file);
    },
  };
}

/** The newest mails, optionally only those to one address. */
export async function listOutbox(dir: string, options: { to?: string } = {}): Promise<StoredMail[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir)).filter((n) => FILE.test(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  names.sort().reverse();
  const mails: StoredMail[] = [];
  for (const name of names) {
    const mail = JSON.parse(await fs.readFile(path.join(dir, name), "utf8")) as StoredMail;
    if (options.to !== undefined && mail.to !== options.to.trim().toLowerCase()) continue;
    mails.push(mail);
    if (mails.length === OUTBOX_PAGE_SIZE) break;
  }
  return mails;
}

export async function readOutboxMail(dir: string, id: string): Promise<StoredMail | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const name = names.find((n) => FILE.test(n) && n.endsWith(`-${id}.json`));
  return name ? (JSON.parse(await fs.readFile(path.join(dir, name), "utf8")) as StoredMail) : null;
}
