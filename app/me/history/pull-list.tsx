import Link from "next/link";
import { KindLabel, RarityBadge } from "@/app/_components/gacha-labels";
import type { FairnessMessages } from "@/lib/i18n/dictionaries/fairness";
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
  fairness: FairnessMessages;
  /** The /verify link of each pull whose seed is revealed, by pull id. */
  verifyLinks: ReadonlyMap<string, string>;
}

/**
 * Each pull with what it cost, the medals it earned and the rate-table version it was
 * drawn with (linked to the odds), what the draw was committed to (nonce, client seed,
 * seed hash, and once revealed the seed and a link to the verifier), then its results
 * in slot order.
 */
export function PullList({ pulls, titles, t, gacha, fairness, verifyLinks }: Props) {
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
            {pull.fairness ? (
              <>
                <div>
                  <dt>{fairness.nonce}</dt>
                  <dd data-nonce={pull.fairness.nonce}>{pull.fairness.nonce}</dd>
                </div>
                <div>
                  <dt>{fairness.clientSeed}</dt>
                  <dd className="history-pull__hash">{pull.fairness.clientSeed}</dd>
                </div>
                <div className="history-pull__rates">
                  <dt>{fairness.seedHash}</dt>
                  <dd className="history-pull__hash">{pull.fairness.seedHash}</dd>
                </div>
                <div className="history-pull__rates">
                  <dt>{fairness.serverSeed}</dt>
                  <dd>
                    {pull.fairness.serverSeed ? (
                      <>
                        <span className="history-pull__hash" data-server-seed>
                          {pull.fairness.serverSeed}
                        </span>{" "}
                        {/* A plain anchor: the verifier is a page of its own, loaded whole. */}
                        <a href={verifyLinks.get(pull.id)} data-testid="verify-link">
                          {fairness.verifyLink}
                        </a>
                      </>
                    ) : (
                      <>
                        {fairness.notRevealed} <Link href="/account#fairness">{fairness.seedSectionLink}</Link>
                      </>
                    )}
                  </dd>
                </div>
              </>
            ) : (
              <div className="history-pull__rates">
                <dt>{fairness.heading}</dt>
                <dd>{fairness.noCommitment}</dd>
              </div>
            )}
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
