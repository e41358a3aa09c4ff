import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import type { ContentKind } from "@/lib/gacha/types";
import { rewardsMessagesFor, type RewardsMessages } from "@/lib/i18n/dictionaries/rewards";
import { formatDateTime } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";
import { getLocale } from "@/lib/i18n/server";
import { formatFileSize } from "@/lib/rewards/file-size";
import { listRewardVtubers } from "@/lib/rewards/list-reward-vtubers";
import { listRewards, type RewardEntry } from "@/lib/rewards/list-rewards";
import { parseRewardBoxQuery, rewardBoxHref, type RewardBoxQuery } from "@/lib/rewards/reward-box-query";
import { DownloadLink } from "./download-link";
import { RewardImage } from "./reward-image";
import { RewardPlayer } from "./reward-player";
import "./rewards.css";

const KINDS: readonly ContentKind[] = ["voice", "image", "video"];

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: rewardsMessagesFor(await getLocale()).title, robots: { index: false } };
}

/** The fan's reward box: everything they own, to play, view and download, newest first. */
export default async function RewardsPage({ searchParams }: Props) {
  const user = await getCurrentUser();
  if (!user) redirect(`/login?${new URLSearchParams({ next: "/me/rewards" })}`);

  const [query, locale] = await Promise.all([searchParams.then(parseRewardBoxQuery), getLocale()]);
  const t = rewardsMessagesFor(locale);
  const { page, vtubers } = await asUser(await getDb(), user.claims, async (tx) => ({
    page: await listRewards(tx, user.id, { before: query.before, kind: query.kind, vtuberSlug: query.vtuber }),
    vtubers: await listRewardVtubers(tx),
  }));

  if (vtubers.length === 0) {
    return (
      <div className="rewards-page">
        <h1>{t.title}</h1>
        <div className="empty-state rewards-empty">
          <p>{t.empty}</p>
          <Link href="/#campaigns" className="button">
            {t.emptyLink}
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="rewards-page">
      <h1>{t.title}</h1>
      <p className="rewards-page__lead">{t.lead}</p>

      <section className="panel reward-filters" aria-labelledby="reward-filters-title">
        <h2 id="reward-filters-title" className="reward-filters__title">
          {t.filtersHeading}
        </h2>
        <FilterGroup
          label={t.kindFilter}
          navLabel={t.kindFilterLabel}
          options={[
            { label: t.all, href: rewardBoxHref({ vtuber: query.vtuber }), current: query.kind === null },
            ...KINDS.map((kind) => ({
              label: t.kind[kind],
              href: rewardBoxHref({ kind, vtuber: query.vtuber }),
              current: query.kind === kind,
            })),
          ]}
        />
        <FilterGroup
          label={t.vtuberFilter}
          navLabel={t.vtuberFilterLabel}
          options={[
            { label: t.all, href: rewardBoxHref({ kind: query.kind }), current: query.vtuber === null },
            ...vtubers.map((vtuber) => ({
              label: vtuber.name,
              href: rewardBoxHref({ kind: query.kind, vtuber: vtuber.slug }),
              current: query.vtuber === vtuber.slug,
            })),
          ]}
        />
      </section>

      <section aria-labelledby="reward-list-title">
        <h2 id="reward-list-title">{query.before ? t.olderHeading : t.listHeading}</h2>
        {page.rewards.length > 0 ? (
          <ul className="card-grid reward-list" data-testid="reward-box">
            {page.rewards.map((reward) => (
              <RewardCard key={reward.id} reward={reward} t={t} locale={locale} />
            ))}
          </ul>
        ) : (
          <EmptyPage query={query} t={t} />
        )}
        {(page.nextCursor || query.before) && (
          <nav aria-label={t.pagination} className="reward-pager">
            {page.nextCursor && (
              <Link
                href={rewardBoxHref({ kind: query.kind, vtuber: query.vtuber, before: page.nextCursor })}
                className="button button--secondary"
              >
                {t.more}
              </Link>
            )}
            {query.before && (
              <Link href={rewardBoxHref({ kind: query.kind, vtuber: query.vtuber })}>{t.backToNewest}</Link>
            )}
          </nav>
        )}
      </section>
    </div>
  );
}

interface FilterOption {
  label: string;
  href: string;
  current: boolean;
}

function FilterGroup({ label, navLabel, options }: { label: string; navLabel: string; options: FilterOption[] }) {
  return (
    <nav aria-label={navLabel} className="reward-filters__group">
      <span className="reward-filters__label" aria-hidden="true">
        {label}
      </span>
      <ul className="reward-filters__options">
        {options.map((option) => (
          <li key={option.href}>
            <Link href={option.href} className="reward-filter" aria-current={option.current ? "page" : undefined}>
              {option.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function RewardCard({ reward, t, locale }: { reward: RewardEntry; t: RewardsMessages; locale: Locale }) {
  const download = `/api/me/rewards/${reward.id}/download`;
  const inline = `${download}?inline=1`;
  return (
    <li className="card reward" data-reward-id={reward.id} data-kind={reward.kind}>
      <h3 className="reward__title">{reward.title}</h3>
      {reward.kind === "image" ? (
        <RewardImage src={inline} title={reward.title} locale={locale} />
      ) : (
        <RewardPlayer kind={reward.kind} src={inline} title={reward.title} locale={locale} />
      )}
      <dl className="reward__facts">
        <div>
          <dt>{t.fields.vtuber}</dt>
          <dd>{reward.vtuber.name}</dd>
        </div>
        <div>
          <dt>{t.fields.kind}</dt>
          <dd>{t.kind[reward.kind]}</dd>
        </div>
        <div>
          <dt>{t.fields.source}</dt>
          <dd>{t.source[reward.source]}</dd>
        </div>
        <div>
          <dt>{t.fields.acquiredAt}</dt>
          <dd>
            <time dateTime={reward.acquiredAt.toISOString()}>{formatDateTime(reward.acquiredAt, locale)}</time>
          </dd>
        </div>
        <div>
          <dt>{t.fields.size}</dt>
          <dd>{formatFileSize(reward.sizeBytes, locale)}</dd>
        </div>
      </dl>
      <DownloadLink href={download} title={reward.title} locale={locale} />
    </li>
  );
}

function EmptyPage({ query, t }: { query: RewardBoxQuery; t: RewardsMessages }) {
  const older = query.before !== null;
  return (
    <div className="empty-state">
      <p>{older ? t.emptyOlder : t.emptyFiltered}</p>
      <Link href={rewardBoxHref(older ? { kind: query.kind, vtuber: query.vtuber } : {})}>
        {older ? t.backToNewest : t.emptyFilteredLink}
      </Link>
    </div>
  );
}
