import Link from "next/link";
import { notFound } from "next/navigation";
import { getPurchaseHistory } from "@/lib/admin/purchases";
import { getDb } from "@/lib/db";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { ActionForm } from "../../_components/action-form";
import { adminPage } from "../../_components/admin-page";

export const dynamic = "force-dynamic";

export default async function AdminPurchasePage({ params }: { params: Promise<{ id: string }> }) {
  const { locale, t } = await adminPage();
  const p = t.payments;
  const history = await getPurchaseHistory(await getDb(), (await params).id).catch(() => notFound());
  const { purchase, refund, steps } = history;
  const refundable = purchase.status === "fulfilled" || (refund !== null && refund.status !== "succeeded");

  return (
    <div>
      <h1>
        {formatYen(purchase.amountJpy)} — {purchase.campaign.title}
      </h1>
      <section className="panel">
        <dl className="summary-list">
          <div>
            <dt>{p.status}</dt>
            <dd data-testid="purchase-status">{p.statuses[purchase.status] ?? purchase.status}</dd>
          </div>
          <div>
            <dt>{t.users.email}</dt>
            <dd>
              <Link href={`/admin/users/${purchase.user.id}`}>{purchase.user.email}</Link>
            </dd>
          </div>
          <div>
            <dt>{p.created}</dt>
            <dd>{formatDateTime(new Date(purchase.createdAt), locale)}</dd>
          </div>
        </dl>
        {refund && refund.status === "succeeded" && (
          <p>
            {p.refundDone}:{" "}
            {p.refundFigures(Number(refund.medalsTaken), Number(refund.medalsShortfall), Number(refund.rewardsRemoved))}
          </p>
        )}
        {refundable && (
          <>
            <p className="note">{p.refundPolicy}</p>
            <ActionForm
              endpoint={`/api/admin/purchases/${purchase.id}/refund`}
              submitLabel={p.refund}
              field={{ name: "reason", label: p.refundReason, required: true }}
              t={t.form}
            />
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="purchase-history">
        <h2 id="purchase-history">{p.history}</h2>
        <ol>
          {steps.map((step, i) => (
            <li key={i}>
              {formatDateTime(new Date(step.at), locale)} — <strong>{step.step}</strong>{" "}
              <code>{JSON.stringify(step.detail)}</code>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
