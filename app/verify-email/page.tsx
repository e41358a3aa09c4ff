import type { Metadata } from "next";
import Link from "next/link";
import { previewEmailLink, type LinkPreview } from "@/lib/account/verify-email";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { DomainError } from "@/lib/domain-error";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import { getLocale } from "@/lib/i18n/server";
import { ConfirmLink } from "./confirm-link";

interface Props {
  searchParams: Promise<{ token?: string | string[] }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: accountMessagesFor(await getLocale()).verify.title, robots: { index: false } };
}

/**
 * Opening a mailed link shows what it will do and asks for one click: mail scanners and
 * link previews open links too, and must not verify an address or move an account.
 */
export default async function VerifyEmailPage({ searchParams }: Props) {
  const token = [(await searchParams).token].flat()[0] ?? "";
  const messages = accountMessagesFor(await getLocale());
  const t = messages.verify;
  let preview: LinkPreview | null = null;
  if (token) {
    try {
      preview = await previewEmailLink({ db: await getDb(), now: new Date() }, token);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
    }
  }
  const signedIn = (await getCurrentUser()) !== null;

  return (
    <section className="auth-page" aria-labelledby="verify-title">
      <h1 id="verify-title">{t.title}</h1>
      {preview ? (
        <ConfirmLink
          token={token}
          preview={preview}
          signedIn={signedIn}
          t={{ verify: t, fields: messages.fields, form: messages.form, passwordReasons: messages.passwordReasons }}
        />
      ) : (
        <div className="panel" role="alert">
          <p>{token ? t.invalid : t.missing}</p>
          <p>{t.invalidHint}</p>
          <Link href={signedIn ? "/account" : "/login?next=%2Faccount"} className="button">
            {signedIn ? t.toAccount : t.signIn}
          </Link>
        </div>
      )}
    </section>
  );
}
