import Joi from "joi";
import { runReconcile } from "@/lib/admin/run-reconcile";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { getPaymentProvider } from "@/lib/payments/providers";

export const runtime = "nodejs";

const body = Joi.object<{ days?: number }>({ days: Joi.number().integer().min(1).max(31) });

/** Runs reconciliation now over the last `days` (default 1) and answers its summary. */
export const POST = route({ access: "admin", body }, async ({ body, user, requestId }) => ({
  reconciliation: await runReconcile(await getDb(), await getPaymentProvider(), {
    actorId: user.id,
    requestId,
    now: new Date(),
    days: body.days ?? 1,
  }),
}));
