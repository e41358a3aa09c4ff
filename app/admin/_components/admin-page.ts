import "server-only";
import { notFound } from "next/navigation";
import type { AuthenticatedUser } from "@/lib/auth/authenticate";
import { getCurrentUser } from "@/lib/auth/current-user";
import { adminMessagesFor, type AdminMessages } from "@/lib/i18n/dictionaries/admin";
import type { Locale } from "@/lib/i18n/locales";
import { getLocale } from "@/lib/i18n/server";

/**
 * Every console page asks again who is calling (the gate is the first line): an admin by
 * the database's role, else the page does not exist for them.
 */
export async function adminPage(): Promise<{ user: AuthenticatedUser; locale: Locale; t: AdminMessages }> {
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  if (!user || user.role !== "admin") notFound();
  return { user, locale, t: adminMessagesFor(locale) };
}
