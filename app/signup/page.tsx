import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { jstDate } from "@/lib/auth/age";
import { getCurrentUser } from "@/lib/auth/current-user";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import { safeReturnPath } from "@/lib/i18n/return-path";
import { getLocale } from "@/lib/i18n/server";
import { SignupForm } from "./signup-form";

interface Props {
  searchParams: Promise<{ next?: string | string[] }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: accountMessagesFor(await getLocale()).signup.title };
}

export default async function SignupPage({ searchParams }: Props) {
  // Kept on this site: an open redirect after sign-up would make a fine phishing hook.
  const next = safeReturnPath([(await searchParams).next].flat()[0]);
  if (await getCurrentUser()) redirect(next);

  const t = accountMessagesFor(await getLocale());
  const loginHref = next === "/" ? "/login" : `/login?${new URLSearchParams({ next })}`;
  return (
    <section className="auth-page" aria-labelledby="signup-title">
      <h1 id="signup-title">{t.signup.title}</h1>
      <p>{t.signup.lead}</p>
      <SignupForm
        loginHref={loginHref}
        today={jstDate(new Date())}
        t={{ signup: t.signup, fields: t.fields, form: t.form, passwordReasons: t.passwordReasons }}
      />
      <p className="auth-page__switch">
        {t.signup.haveAccount} <Link href={loginHref}>{t.signup.signInLink}</Link>
      </p>
    </section>
  );
}
