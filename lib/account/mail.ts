import "server-only";
import { sendAccountMail, type AccountMail } from "../mail";
import type { AccountDeps } from "./deps";

/** A mail an account flow decided to send, sent once its transaction has committed. */
export interface PendingMail {
  to: string;
  mail: AccountMail;
}

export async function deliver(
  deps: Pick<AccountDeps, "mailer" | "lang">,
  mails: readonly PendingMail[],
): Promise<void> {
  for (const { to, mail } of mails) await sendAccountMail(deps.mailer, to, mail, deps.lang);
}

/** An absolute link to one of our pages. */
export function link(deps: Pick<AccountDeps, "appUrl">, path: string, token?: string): string {
  const url = new URL(path, deps.appUrl);
  if (token !== undefined) url.searchParams.set("token", token);
  return url.toString();
}
