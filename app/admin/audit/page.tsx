import Link from "next/link";
import { listAuditLog } from "@/lib/admin/audit-log";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/i18n/format";
import { UUID_PATTERN } from "@/lib/ids";
import { adminPage } from "../_components/admin-page";

export const dynamic = "force-dynamic";

type Search = { actor?: string; action?: string; target?: string; from?: string; to?: string; before?: string };

export default async function AdminAuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { locale, t } = await adminPage();
  const a = t.audit;
  const s = await searchParams;
  const day = (v?: string) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00+09:00`) : null);
  const { entries, nextCursor } = await listAuditLog(await getDb(), {
    actorId: s.actor && UUID_PATTERN.test(s.actor) ? s.actor : null,
    action: s.action && /^[a-z_]+\.[a-z_]+$/.test(s.action) ? s.action : null,
    targetId: s.target ? s.target.slice(0, 255) : null,
    from: day(s.from),
    to: day(s.to),
    before: s.before && /^\d{1,18}$/.test(s.before) ? Number(s.before) : null,
  });

  return (
    <div>
      <h1>{a.title}</h1>
      <form className="admin-filter" action="/admin/audit">
        <label>
          {a.actor}
          <input name="actor" defaultValue={s.actor ?? ""} size={36} />
        </label>
        <label>
          {a.action}
          <input name="action" defaultValue={s.action ?? ""} placeholder="campaign.approve" />
        </label>
        <label>
          {a.target}
          <input name="target" defaultValue={s.target ?? ""} size={36} />
        </label>
        <label>
          {a.from}
          <input type="date" name="from" defaultValue={s.from ?? ""} />
        </label>
        <label>
          {a.to}
          <input type="date" name="to" defaultValue={s.to ?? ""} />
        </label>
        <button type="submit" className="button button--small">
          {a.filter}
        </button>
      </form>
      {entries.length === 0 ? (
        <p>{a.none}</p>
      ) : (
        <div className="admin-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th scope="col">{a.at}</th>
                <th scope="col">{a.actor}</th>
                <th scope="col">{a.action}</th>
                <th scope="col">{a.target}</th>
                <th scope="col">{a.reason}</th>
                <th scope="col">{a.requestId}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(new Date(e.createdAt), locale)}</td>
                  <td>{e.actor ? e.actor.email : a.system}</td>
                  <td>{e.action}</td>
                  <td>
                    {e.targetType} {e.targetId}
                  </td>
                  <td>{typeof e.details.reason === "string" ? e.details.reason : ""}</td>
                  <td>{e.requestId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor !== null && (
        <p>
          <Link
            className="button button--secondary"
            href={`/admin/audit?${new URLSearchParams({ ...(s as Record<string, string>), before: String(nextCursor) })}`}
          >
            {a.more}
          </Link>
        </p>
      )}
    </div>
  );
}
