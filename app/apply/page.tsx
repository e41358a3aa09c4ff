import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { RichText } from "@/app/_components/rich-text";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { getApplication } from "@/lib/vtuber/application";
import { ApplicationForm } from "./application-form";
import { ConsoleLink } from "./console-link";
import "../vtuber/vtuber.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).apply.title, robots: { index: false } };
}

/** A fan's VTuber application: the form, then its status while in review and after. */
export default async function ApplyPage() {
  const user = await getCurrentUser();
  if (!user) redirect(`/login?${new URLSearchParams({ next: "/apply" })}`);
  const [application, locale] = await Promise.all([getApplication(await getDb(), user.claims), getLocale()]);
  const t = vtuberMessagesFor(locale).apply;

  return (
    <div className="console-page">
      <h1>{t.title}</h1>
      <p>{t.lead}</p>
      {application && (
        <section className="panel" aria-labelledby="apply-status" data-testid="application-status">
          <h2 id="apply-status">{t.statusHeading}</h2>
          <p data-status={application.status}>{t.status[application.status]}</p>
          {application.status === "rejected" && application.reviewNote && (
            <div className="console-note">
              <h3>{t.reasonLabel}</h3>
              <p data-testid="application-reason">{application.reviewNote}</p>
            </div>
          )}
          <dl className="summary-list">
            <div>
              <dt>{t.name}</dt>
              <dd>{application.name}</dd>
            </div>
            <div>
              <dt>{t.bio}</dt>
              <dd>
                <RichText html={application.bio} />
              </dd>
            </div>
          </dl>
          {application.status === "approved" && (
            <p>
              <ConsoleLink label={t.toConsole} />
            </p>
          )}
        </section>
      )}
      {(!application || application.status === "rejected") && (
        <section className="panel" aria-labelledby="apply-form">
          <h2 id="apply-form">{application ? t.resubmitHeading : t.formHeading}</h2>
          <ApplicationForm initial={application} locale={locale} />
        </section>
      )}
    </div>
  );
}
