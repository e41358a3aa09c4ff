import type { Metadata } from "next";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import { getLocale } from "@/lib/i18n/server";
import { ResetRequestForm, SetPasswordForm } from "./reset-forms";

interface Props {
  searchParams: Promise<{ token?: string | string[] }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: accountMessagesFor(await getLocale()).reset.title, robots: { index: false } };
}

/**
 * Without a token: ask for the address (the answer is the same whether it has an
 * account). With the mailed token: choose the new password; the API checks the link.
 */
export default async function ResetPasswordPage({ searchParams }: Props) {
  const token = [(await searchParams).token].flat()[0];
  const messages = accountMessagesFor(await getLocale());
  const t = {
    reset: messages.reset,
    fields: messages.fields,
    form: messages.form,
    passwordReasons: messages.passwordReasons,
    signup: messages.signup,
  };
  return (
    <section className="auth-page" aria-labelledby="reset-title">
      <h1 id="reset-title">{messages.reset.title}</h1>
      {token ? <SetPasswordForm token={token} t={t} /> : <ResetRequestForm t={t} />}
    </section>
  );
}
