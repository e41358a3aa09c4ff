import type { HistoryMessages } from "@/lib/i18n/dictionaries/history";
import { formatYen } from "@/lib/i18n/format";
import type { PurchaseHistoryEntry, PurchaseStatus } from "@/lib/payments/purchase-history";
import { HistoryTime } from "./history-time";

/** The fan's purchases as a table; it scrolls sideways on a phone rather than squeezing the columns. */
export function PurchaseTable({ purchases, t }: { purchases: PurchaseHistoryEntry[]; t: HistoryMessages }) {
  const p = t.purchases;
  return (
    <div className="table-scroll" role="region" aria-labelledby="purchase-history-caption" tabIndex={0}>
      <table className="odds-table history-table" data-testid="purchase-history">
        <caption id="purchase-history-caption">{p.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{p.colDate}</th>
            <th scope="col">{p.colCampaign}</th>
            <th scope="col">{p.colContent}</th>
            <th scope="col">{p.colAmount}</th>
            <th scope="col">{p.colStatus}</th>
          </tr>
        </thead>
        <tbody>
          {purchases.map((purchase) => (
            <tr key={purchase.id} data-purchase-id={purchase.id} data-status={purchase.status}>
              <th scope="row" className="history-table__date">
                <HistoryTime value={purchase.createdAt} />
              </th>
              <td className="history-table__campaign">{purchase.campaign.title}</td>
              <td className="history-table__count">{t.count[purchase.count]}</td>
              <td className="num" data-amount={purchase.amountJpy}>
                {formatYen(purchase.amountJpy)}
              </td>
              <td className="history-table__status">
                <PurchaseStatusText purchase={purchase} t={t} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PurchaseStatusText({ purchase, t }: { purchase: PurchaseHistoryEntry; t: HistoryMessages }) {
  const { status } = purchase;
  const label =
    status === "failed"
      ? t.failedWithReason(t.failureReasons[purchase.failureCode ?? ""] ?? t.otherFailure)
      : t.status[status];
  const notes: Partial<Record<PurchaseStatus, string>> = {
    failed: t.notCharged,
    paid: t.paidNotDrawn,
    refunded: t.refundedNote,
  };
  const note = notes[status];
  return (
    <>
      <span className={`history-status history-status--${status}`}>{label}</span>
      {note && <span className="history-status__note">{note}</span>}
    </>
  );
}
