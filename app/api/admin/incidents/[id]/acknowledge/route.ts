import Joi from "joi";
import { acknowledgeIncident } from "@/lib/admin/incidents";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";

const body = Joi.object<{ note?: string }>({ note: Joi.string().trim().max(2000).allow("") });

/** Acknowledges an incident once, with an optional note (`{note}`). */
export const POST = route({ access: "admin", body }, async ({ params, body, user, requestId }) => ({
  incident: await acknowledgeIncident(await getDb(), {
    actorId: user.id,
    requestId,
    now: new Date(),
    incidentId: params.id ?? "",
    note: body.note || null,
  }),
}));
