import "server-only";
/**
 * Payments as an admin sees them: purchases filtered by status, user, campaign and date,
 * newest first with a cursor; and one purchase's saga history, each step with its time:
 * reserved, charged (the provider's payment), every webhook event about it, fulfilled
 * (the pull), released, refunded, and the alerts and admin actions that name it.
 */
import type { Columns } from "../db/rows";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";

export const PURCHASE_PAGE_SIZE = 50;

export interface PurchaseFilter {
  status?: string | null;
  userId?: string | null;
  campaignId?: string | null;
  from?: Date | null;
  to?: Date | null;
  before?: string | null;
}

export interface AdminPurchase {
  id: string;
  status: string;
  user: { id: string; email: string };
  campaign: { id: string; title: string };
  pullCount: number;
  amountJpy: number;
  provider: string;
  failureCode: string | null;
  createdAt: string;
}

/** A purchase with its buyer's email and its campaign's title: what the list and the history both read. */
type PurchaseRow = Columns<
  "purchases",
  "id" | "status" | "user_id" | "campaign_id" | "pull_count" | "amount_jpy" | "provider" | "failure_code" | "created_at"
> &
  Columns<"users", "email"> &
  Columns<"campaigns", "title">;

const PURCHASE_SELECT = `p.id, p.status, p.user_id, u.email, p.campaign_id, c.title, p.pull_count, p.amount_jpy,
              p.provider, p.failure_code, p.created_at`;
const PURCHASE_FROM = `public.purchases p
         join public.users u on u.id = p.user_id
         join public.campaigns c on c.id = p.campaign_id`;

function toAdminPurchase(r: PurchaseRow): AdminPurchase {
  return {
    id: r.id,
    status: r.status,
    user: { id: r.user_id, email: r.email },
    campaign: { id: r.campaign_id, title: r.title },
    pullCount: r.pull_count,
    amountJpy: r.amount_jpy,
    provider: r.provider,
    failureCode: r.failure_code,
    createdAt: r.created_at.toISOString(),
  };
}

export async function listPurchases(
  db: Database,
  filter: PurchaseFilter,
): Promise<{ purchases: AdminPurchase[]; nextCursor: string | null }> {
  const rows = await asService(db, "admin-purchases:list", (tx) =>
    tx.query<PurchaseRow>(
      `select ${PURCHASE_SELECT}
         from ${PURCHASE_FROM}
        where ($1::text is null or p.status = $1::text)
          and ($2::uuid is null or p.user_id = $2::uuid)
          and ($3::uuid is null or p.campaign_id = $3::uuid)
          and ($4::timestamptz is null or p.created_at >= $4::timestamptz)
          and ($5::timestamptz is null or p.created_at < $5::timestamptz)
          and ($6::uuid is null or (p.created_at, p.id) < (select created_at, id from public.purchases where id = $6::uuid))
        order by p.created_at desc, p.id desc
        limit ${PURCHASE_PAGE_SIZE + 1}`,
      [
        filter.status ?? null,
        filter.userId ?? null,
        filter.campaignId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.before ?? null,
      ],
    ),
  );
  const page = rows.slice(0, PURCHASE_PAGE_SIZE);
  return {
    purchases: page.map(toAdminPurchase),
    nextCursor: rows.length > PURCHASE_PAGE_SIZE ? page[page.length - 1]!.id : null,
  };
}

export interface SagaStep {
  at: string;
  step: "reserved" | "charged" | "webhook" | "fulfilled" | "released" | "refund_requested" | "refunded" | "audit";
  detail: Record<string, unknown>;
}

export interface PurchaseHistory {
  purchase: AdminPurchase & { providerPaymentId: string | null; pullId: string | null };
  refund: Record<string, unknown> | null;
  steps: SagaStep[];
}

export async function getPurchaseHistory(db: Database, purchaseId: string): Promise<PurchaseHistory> {
  if (!UUID_PATTERN.test(purchaseId)) throw new DomainError("not_found");
  return asService(db, "admin-purchases:history", async (tx) => {
    const [p] = await tx.query<
      PurchaseRow &
        Columns<"purchases", "provider_payment_id" | "paid_at" | "fulfilled_at" | "failed_at" | "refunded_at"> & {
          // The pull, when there is one (left join).
          pull_id: string | null;
          medals_earned: number | null;
        }
    >(
      `select ${PURCHASE_SELECT}, p.provider_payment_id, p.paid_at, p.fulfilled_at, p.failed_at, p.refunded_at,
              pl.id as pull_id, pl.medals_earned
         from ${PURCHASE_FROM}
         left join public.pulls pl on pl.purchase_id = p.id
        where p.id = $1`,
      [purchaseId],
    );
    if (!p) throw new DomainError("not_found");
    const events = await tx.query<{
      event_id: string;
      event_type: string;
      received_at: Date;
      processed_at: Date | null;
      last_error: string | null;
    }>(
      `select event_id, event_type, received_at, processed_at, last_error from public.webhook_events
        where payload -> 'data' -> 'object' -> 'metadata' ->> 'purchase_id' = $1
           or ($2::text is not null and (payload -> 'data' -> 'object' ->> 'id' = $2::text
                                         or payload -> 'data' -> 'object' ->> 'payment_intent' = $2::text))
        order by received_at`,
      [p.id, p.provider_payment_id],
    );
    const [refund] = await tx.query<Record<string, unknown> & { requested_at: Date; completed_at: Date | null }>(
      `select status, amount_jpy as "amountJpy", provider_refund_id as "providerRefundId", reason,
              requested_by as "requestedBy", requested_at, completed_at, medals_taken as "medalsTaken",
              medals_shortfall as "medalsShortfall", rewards_removed as "rewardsRemoved", last_error as "lastError"
         from public.refunds where purchase_id = $1`,
      [p.id],
    );
    const audit = await tx.query<{ action: string; actor_id: string | null; details: unknown; created_at: Date }>(
      `select action, actor_id, details, created_at from public.audit_log
        where target_type = 'purchase' and target_id = $1 order by id`,
      [p.id],
    );

    const steps: SagaStep[] = [
      {
        at: p.created_at.toISOString(),
        step: "reserved",
        detail: { amountJpy: p.amount_jpy, pullCount: p.pull_count },
      },
    ];
    if (p.paid_at)
      steps.push({
        at: p.paid_at.toISOString(),
        step: "charged",
        detail: { providerPaymentId: p.provider_payment_id },
      });
    for (const e of events) {
      steps.push({
        at: e.received_at.toISOString(),
        step: "webhook",
        detail: { eventId: e.event_id, type: e.event_type, processed: e.processed_at !== null, error: e.last_error },
      });
    }
    if (p.fulfilled_at) {
      steps.push({
        at: p.fulfilled_at.toISOString(),
        step: "fulfilled",
        detail: { pullId: p.pull_id, medals: p.medals_earned },
      });
    }
    if (p.failed_at)
      steps.push({ at: p.failed_at.toISOString(), step: "released", detail: { failureCode: p.failure_code } });
    if (refund) {
      steps.push({
        at: refund.requested_at.toISOString(),
        step: "refund_requested",
        detail: { reason: refund.reason },
      });
    }
    if (p.refunded_at) steps.push({ at: p.refunded_at.toISOString(), step: "refunded", detail: {} });
    for (const a of audit) {
      steps.push({
        at: a.created_at.toISOString(),
        step: "audit",
        detail: { action: a.action, actorId: a.actor_id, details: a.details },
      });
    }
    steps.sort((a, b) => a.at.localeCompare(b.at));

    const { requested_at, completed_at, ...refundFields } = refund ?? { requested_at: null, completed_at: null };
    return {
      purchase: { ...toAdminPurchase(p), providerPaymentId: p.provider_payment_id, pullId: p.pull_id },
      refund: refund
        ? {
            ...refundFields,
            requestedAt: requested_at!.toISOString(),
            completedAt: completed_at?.toISOString() ?? null,
          }
        : null,
      steps,
    };
  });
}
