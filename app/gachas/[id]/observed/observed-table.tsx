import { RarityBadge } from "@/app/_components/gacha-labels";
import { formatRatio } from "@/lib/gacha/decimal";
import type { ObservedShare } from "@/lib/gacha/observed-rates";
import type { GachaMessages } from "@/lib/i18n/dictionaries/gacha";
import type { observedMessagesFor } from "@/lib/i18n/dictionaries/observed";

type Messages = ReturnType<typeof observedMessagesFor>;

/** A share (0–1) as a percentage with 3 decimals, like the odds page. */
export const percent = (share: number): string => `${(share * 100).toFixed(3)}%`;
const disclosedPercent = (ppm: number): string => `${formatRatio(BigInt(ppm), 10_000n, 3)}%`;

interface Props {
  rows: ObservedShare[];
  caption: string;
  testId: string;
  byItem: boolean;
  t: Messages;
  g: GachaMessages;
}

const BAR_WIDTH = 120;
const BAR_HEIGHT = 14;

/**
 * One bar per row on the table's own scale (the largest interval end or disclosed rate),
 * so a 1 % SSR is as readable as a 70 % N: the interval as a pale band, the observed share
 * as a dot, the disclosed rate as a dark tick. Decorative: the cells beside it hold
 * every figure, so screen readers skip it.
 */
function Bar({ row, scale }: { row: ObservedShare; scale: number }) {
  const x = (share: number) => (share / scale) * BAR_WIDTH;
  const disclosed = row.disclosedPpm / 1_000_000;
  return (
    <svg
      className="observed-bar"
      width={BAR_WIDTH}
      height={BAR_HEIGHT}
      viewBox={`0 0 ${BAR_WIDTH} ${BAR_HEIGHT}`}
      aria-hidden="true"
      focusable="false"
    >
      <rect x={0} y={BAR_HEIGHT / 2 - 1} width={BAR_WIDTH} height={2} className="observed-bar__axis" />
      {row.interval && (
        <rect
          x={x(row.interval.lo)}
          y={2}
          width={Math.max(1, x(row.interval.hi) - x(row.interval.lo))}
          height={BAR_HEIGHT - 4}
          rx={2}
          className={row.outside ? "observed-bar__band observed-bar__band--outside" : "observed-bar__band"}
        />
      )}
      {row.observed !== null && <circle cx={x(row.observed)} cy={BAR_HEIGHT / 2} r={3} className="observed-bar__dot" />}
      <rect
        x={Math.min(BAR_WIDTH - 2, x(disclosed))}
        y={0}
        width={2}
        height={BAR_HEIGHT}
        className="observed-bar__tick"
      />
    </svg>
  );
}

/** One slot's comparison, rarities or items: every figure as text, and a bar beside them. */
export function ObservedTable({ rows, caption, testId, byItem, t, g }: Props) {
  const scale = Math.max(1e-9, ...rows.map((row) => Math.max(row.interval?.hi ?? 0, row.disclosedPpm / 1_000_000)));
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="odds-table observed-table" data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{byItem ? t.colItem : t.colRarity}</th>
            {byItem && <th scope="col">{t.colRarity}</th>}
            <th scope="col">{t.colDisclosed}</th>
            <th scope="col">{t.colDraws}</th>
            <th scope="col">{t.colObserved}</th>
            <th scope="col">{t.colInterval}</th>
            <th scope="col">{t.colVerdict}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.itemId ?? row.rarity}
              data-rarity={row.rarity}
              data-item-id={row.itemId}
              data-draws={row.draws}
              data-outside={row.outside ? "true" : "false"}
            >
              <th scope="row">{byItem ? row.name : <RarityBadge rarity={row.rarity} t={g} />}</th>
              {byItem && (
                <td>
                  <RarityBadge rarity={row.rarity} t={g} />
                </td>
              )}
              <td className="num">{disclosedPercent(row.disclosedPpm)}</td>
              <td className="num">{row.draws.toLocaleString("ja-JP")}</td>
              <td className="num">{row.observed === null ? t.noDraws : percent(row.observed)}</td>
              <td className="num">
                {row.interval ? `${percent(row.interval.lo)} – ${percent(row.interval.hi)}` : t.noDraws}
                <Bar row={row} scale={scale} />
              </td>
              <td className={row.outside ? "observed-verdict observed-verdict--outside" : "observed-verdict"}>
                {row.interval ? (row.outside ? `⚠ ${t.outside}` : t.within) : t.noDraws}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
