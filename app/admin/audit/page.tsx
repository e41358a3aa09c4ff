import { listAuditLog } from "@/lib/admin/audit-log";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/i18n/format";
import { UUID_PATTERN } from "@/lib/ids";
import { adminPage } from "../_components/admin-page";
import { ListPage } from "../_components/list-page";

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
      <ListPage
        path="/admin/audit"
        filters={[
          { name: "actor", label: a.actor, size: 36 },
          { name: "action", label: a.action, placeholder: "campaign.approve" },
          { name: "target", label: a.target, size: 36 },
          { name: "from", label: a.from, type: "date" },
          { name: "to", label: a.to, type: "date" },
        ]}
        values={s}
        submitLabel={a.filter}
        rows={entries}
        rowKey={(e) => String(e.id)}
        columns={[
          { header: a.at, cell: (e) => formatDateTime(new Date(e.createdAt), locale) },
          { header: a.actor, cell: (e) => (e.actor ? e.actor.email : a.system) },
          { header: a.action, cell: (e) => e.action },
          { header: a.target, cell: (e) => `${e.targetType} ${e.targetId ?? ""}` },
          { header: a.reason, cell: (e) => (typeof e.details.reason === "string" ? e.details.reason : "") },
          { header: a.requestId, cell: (e) => e.requestId },
        ]}
        empty={a.none}
        nextCursor={nextCursor === null ? null : String(nextCursor)}
        moreLabel={a.more}
      />
    </div>
  );
}
