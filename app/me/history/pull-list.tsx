import Link from "next/link";
import { KindLabel, RarityBadge } from "@/app/_components/gacha-labels";
import type { GachaMessages } from "@/lib/i18n/dictionaries/gacha";
import type { HistoryMessages } from "@/lib/i18n/dictionaries/history";
import { formatYen } from "@/lib/i18n/format";
import type { PullHistoryEntry } from "@/lib/payments/pull-history";
import { HistoryTime } from "./history-time";

interface Props {
  pulls: PullHistoryEntry[];
  titles: Map<string, string>;
  t: HistoryMessages;
  gacha: GachaMessages;
}

/**
 * Each pull with what it cost, the medals it earned and the rate-table version it was
 * drawn with (linked to the odds), then its results in slot order.
 */
export function PullList({ pulls, titles, t, gacha }: Props) {
  const p = t.pulls;
  return (
    <ol className="history-pulls" data-testid="pull-history" aria-label={p.listLabel}>
      {pulls.map((pull) => (
        <li key={pull.id} data-pull-id={pull.id} className="history-pull">
          <h3 className="history-pull__title">{titles.get(pull.campaignId) ?? t.unknownCampaign}</h3>
          <dl className="history-pull__facts">
            <div>
              <dt>{p.date}</dt>
              <dd>
                <HistoryTime value={pull.createdAt} />
              </dd>
            </div>
            <div>
              <dt>{p.content}</dt>
              <dd>{t.count[pull.count]}</dd>
            </div>
            <div>
              <dt>{p.amount}</dt>
              <dd>{formatYen(pull.amountJpy)}</dd>
            </div>
            <div>
              <dt>{p.medals}</dt>
              <dd data-medals={pull.medalsEarned}>{p.medalsValue(pull.medalsEarned)}</dd>
            </div>
            <div className="history-pull__rates">
              <dt>{p.rateTable}</dt>
              <dd>
                <span data-rate-table-version={pull.rateTable.version ?? ""}>
                  {p.rateTableVersion(pull.rateTable.version)}
                </span>{" "}
                <Link href={`/gachas/${pull.campaignId}/odds`}>{p.oddsLink}</Link>
                <span className="history-pull__hash">SHA-256: {pull.rateTable.contentHash}</span>
              </dd>
            </div>
          </dl>
          <ul className="history-results" aria-label={p.resultsLabel(pull.results.length)}>
            {pull.results.map((result) => (
              <li key={result.slot} className="history-result" data-item-id={result.itemId}>
                <RarityBadge rarity={result.rarity} t={gacha} />
                <span className="history-result__name">{result.name}</span>
                {result.kind && <KindLabel kind={result.kind} t={gacha} />}
                {result.guaranteed && <span className="history-result__guaranteed">{p.guaranteed}</span>}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
