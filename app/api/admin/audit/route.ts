import Joi from "joi";
import { listAuditLog } from "@/lib/admin/audit-log";
import { instant, instantParam, readQuery, uuidParam } from "@/lib/api/admin-query";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = Joi.object<{
  actor?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
  before?: string;
}>({
  actor: uuidParam,
  action: Joi.string().pattern(/^[a-z_]+\.[a-z_]+$/, "action"),
  targetType: Joi.string().max(64),
  targetId: Joi.string().max(255),
  from: instantParam,
  to: instantParam,
  before: Joi.string().pattern(/^[1-9][0-9]{0,17}$/, "id"),
});

/** The audit log, newest first, 50 a page (`before`), filtered by actor, action, target and time. */
export const GET = route({ access: "admin" }, async ({ request }) => {
  const q = readQuery(request, query);
  return listAuditLog(await getDb(), {
    actorId: q.actor,
    action: q.action,
    targetType: q.targetType,
    targetId: q.targetId,
    from: instant(q.from),
    to: instant(q.to),
    before: q.before === undefined ? null : Number(q.before),
  });
});
