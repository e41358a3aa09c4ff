import "server-only";
import { notFound, redirect } from "next/navigation";
import type { AuthenticatedUser } from "@/lib/auth/authenticate";
import { getCurrentUser } from "@/lib/auth/current-user";
import { hasRole } from "@/lib/auth/caller";

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

/** A new campaign's window as the builder first shows it: from tomorrow, for two weeks. */
export function defaultCampaignWindow(now = new Date()): { startsAt: string; endsAt: string } {
  const day = 86_400_000;
  return {
    startsAt: new Date(now.getTime() + day).toISOString(),
    endsAt: new Date(now.getTime() + 15 * day).toISOString(),
  };
}
