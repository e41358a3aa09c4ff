import "server-only";
/**
 * The single-use links mailed to prove a mailbox. The token is 32 random bytes
 * (base64url) in the link; only its SHA-256 is stored. Issuing a link retires the
 * user's earlier unused links of the same purpose, so only the newest one works.
 * Consuming locks the row, so two clicks racing on one link succeed once.
 */
import type { Columns, Narrow } from "../db/rows";
import type { Queryable } from "../db/types";
import { hashOpaqueToken, isOpaqueToken, newOpaqueToken } from "../auth/opaque-token";
import { DomainError } from "../domain-error";

export type TokenPurpose = "verify_email" | "reset_password" | "change_email";

const MINUTE = 60_000;
/** How long each kind of link works: a reset is the most dangerous to leave lying in a mailbox. */
export const TOKEN_TTL_MS: Readonly<Record<TokenPurpose, number>> = {
  verify_email: 48 * 60 * MINUTE,
  reset_password: 30 * MINUTE,
  change_email: 24 * 60 * MINUTE,
};

/**
 * Links of one purpose mailed to one account per hour. Beyond it nothing is sent: a
 * stranger who knows an address cannot flood its mailbox through us.
 */
export const LINKS_PER_HOUR = 3;

export type AccountToken = Narrow<
  Columns<"account_tokens", "id" | "user_id" | "purpose" | "new_email">,
  {
    purpose: TokenPurpose;
  }
>;

/** A new link's token (to put in the mail; it is not stored). Run inside `asService`. */
export async function issueToken(
  tx: Queryable,
  options: { userId: string; purpose: TokenPurpose; newEmail?: string; now: Date },
): Promise<string> {
  await tx.query(
    `update public.account_tokens set used_at = $3
      where user_id = $1 and purpose = $2 and used_at is null and expires_at > $3`,
    [options.userId, options.purpose, options.now],
  );
  const token = newOpaqueToken();
  await tx.query(
    `insert into public.account_tokens (user_id, purpose, token_hash, new_email, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [
      options.userId,
      options.purpose,
      hashOpaqueToken(token),
      options.newEmail ?? null,
      options.now,
      new Date(options.now.getTime() + TOKEN_TTL_MS[options.purpose]),
    ],
  );
  return token;
}

/** Seconds until another link of this purpose may be mailed, or 0 when one may be now. */
export async function linkWaitSeconds(
  tx: Queryable,
  options: { userId: string; purpose: TokenPurpose; now: Date },
): Promise<number> {
  const hourAgo = new Date(options.now.getTime() - 60 * MINUTE);
  const rows = await tx.query<Columns<"account_tokens", "created_at">>(
    `select created_at from public.account_tokens
      where user_id = $1 and purpose = $2 and created_at > $3
      order by created_at desc`,
    [options.userId, options.purpose, hourAgo],
  );
  if (rows.length < LINKS_PER_HOUR) return 0;
  const oldest = rows[LINKS_PER_HOUR - 1]!.created_at;
  return Math.max(1, Math.ceil((oldest.getTime() + 60 * MINUTE - options.now.getTime()) / 1000));
}

/**
 * The live link a token names, without using it up (a page shows what the link will
 * do before the user confirms), or a `link_invalid` refusal with the reason.
 */
export async function peekToken(
  tx: Queryable,
  token: string,
  purposes: readonly TokenPurpose[],
  now: Date,
  options: { lock?: boolean } = {},
): Promise<AccountToken> {
  if (!isOpaqueToken(token)) throw new DomainError("link_invalid", [{ field: "token", reason: "unknown" }]);
  const [row] = await tx.query<AccountToken & Columns<"account_tokens", "expires_at" | "used_at">>(
    `select id, user_id, purpose, new_email, expires_at, used_at from public.account_tokens
      where token_hash = $1 ${options.lock ? "for update" : ""}`,
    [hashOpaqueToken(token)],
  );
  if (!row || !purposes.includes(row.purpose)) {
    throw new DomainError("link_invalid", [{ field: "token", reason: "unknown" }]);
  }
  if (row.used_at !== null) throw new DomainError("link_invalid", [{ field: "token", reason: "used" }]);
  if (row.expires_at <= now) throw new DomainError("link_invalid", [{ field: "token", reason: "expired" }]);
  return { id: row.id, user_id: row.user_id, purpose: row.purpose, new_email: row.new_email };
}

/** Uses a link up, under its row lock: of two requests racing with one link, one wins. */
export async function consumeToken(
  tx: Queryable,
  token: string,
  purposes: readonly TokenPurpose[],
  now: Date,
): Promise<AccountToken> {
  const row = await peekToken(tx, token, purposes, now, { lock: true });
  await tx.query("update public.account_tokens set used_at = $2 where id = $1", [row.id, now]);
  return row;
}

/** Retires every live link of a user (after a reset or an email change the old ones must not work). */
export async function retireTokens(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx.query(
    "update public.account_tokens set used_at = $2 where user_id = $1 and used_at is null and expires_at > $2",
    [userId, now],
  );
}
