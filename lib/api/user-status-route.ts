import "server-only";
import Joi from "joi";
import type { SuspendUserInput } from "../admin/suspend-user";
import { getDb, type Database } from "../db";
import { route } from "./handler";

/** Kept in the audit log for the other admins; required, as every account action needs its why. */
const reasonBody = Joi.object<{ reason: string }>({ reason: Joi.string().trim().min(1).max(2000).required() });

/** `POST /api/admin/users/{id}/suspend|reinstate {reason}`. */
export function userStatusRoute<T extends object>(change: (db: Database, input: SuspendUserInput) => Promise<T>) {
  return route({ access: "admin", body: reasonBody }, async ({ params, body, user, requestId }) => ({
    user: {
      id: params.id ?? "",
      ...(await change(await getDb(), {
        actorId: user.id,
        userId: params.id ?? "",
        reason: body.reason,
        requestId,
        now: new Date(),
      })),
    },
  }));
}
