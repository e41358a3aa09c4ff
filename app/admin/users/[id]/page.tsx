import Link from "next/link";
import { notFound } from "next/navigation";
import { getUserDetail } from "@/lib/admin/users";
import { getDb } from "@/lib/db";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { ActionForm } from "../../_components/action-form";
import { adminPage } from "../../_components/admin-page";

export const dynamic = "force-dynamic";

export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const { locale, t } = await adminPage();
  const u = t.users;
  const user = await getUserDetail(await getDb(), (await params).id, new Date()).catch(() => notFound());

  return (
    <div>
      <h1>
        {user.displayName} &lt;{user.email}&gt;
      </h1>
      <section className="panel">
        <dl className="summary-list">
          <div>
            <dt>{u.role}</dt>
            <dd>{u.roles[user.role]}</dd>
          </div>
          <div>
            <dt>{u.status}</dt>
            <dd>{u.statuses[user.status]}</dd>
          </div>
          <div>
            <dt>{u.ageBand}</dt>
            <dd>{u.ageBands[user.ageBand]}</dd>
          </div>
          <div>
            <dt>{u.spend}</dt>
            <dd>
              {formatYen(user.spentJpy)} / {u.cap}: {user.capJpy === null ? u.noCap : formatYen(user.capJpy)}
            </dd>
          </div>
          <div>
            <dt>{u.pulls}</dt>
            <dd>{user.pulls}</dd>
          </div>
          <div>
            <dt>{u.sessions}</dt>
            <dd>{user.activeSessions}</dd>
          </div>
        </dl>
        {user.status === "active" ? (
          <ActionForm
            endpoint={`/api/admin/users/${user.id}/suspend`}
            submitLabel={u.suspend}
            field={{ name: "reason", label: u.reason, required: true }}
            t={t.form}
          />
        ) : (
          <ActionForm
            endpoint={`/api/admin/users/${user.id}/reinstate`}
            submitLabel={u.reinstate}
            field={{ name: "reason", label: u.reason, required: true }}
            t={t.form}
          />
        )}
        <h2 id="user-role">{u.changeRole}</h2>
        <p className="note">{u.roleNote}</p>
        <ActionForm
          endpoint={`/api/admin/users/${user.id}/role`}
          submitLabel={u.changeRole}
          choice={{
            name: "role",
            label: u.newRole,
            initial: user.role,
            options: (["user", "vtuber", "admin"] as const).map((r) => ({ value: r, label: u.roles[r] ?? r })),
          }}
          field={{ name: "reason", label: u.roleReason, required: true }}
          t={t.form}
        />
      </section>

      <section className="panel" aria-labelledby="user-medals">
        <h2 id="user-medals">{u.medals}</h2>
        <ul>
          {user.medals.map((m) => (
            <li key={m.vtuberId}>
              {m.vtuberName}: {m.balance}
            </li>
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="user-purchases">
        <h2 id="user-purchases">{u.purchases}</h2>
        <div className="admin-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">{t.payments.created}</th>
                <th scope="col">{t.payments.status}</th>
                <th scope="col">{t.payments.amount}</th>
              </tr>
            </thead>
            <tbody>
              {user.purchases.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link href={`/admin/payments/${p.id}`}>{formatDateTime(new Date(p.createdAt), locale)}</Link>
                  </td>
                  <td>{t.payments.statuses[p.status] ?? p.status}</td>
                  <td>
                    {formatYen(p.amountJpy)} ({p.pullCount}) {p.campaignTitle}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
