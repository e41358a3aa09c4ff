import type { SlotOdds } from "@/lib/gacha/odds";
import type { GachaMessages } from "@/lib/i18n/dictionaries/gacha";
import { RarityBadge } from "./gacha-labels";

interface Props {
  slot: SlotOdds;
  /** Names the slot in the captions and the test ids ("regular" / "guaranteed"). */
  slotKey: string;
  heading: string;
  itemNames: ReadonlyMap<string, string>;
  t: GachaMessages;
}

/** One slot of the disclosure: its rarity rates, then every item's rate, exactly as computed. */
export function OddsSlotTables({ slot, slotKey, heading, itemNames, t }: Props) {
  const o = t.odds;
  return (
    <section className="section" aria-labelledby={`slot-${slotKey}`}>
      <h2 id={`slot-${slotKey}`}>{heading}</h2>
      <div className="table-scroll" role="region" aria-label={o.rarityCaption(heading)} tabIndex={0}>
        <table className="odds-table" data-testid={`odds-${slotKey}-rarities`}>
          <caption>{o.rarityCaption(heading)}</caption>
          <thead>
            <tr>
              <th scope="col">{o.colRarity}</th>
              <th scope="col">{o.colPercent}</th>
            </tr>
          </thead>
          <tbody>
            {slot.rarities.map((row) => (
              <tr key={row.rarity} data-rarity={row.rarity}>
                <th scope="row">
                  <RarityBadge rarity={row.rarity} t={t} />
                </th>
                <td className="num" data-percent={row.percent}>
                  {row.percent}%
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table-scroll" role="region" aria-label={o.itemCaption(heading)} tabIndex={0}>
        <table className="odds-table" data-testid={`odds-${slotKey}-items`}>
          <caption>{o.itemCaption(heading)}</caption>
          <thead>
            <tr>
              <th scope="col">{o.colItem}</th>
              <th scope="col">{o.colRarity}</th>
              <th scope="col">{o.colPercent}</th>
            </tr>
          </thead>
          <tbody>
            {slot.items.map((row) => (
              <tr key={row.itemId} data-item-id={row.itemId}>
                <th scope="row">{itemNames.get(row.itemId) ?? row.itemId}</th>
                <td>
                  <RarityBadge rarity={row.rarity} t={t} />
                </td>
                <td className="num" data-percent={row.percent}>
                  {row.percent}%
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
