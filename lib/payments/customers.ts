import "server-only";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import type { Columns } from "../db/rows";

/**
 * Where the fan's customer at the payment provider is kept: one per user, written once.
 * The provider creates the customer lazily (first saved card or first payment) under an
 * idempotency key derived from the user, so two first payments in parallel make one
 * customer; `save` keeps whichever id reached the row first, and both callers use it.
 */
export interface CustomerStore {
  find(userId: string): Promise<string | null>;
  /** Stores the id unless one is stored already; returns the stored one. */
  save(userId: string, customerId: string): Promise<string>;
}

export function databaseCustomers(db: Database): CustomerStore {
  return {
    async find(userId) {
      const [row] = await asService(db, "payment-customers:find", (tx) =>
        tx.query<Columns<"payment_customers", "customer_id">>(
          "select customer_id from public.payment_customers where user_id = $1 and provider = 'stripe'",
          [userId],
        ),
      );
      return row?.customer_id ?? null;
    },
    async save(userId, customerId) {
      return asService(db, "payment-customers:save", async (tx) => {
        await tx.query(
          `insert into public.payment_customers (user_id, provider, customer_id) values ($1, 'stripe', $2)
           on conflict (user_id) do nothing`,
          [userId, customerId],
        );
        const [row] = await tx.query<Columns<"payment_customers", "customer_id">>(
          "select customer_id from public.payment_customers where user_id = $1",
          [userId],
        );
        return row!.customer_id;
      });
    },
  };
}
