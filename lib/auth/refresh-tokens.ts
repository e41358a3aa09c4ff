import "server-only";
/**
 * Refresh tokens: opaque, 32 random bytes (base64url), stored only as their SHA-256,
 * valid for `refreshTokenTtlDays` from issue, and rotated on every use. Tokens rotated
 * out of one sign-in share a family, so a retired token coming back (it was copied)
 * can revoke the whole family, including the newest token the thief or the user holds.
 *
 * Two tabs refreshing at once both present the same token. The first rotates it; the
 * second arrives within `refreshReuseGraceSeconds` of that rotation and gets a new token
 * of its own in the same family (a sibling), instead of killing the session. We never
 * hand out the first tab's token again: only hashes are stored, and replaying a
 * successor would need it in the clear. Siblings are short-lived by construction: the
 * next ordinary rotation in the family retires every other live token of it, so of two
 * siblings the one the browser did not keep dies, and if a thief raced the user inside
 * the window, whichever of them rotates second trips reuse detection.
 *
 * After the grace window a retired token is reuse: the family is revoked
 * (`reuse_detected`) and every token in it fails from then on.
 *
 * Every change to a family's tokens happens while holding that family's row lock, so
 * parallel rotations are serialised and each sees what the previous one did.
 */
import type { AuthConfig } from "../config";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import type { AppRole } from "./caller";
import type { Columns } from "../db/rows";
import { hashOpaqueToken, isOpaqueToken, newOpaqueToken } from "./opaque-token";

export type RevocationReason =
  "logout" | "logout_all" | "reuse_detected" | "suspended" | "password_changed" | "role_changed";

export type RefreshPolicy = Pick<AuthConfig, "refreshTokenTtlDays" | "refreshReuseGraceSeconds">;

export interface IssuedRefreshToken {
  token: string;
  familyId: string;
  expiresAt: Date;
}

export type RotationFailure = "unknown" | "expired" | "revoked" | "reused" | "suspended";

export type RotationResult =
  | (IssuedRefreshToken & {
      ok: true;
      userId: string;
      role: AppRole;
      /** Answered inside the grace window. */ graced: boolean;
    })
  | { ok: false; reason: RotationFailure };

const USER_AGENT_MAX = 512;

/** Starts a family (one sign-in) with its first token. Run inside `asService`. */
export async function issueRefreshToken(
  tx: Queryable,
  options: { userId: string; userAgent: string | null; now: Date; policy: RefreshPolicy },
): Promise<IssuedRefreshToken> {
  const [family] = await tx.query<{ id: string }>(
    `insert into public.refresh_token_families (user_id, created_at, last_used_at, user_agent)
     values ($1, $2, $2, $3) returning id`,
    [options.userId, options.now, options.userAgent?.slice(0, USER_AGENT_MAX) ?? null],
  );
  return insertToken(tx, family!.id, options.now, options.policy);
}

async function insertToken(tx: Queryable, familyId: string, now: Date, policy: RefreshPolicy) {
  const token = newOpaqueToken();
  const expiresAt = new Date(now.getTime() + policy.refreshTokenTtlDays * 86_400_000);
  await tx.query(
    `insert into public.refresh_tokens (family_id, token_hash, issued_at, expires_at) values ($1, $2, $3, $4)`,
    [familyId, hashOpaqueToken(token), now, expiresAt],
  );
  return { token, familyId, expiresAt };
}

/**
 * Trades a refresh token for a new one of the same family. Failures are returned, not
 * thrown, so that a reuse revocation commits.
 */
export async function rotateRefreshToken(
  db: Database,
  presented: string,
  now: Date,
  policy: RefreshPolicy,
): Promise<RotationResult> {
  if (!isOpaqueToken(presented)) return { ok: false, reason: "unknown" };
  return asService(db, "refresh-token-rotation", async (tx): Promise<RotationResult> => {
    const [found] = await tx.query<Columns<"refresh_tokens", "family_id">>(
      "select family_id from public.refresh_tokens where token_hash = $1",
      [hashOpaqueToken(presented)],
    );
    if (!found) return { ok: false, reason: "unknown" };

    const [family] = await tx.query<{ user_id: string; revoked_at: Date | null; role: AppRole; status: string }>(
      `select f.user_id, f.revoked_at, u.role, u.status
         from public.refresh_token_families f join public.users u on u.id = f.user_id
        where f.id = $1
          for update of f`,
      [found.family_id],
    );
    // Read again under the lock: a rotation that held it may just have changed the row.
    const [token] = await tx.query<Columns<"refresh_tokens", "expires_at" | "rotated_at">>(
      "select expires_at, rotated_at from public.refresh_tokens where token_hash = $1",
      [hashOpaqueToken(presented)],
    );
    if (!family || !token) return { ok: false, reason: "unknown" };
    if (family.status !== "active") return { ok: false, reason: "suspended" };
    if (family.revoked_at !== null) return { ok: false, reason: "revoked" };
    if (token.expires_at <= now) return { ok: false, reason: "expired" };

    let graced = false;
    if (token.rotated_at !== null) {
      if (now.getTime() >= token.rotated_at.getTime() + policy.refreshReuseGraceSeconds * 1000) {
        await revokeFamily(tx, found.family_id, "reuse_detected", now);
        return { ok: false, reason: "reused" };
      }
      graced = true;
    } else {
      // The presented token, and any sibling left over from a grace-window answer.
      await tx.query("update public.refresh_tokens set rotated_at = $2 where family_id = $1 and rotated_at is null", [
        found.family_id,
        now,
      ]);
    }
    await tx.query("update public.refresh_token_families set last_used_at = $2 where id = $1", [found.family_id, now]);
    const issued = await insertToken(tx, found.family_id, now, policy);
    return { ok: true, ...issued, userId: family.user_id, role: family.role, graced };
  });
}

/** The family a token belongs to, whatever its state. Run inside `asService`. */
export async function findFamily(
  tx: Queryable,
  presented: string,
): Promise<{ familyId: string; userId: string } | null> {
  if (!isOpaqueToken(presented)) return null;
  const [row] = await tx.query<{ family_id: string; user_id: string }>(
    `select t.family_id, f.user_id
       from public.refresh_tokens t join public.refresh_token_families f on f.id = t.family_id
      where t.token_hash = $1`,
    [hashOpaqueToken(presented)],
  );
  return row ? { familyId: row.family_id, userId: row.user_id } : null;
}

/** Ends one sign-in. Already revoked families keep their first reason. Run inside `asService`. */
export async function revokeFamily(
  tx: Queryable,
  familyId: string,
  reason: RevocationReason,
  now: Date,
): Promise<void> {
  await tx.query(
    `update public.refresh_token_families set revoked_at = $2, revoked_reason = $3
      where id = $1 and revoked_at is null`,
    [familyId, now, reason],
  );
}

/** Ends every sign-in of a user; returns how many were still live. Run inside `asService`. */
export async function revokeAllForUser(
  tx: Queryable,
  userId: string,
  reason: RevocationReason,
  now: Date,
): Promise<number> {
  const rows = await tx.query(
    `update public.refresh_token_families set revoked_at = $2, revoked_reason = $3
      where user_id = $1 and revoked_at is null
      returning id`,
    [userId, now, reason],
  );
  return rows.length;
}
