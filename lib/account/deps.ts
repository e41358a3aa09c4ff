import "server-only";
import { authDeps } from "../auth/deps";
import type { AuthDeps } from "../auth/session";
import { getConfig } from "../config";
import { getMailer, type Mailer, type MailLang } from "../mail";

/** What the account flows need beyond sign-in: a mailer, the site's address for links, the reader's language. */
export interface AccountDeps extends AuthDeps {
  mailer: Mailer;
  /** Public origin links in mail point at (APP_URL). */
  appUrl: string;
  lang: MailLang;
}

export async function accountDeps(lang: MailLang): Promise<AccountDeps> {
  return { ...(await authDeps()), mailer: getMailer(), appUrl: getConfig().appUrl, lang };
}
