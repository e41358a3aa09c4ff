import Link from "next/link";
import { listAuditLog } from "@/lib/admin/audit-log";
import { listPurchases } from "@/lib/admin/purchases";
import { getDb } from "@/lib/db";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { UUID_PATTERN } from "@/lib/ids";
import { ActionForm } from "../_components/action-form";
import { adminPage } from "../_components/admin-page";
import { ListPage } from "../_components/list-page";

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
      <ListPage
        path="/admin/payments"
        filters={[
          {
            name: "status",
            label: p.status,
            options: [
              { value: "", label: p.any },
              ...STATUSES.map((status) => ({ value: status, label: p.statuses[status] ?? status })),
            ],
          },
          { name: "user", label: p.user, size: 36 },
          { name: "campaign", label: p.campaign, size: 36 },
          { name: "from", label: p.from, type: "date" },
          { name: "to", label: p.to, type: "date" },
        ]}
        values={s}
        submitLabel={p.filter}
        rows={purchases}
        rowKey={(purchase) => purchase.id}
        columns={[
          {
            header: p.created,
            cell: (purchase) => (
              <Link href={`/admin/payments/${purchase.id}`}>
                {formatDateTime(new Date(purchase.createdAt), locale)}
              </Link>
            ),
          },
          { header: p.status, cell: (purchase) => p.statuses[purchase.status] ?? purchase.status },
          {
            header: p.amount,
            cell: (purchase) => `${formatYen(purchase.amountJpy)} (${purchase.pullCount}) ${purchase.campaign.title}`,
          },
          { header: t.users.email, cell: (purchase) => purchase.user.email },
        ]}
        empty={p.none}
        nextCursor={nextCursor}
        moreLabel={t.users.more}
      />

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
