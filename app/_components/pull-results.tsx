import Link from "next/link";
import { useEffect, useRef } from "react";
import type { GachaMessages } from "@/lib/i18n/dictionaries/gacha";
import type { PullReceipt } from "@/lib/payments/pull-receipt";
import { KindLabel, RarityBadge } from "./gacha-labels";

interface Props {
  pull: PullReceipt;
  vtuberName: string;
  t: GachaMessages;
  onAgain: () => void;
}

/** What the pull brought, the medals it earned, and where to go next. */
export function PullResults({ pull, vtuberName, t, onAgain }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);

  // Focus moves to the results so keyboard and screen-reader users land on them.
  useEffect(() => heading.current?.focus(), []);

  return (
    <section className="pull-results" aria-labelledby="results-title">
      <h1 id="results-title" ref={heading} tabIndex={-1}>
        {t.pull.resultsHeading}
      </h1>
      <ol className="result-grid" data-testid="pull-results">
        {pull.results.map((result, index) => (
          <li key={`${index}-${result.itemId}`} className={`result-card result-card--${result.rarity}`}>
            <RarityBadge rarity={result.rarity} t={t} />
            <span className="result-card__name">{result.name}</span>
            <KindLabel kind={result.kind} t={t} />
          </li>
        ))}
      </ol>
      <div className="medal-summary">
        <p data-testid="medals-earned">{t.pull.medalsEarned(pull.medalsEarned)}</p>
        <p data-testid="medal-balance" data-balance={pull.medalBalance}>
          {t.pull.medalBalance(vtuberName, pull.medalBalance)}
        </p>
      </div>
      <div className="pull-buttons">
        <Link href="/me/rewards" className="button">
          {t.pull.rewardsLink}
        </Link>
        <button type="button" className="button button--secondary" onClick={onAgain}>
          {t.pull.again}
        </button>
      </div>
    </section>
  );
}
