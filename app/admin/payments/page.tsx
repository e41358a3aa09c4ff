import Link from "next/link";
import { listAuditLog } from "@/lib/admin/audit-log";
import { listPurchases } from "@/lib/admin/purchases";
import { getDb } from "@/lib/db";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { UUID_PATTERN } from "@/lib/ids";
import { ActionForm } from "../_components/action-form";
import { adminPage } from "../_components/admin-page";

export const dynamic = "force-dynamic";

const STATUSES = ["pending", "paid", "fulfilled", "failed", "refunded"];
const MISMATCHES = [
  "payment.refund_required",
  "payment.amount_mismatch",
  "payment.unknown_purchase",
  "payment.paid_without_success",
];

type Search = { status?: string; user?: string; campaign?: string; from?: string; to?: string; before?: string };

export default async function AdminPaymentsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { locale, t } = await adminPage();
  const p = t.payments;
  const s = await searchParams;
  const uuid = (v?: string) => (v && UUID_PATTERN.test(v) ? v : null);
  const day = (v?: string) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00+09:00`) : null);
  const db = await getDb();
  const { purchases, nextCursor } = await listPurchases(db, {
    status: s.status && STATUSES.includes(s.status) ? s.status : null,
    userId: uuid(s.user),
    campaignId: uuid(s.campaign),
    from: day(s.from),
    to: day(s.to),
    before: uuid(s.before),
  });
  const mismatches = (await Promise.all(MISMATCHES.map((action) => listAuditLog(db, { action })))).flatMap(
    (page) => page.entries,
  );

  return (
    <div>
      <h1>{p.title}</h1>
      <form className="admin-filter" action="/admin/payments">
        <label>
          {p.status}
          <select name="status" defaultValue={s.status ?? ""}>
            <option value="">{p.any}</option>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {p.statuses[status]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {p.user}
          <input name="user" defaultValue={s.user ?? ""} size={36} />
        </label>
        <label>
          {p.campaign}
          <input name="campaign" defaultValue={s.campaign ?? ""} size={36} />
        </label>
        <label>
          {p.from}
          <input type="date" name="from" defaultValue={s.from ?? ""} />
        </label>
        <label>
          {p.to}
          <input type="date" name="to" defaultValue={s.to ?? ""} />
        </label>
        <button type="submit" className="button button--small">
          {p.filter}
        </button>
      </form>

      {purchases.length === 0 ? (
        <p>{p.none}</p>
      ) : (
        <div className="admin-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">{p.created}</th>
                <th scope="col">{p.status}</th>
                <th scope="col">{p.amount}</th>
                <th scope="col">{t.users.email}</th>
              </tr>
            </thead>
            <tbody>
              {purchases.map((purchase) => (
                <tr key={purchase.id}>
                  <td>
                    <Link href={`/admin/payments/${purchase.id}`}>
                      {formatDateTime(new Date(purchase.createdAt), locale)}
                    </Link>
                  </td>
                  <td>{p.statuses[purchase.status] ?? purchase.status}</td>
                  <td>
                    {formatYen(purchase.amountJpy)} ({purchase.pullCount}) {purchase.campaign.title}
                  </td>
                  <td>{purchase.user.email}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <p>
          <Link
            className="button button--secondary"
            href={`/admin/payments?${new URLSearchParams({ ...(s as Record<string, string>), before: nextCursor })}`}
          >
            {t.users.more}
          </Link>
        </p>
      )}

      <section className="panel" aria-labelledby="payments-reconcile">
        <h2 id="payments-reconcile">{p.mismatches}</h2>
        <p>{p.reconcileLead}</p>
        <ActionForm endpoint="/api/admin/reconcile" submitLabel={p.reconcile} secondary t={t.form} />
        {mismatches.length === 0 ? (
          <p>{t.alerts.none}</p>
        ) : (
          <ul>
            {mismatches.map((m) => (
              <li key={m.id}>
                {formatDateTime(new Date(m.createdAt), locale)} — {p.mismatchAction[m.action] ?? m.action}
                {m.targetType === "purchase" && m.targetId && (
                  <>
                    {" "}
                    <Link href={`/admin/payments/${m.targetId}`}>{m.targetId}</Link>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
