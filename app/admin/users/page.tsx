import Link from "next/link";
import { searchUsers } from "@/lib/admin/users";
import { getDb } from "@/lib/db";
import { UUID_PATTERN } from "@/lib/ids";
import { adminPage } from "../_components/admin-page";
import { ListPage } from "../_components/list-page";

export const dynamic = "force-dynamic";

export default async function AdminUsersPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; before?: string }>;
}) {
  const { t } = await adminPage();
  const u = t.users;
  const { q, before } = await searchParams;
  const query = (q ?? "").slice(0, 254);
  const { users, nextCursor } = await searchUsers(await getDb(), {
    q: query,
    before: before && UUID_PATTERN.test(before) ? before : null,
  });

  return (
    <div>
      <h1>{u.title}</h1>
      <ListPage
        path="/admin/users"
        search
        filters={[{ name: "q", label: u.search, type: "search", maxLength: 254 }]}
        values={{ q: query }}
        submitLabel={u.searchButton}
        rows={users}
        rowKey={(user) => user.id}
        columns={[
          { header: u.email, cell: (user) => <Link href={`/admin/users/${user.id}`}>{user.email}</Link> },
          { header: u.displayName, cell: (user) => user.displayName },
          { header: u.role, cell: (user) => u.roles[user.role] },
          { header: u.status, cell: (user) => u.statuses[user.status] },
        ]}
        empty={u.none}
        nextCursor={nextCursor}
        moreLabel={u.more}
      />
    </div>
  );
}
