import "server-only";
import { notFound, redirect } from "next/navigation";
import type { AuthenticatedUser } from "../auth/authenticate";
import { hasRole } from "../auth/caller";
import { getCurrentUser } from "../auth/current-user";
import { getConfig } from "../config";
import { getDb } from "../db";
import type { Claims } from "../db/session";
import type { Database } from "../db/types";
import type { Locale } from "../i18n/locales";
import { getLocale } from "../i18n/server";
import { listLibrary } from "./library";

/**
 * The signed-in VTuber for a console page. The gate keeps others out already; this is
 * the page's own check (the role read from the database), not the only one.
 */
export async function consoleUser(next: string): Promise<AuthenticatedUser> {
  const user = await getCurrentUser();
  if (!user) redirect(`/login?${new URLSearchParams({ next })}`);
  if (!hasRole(user.role, "vtuber")) notFound();
  return user;
}

/** What a console page's reads get: the database, the VTuber's claims, and their library. */
export interface ConsoleReads {
  db: Database;
  claims: Claims;
  /** The VTuber's verified files with the storage quota they count against. */
  library: () => ReturnType<typeof listLibrary>;
}

/**
 * A console page's prologue: the VTuber (or the sign-in redirect / not found), then the
 * page's own reads and the visitor's locale, all at once. `reads` names each read, and
 * the answer carries their results under the same names.
 */
export async function loadConsole<R extends Record<string, Promise<unknown>>>(
  path: string,
  reads: (console: ConsoleReads) => R,
): Promise<{ user: AuthenticatedUser; locale: Locale } & { [K in keyof R]: Awaited<R[K]> }> {
  const user = await consoleUser(path);
  const db = await getDb();
  const pending = reads({
    db,
    claims: user.claims,
    library: () => listLibrary(db, user.claims, getConfig().storage.vtuberQuotaBytes),
  });
  const names = Object.keys(pending);
  const [locale, ...results] = await Promise.all([getLocale(), ...names.map((name) => pending[name])]);
  return {
    ...(Object.fromEntries(names.map((name, i) => [name, results[i]])) as { [K in keyof R]: Awaited<R[K]> }),
    user,
    locale,
  };
}

/** A new campaign's window as the builder first shows it: from tomorrow, for two weeks. */
export function defaultCampaignWindow(now = new Date()): { startsAt: string; endsAt: string } {
  const day = 86_400_000;
  return {
    startsAt: new Date(now.getTime() + day).toISOString(),
    endsAt: new Date(now.getTime() + 15 * day).toISOString(),
  };
}
