import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/current-user";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import { safeReturnPath } from "@/lib/i18n/return-path";
import { getLocale } from "@/lib/i18n/server";
import { LoginForm } from "./login-form";

interface Props {
  searchParams: Promise<{ next?: string | string[] }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: accountMessagesFor(await getLocale()).login.title, robots: { index: false } };
}

export default async function LoginPage({ searchParams }: Props) {
  // Kept on this site: an open redirect after sign-in would make a fine phishing hook.
  const next = safeReturnPath([(await searchParams).next].flat()[0]);
  if (await getCurrentUser()) redirect(next);

  const t = accountMessagesFor(await getLocale());
  const signupHref = next === "/" ? "/signup" : `/signup?${new URLSearchParams({ next })}`;
  return (
    <section className="auth-page" aria-labelledby="login-title">
      <h1 id="login-title">{t.login.title}</h1>
      <LoginForm
        next={next}
        t={{ login: t.login, fields: t.fields, form: t.form, passwordReasons: t.passwordReasons }}
      />
      <p className="auth-page__switch">
        <Link href="/reset-password">{t.login.forgotPassword}</Link>
      </p>
      <p className="auth-page__switch">
        {t.login.noAccount} <Link href={signupHref}>{t.login.signUpLink}</Link>
      </p>
    </section>
  );
}
