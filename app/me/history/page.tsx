import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getMe } from "@/lib/auth/me";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { UUID_PATTERN } from "@/lib/ids";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { historyMessagesFor } from "@/lib/i18n/dictionaries/history";
import { getLocale } from "@/lib/i18n/server";
import { readPullHistory, type PullHistoryEntry } from "@/lib/payments/pull-history";
import { asService } from "@/lib/db/session";
import type { Database } from "@/lib/db";
import { canonicalTextOf, loadApprovedRateTable } from "@/lib/gacha/rate-table";
import { verifyHref } from "@/lib/fairness/verify-link";
import { fairnessMessagesFor } from "@/lib/i18n/dictionaries/fairness";
import { readPurchaseHistory, readPurchasedCampaignTitles } from "@/lib/payments/purchase-history";
import { PullList } from "./pull-list";
import { PurchaseTable } from "./purchase-table";
import "./history.css";
import { MonthlySpendList } from "@/app/_components/monthly-spend-list";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";

type Tab = "purchases" | "pulls";
const TABS: readonly Tab[] = ["purchases", "pulls"];

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

/**
 * The /verify link of each pull whose seed is revealed. The table text is the one the
 * odds API published for that version (its hash is checked again by the verifier).
 */
async function verifyLinksOf(db: Database, pulls: readonly PullHistoryEntry[]): Promise<Map<string, string>> {
  const revealed = pulls.filter((p) => p.fairness?.serverSeed);
  if (revealed.length === 0) return new Map();
  const texts = await asService(db, "history:verify-links", async (tx) => {
    const byKey = new Map<string, string>();
    for (const { rateTable } of revealed) {
      const key = `${rateTable.id}:${rateTable.contentHash}`;
      if (!byKey.has(key)) {
        byKey.set(key, canonicalTextOf(await loadApprovedRateTable(tx, rateTable.id, rateTable.contentHash)));
      }
    }
    return byKey;
  });
  return new Map(
    revealed.map((p) => [
      p.id,
      verifyHref({
        seed: p.fairness!.serverSeed!,
        seedHash: p.fairness!.seedHash,
        clientSeed: p.fairness!.clientSeed,
        nonce: p.fairness!.nonce,
        count: p.count,
        tableHash: p.rateTable.contentHash,
        tableText: texts.get(`${p.rateTable.id}:${p.rateTable.contentHash}`)!,
        expect: p.results.map((r) => r.itemId),
      }),
    ]),
  );
}

function hrefFor(tab: Tab, before?: string): string {
  return `/me/history?${new URLSearchParams(before ? { tab, before } : { tab })}`;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: historyMessagesFor(await getLocale()).title, robots: { index: false } };
}

export default async function HistoryPage({ searchParams }: Props) {
  const query = await searchParams;
  const tab: Tab = query.tab === "pulls" ? "pulls" : "purchases";
  const user = await getCurrentUser();
  // The gate leaves /me open (it is not a role area); the page asks for a session itself.
  if (!user) {
    redirect(`/login?${new URLSearchParams({ next: tab === "pulls" ? hrefFor(tab) : "/me/history" })}`);
  }
  const before = typeof query.before === "string" ? query.before : undefined;
  // A cursor mangled in a shared or hand-edited link starts the list over instead of failing.
  if (before !== undefined && !UUID_PATTERN.test(before)) redirect(hrefFor(tab));

  const db = await getDb();
  const [me, locale, list] = await Promise.all([
    getMe(db, user.claims, new Date()),
    getLocale(),
    asUser(db, user.claims, async (tx) => {
      if (tab === "purchases")
        return { tab: "purchases" as const, ...(await readPurchaseHistory(tx, user.id, { before })) };
      const page = await readPullHistory(tx, user.id, { before });
      const titles = await readPurchasedCampaignTitles(
        tx,
        page.pulls.map((pull) => pull.campaignId),
      );
      return { tab: "pulls" as const, ...page, titles };
    }),
  ]);
  const t = historyMessagesFor(locale);
  const verifyLinks = list.tab === "pulls" ? await verifyLinksOf(db, list.pulls) : new Map<string, string>();
  const isEmpty = list.tab === "purchases" ? list.purchases.length === 0 : list.pulls.length === 0;

  return (
    <div className="history-page">
      <h1>{t.title}</h1>
      <p className="history-page__lead">{t.lead}</p>

      <section className="panel" aria-labelledby="history-spending">
        <h2 id="history-spending">{t.spendHeading}</h2>
        <MonthlySpendList
          spendJpy={me.monthlySpendJpy}
          limitJpy={me.monthlyLimitJpy}
          t={accountMessagesFor(locale).account}
        />
        <p className="note">{t.spendNote}</p>
        <p className="history-page__account">
          <Link href="/account">{t.accountLink}</Link>
        </p>
      </section>

      <nav className="history-tabs" aria-label={t.tabsLabel}>
        <ul>
          {TABS.map((name) => (
            <li key={name}>
              <Link href={hrefFor(name)} aria-current={name === tab ? "page" : undefined}>
                {t.tabs[name]}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <section aria-labelledby="history-list-title">
        {/* The active tab shows the name; the heading still gives the list its place in the outline. */}
        <h2 id="history-list-title" className="visually-hidden">
          {t.tabs[tab]}
        </h2>
        {isEmpty ? (
          <div className="empty-state history-empty">
            <p>{before ? t.noOlder : list.tab === "purchases" ? t.purchases.empty : t.pulls.empty}</p>
            {!before && <Link href="/#campaigns">{t.campaignsLink}</Link>}
          </div>
        ) : list.tab === "purchases" ? (
          <PurchaseTable purchases={list.purchases} t={t} />
        ) : (
          <PullList
            pulls={list.pulls}
            titles={list.titles}
            t={t}
            gacha={gachaMessagesFor(locale)}
            fairness={fairnessMessagesFor(locale)}
            verifyLinks={verifyLinks}
          />
        )}
        {(before || list.nextCursor) && (
          <p className="history-paging">
            {list.nextCursor && (
              <Link className="button button--secondary" href={hrefFor(tab, list.nextCursor)}>
                {t.more}
              </Link>
            )}
            {before && <Link href={hrefFor(tab)}>{t.newest}</Link>}
          </p>
        )}
      </section>
    </div>
  );
}
