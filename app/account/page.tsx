import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { MonthlySpendList } from "@/app/_components/monthly-spend-list";
import { SignOutButton } from "@/app/_components/sign-out-button";
import Link from "next/link";
import { hasRole } from "@/lib/auth/caller";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getMe } from "@/lib/auth/me";
import { getDb } from "@/lib/db";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { VoluntaryLimitForm } from "./voluntary-limit-form";

export async function generateMetadata(): Promise<Metadata> {
  return { title: accountMessagesFor(await getLocale()).account.title, robots: { index: false } };
}

export default async function AccountPage() {
  const user = await getCurrentUser();
  // The gate leaves /account open (it is not a role area); the page asks for a session itself.
  if (!user) redirect(`/login?${new URLSearchParams({ next: "/account" })}`);

  const [me, locale] = await Promise.all([getMe(await getDb(), user.claims, new Date()), getLocale()]);
  const messages = accountMessagesFor(locale);
  const { account: t, fields } = messages;
  const vtuberT = vtuberMessagesFor(locale);

  return (
    <div className="account-page">
      <h1>{t.title}</h1>

      <section className="panel" aria-labelledby="account-profile">
        <h2 id="account-profile">{t.profileHeading}</h2>
        <dl className="summary-list">
          <div>
            <dt>{fields.displayName}</dt>
            <dd>{me.displayName}</dd>
          </div>
          <div>
            <dt>{fields.email}</dt>
            <dd>{me.email}</dd>
          </div>
          <div>
            <dt>{t.ageBand}</dt>
            <dd>{t.ageBands[me.ageBand]}</dd>
          </div>
        </dl>
      </section>

      <section className="panel" aria-labelledby="account-spending">
        <h2 id="account-spending">{t.spendingHeading}</h2>
        <MonthlySpendList spendJpy={me.monthlySpendJpy} limitJpy={me.monthlyLimitJpy} t={t} />
        <p className="note">{t.spendNote}</p>
        {me.ageBand !== "adult" && <p className="note">{t.minorCapNote}</p>}
      </section>

      {me.ageBand === "adult" && (
        <section className="panel" aria-labelledby="account-limit">
          <h2 id="account-limit">{t.limitHeading}</h2>
          <p>{t.limitLead}</p>
          {/* For an adult the limit in force is exactly the one they set. */}
          <VoluntaryLimitForm current={me.monthlyLimitJpy} t={messages} />
        </section>
      )}

      <section className="panel" aria-labelledby="account-vtuber">
        <h2 id="account-vtuber">VTuber</h2>
        <p>
          {hasRole(user.role, "vtuber") ? (
            <Link href="/vtuber">{vtuberT.apply.toConsole}</Link>
          ) : (
            <Link href="/apply">{vtuberT.apply.title}</Link>
          )}
        </p>
      </section>

      <section className="panel" aria-labelledby="account-sessions">
        <h2 id="account-sessions">{t.sessionsHeading}</h2>
        <div className="button-row">
          <SignOutButton label={t.signOut} pendingLabel={t.signingOut} className="button button--secondary" />
          <SignOutButton
            label={t.signOutEverywhere}
            pendingLabel={t.signingOut}
            everywhere
            className="button button--secondary"
          />
        </div>
        <p className="note">{t.signOutEverywhereNote}</p>
      </section>
    </div>
  );
}
