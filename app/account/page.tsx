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
import { accountDataMessagesFor } from "@/lib/i18n/dictionaries/account-data";
import { fairnessMessagesFor } from "@/lib/i18n/dictionaries/fairness";
import { readCurrentSeed } from "@/lib/fairness/seeds";
import { FairnessSeedPanel } from "@/app/_components/fairness-seed-panel";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { log } from "@/lib/log/logger";
import { getPaymentProvider } from "@/lib/payments/providers";
import type { SavedCard } from "@/lib/payments/providers/types";
import { DeleteAccountForm } from "./delete-account-form";
import { ExportDataButton } from "./export-data-button";
import { SavedCards } from "./saved-cards";
import { EmailChangeForm, PasswordChangeForm, ResendVerification } from "./security-forms";
import { VoluntaryLimitForm } from "./voluntary-limit-form";

/** The fan's cards, or null when the provider cannot be reached: the rest of the page still renders. */
async function savedCardsOf(userId: string): Promise<{ provider: "sandbox" | "stripe"; cards: SavedCard[] | null }> {
  const provider = await getPaymentProvider();
  try {
    return { provider: provider.name, cards: await provider.savedCards(userId) };
  } catch (err) {
    log("error", "account.saved_cards_unavailable", { userId, error: err });
    return { provider: provider.name, cards: null };
  }
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: accountMessagesFor(await getLocale()).account.title, robots: { index: false } };
}

export default async function AccountPage() {
  const user = await getCurrentUser();
  // The gate leaves /account open (it is not a role area); the page asks for a session itself.
  if (!user) redirect(`/login?${new URLSearchParams({ next: "/account" })}`);

  const db = await getDb();
  const [me, locale, saved, seed] = await Promise.all([
    getMe(db, user.claims, new Date()),
    getLocale(),
    savedCardsOf(user.id),
    readCurrentSeed(db, user.id),
  ]);
  const fairness = fairnessMessagesFor(locale);
  const messages = accountMessagesFor(locale);
  const data = accountDataMessagesFor(locale);
  const { account: t, fields } = messages;
  const formText = {
    account: t,
    fields,
    form: messages.form,
    passwordReasons: messages.passwordReasons,
    signup: messages.signup,
  };
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
            <dt>{t.emailStatus}</dt>
            <dd>{me.emailVerified ? t.emailVerified : t.emailUnverified}</dd>
          </div>
          <div>
            <dt>{t.ageBand}</dt>
            <dd>{t.ageBands[me.ageBand]}</dd>
          </div>
        </dl>
      </section>

      {!me.emailVerified && (
        <section className="panel" aria-labelledby="account-verify">
          <h2 id="account-verify">{t.emailStatus}</h2>
          <p>{t.unverifiedNote}</p>
          <ResendVerification t={formText} />
        </section>
      )}

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

      <section className="panel" id="fairness" aria-labelledby="account-fairness">
        <h2 id="account-fairness">{fairness.heading}</h2>
        <p>{fairness.lead}</p>
        <FairnessSeedPanel
          seed={{ seedHash: seed.seedHash, clientSeed: seed.clientSeed, nextNonce: seed.nextNonce }}
          t={fairness}
          allowRotate
        />
      </section>

      <section className="panel" aria-labelledby="account-security">
        <h2 id="account-security">{t.securityHeading}</h2>
        <h3 id="account-password">{t.passwordHeading}</h3>
        <p>{t.passwordLead}</p>
        <PasswordChangeForm t={formText} />
        <h3 id="account-email">{t.emailHeading}</h3>
        <p>{t.emailLead}</p>
        {me.pendingEmail && <p className="note">{t.pendingEmail.replace("{email}", me.pendingEmail)}</p>}
        <EmailChangeForm t={formText} />
      </section>

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

      <section className="panel" aria-labelledby="account-cards">
        <h2 id="account-cards">{data.cards.heading}</h2>
        <SavedCards provider={saved.provider} cards={saved.cards} t={data.cards} />
      </section>

      <section className="panel" aria-labelledby="account-export">
        <h2 id="account-export">{data.exportData.heading}</h2>
        <p>{data.exportData.lead}</p>
        <ExportDataButton t={data.exportData} />
      </section>

      <section className="panel" aria-labelledby="account-delete">
        <h2 id="account-delete">{data.deleteAccount.heading}</h2>
        <p>{data.deleteAccount.lead}</p>
        <p className="note">{data.deleteAccount.keptNote}</p>
        <DeleteAccountForm t={data.deleteAccount} alert={messages} />
      </section>
    </div>
  );
}
