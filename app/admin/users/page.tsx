import Link from "next/link";
import { searchUsers } from "@/lib/admin/users";
import { getDb } from "@/lib/db";
import { UUID_PATTERN } from "@/lib/ids";
import { adminPage } from "../_components/admin-page";

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
      <form className="admin-filter" role="search" action="/admin/users">
        <label>
          {u.search}
          <input type="search" name="q" defaultValue={query} maxLength={254} />
        </label>
        <button type="submit" className="button button--small">
          {u.searchButton}
        </button>
      </form>
      {users.length === 0 ? (
        <p>{u.none}</p>
      ) : (
        <div className="admin-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">{u.email}</th>
                <th scope="col">{u.displayName}</th>
                <th scope="col">{u.role}</th>
                <th scope="col">{u.status}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <td>
                    <Link href={`/admin/users/${user.id}`}>{user.email}</Link>
                  </td>
                  <td>{user.displayName}</td>
                  <td>{u.roles[user.role]}</td>
                  <td>{u.statuses[user.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <p>
          <Link
            className="button button--secondary"
            href={`/admin/users?${new URLSearchParams({ q: query, before: nextCursor })}`}
          >
            {u.more}
          </Link>
        </p>
      )}
    </div>
  );
}
