import { listIncidents, type Incident } from "@/lib/admin/incidents";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/i18n/format";
import { ActionForm } from "../_components/action-form";
import { adminPage } from "../_components/admin-page";

export const dynamic = "force-dynamic";

export default async function AdminAlertsPage() {
  const { locale, t } = await adminPage();
  const a = t.alerts;
  const { firing, resolved } = await listIncidents(await getDb());
  const when = (iso: string | null) => (iso ? formatDateTime(new Date(iso), locale) : "—");

  const list = (incidents: Incident[]) =>
    incidents.length === 0 ? (
      <p>{a.none}</p>
    ) : (
      incidents.map((i) => (
        <article key={i.id} className={i.status === "firing" ? "panel admin-firing" : "panel"}>
          <h3>{i.summary}</h3>
          <p>
            {i.ruleId} · {i.severity} · {i.destination} · {a.opened}: {when(i.openedAt)}
            {i.resolvedAt && ` · ${a.resolvedAt}: ${when(i.resolvedAt)}`}
          </p>
          {i.acknowledgedAt ? (
            <p>
              {a.acknowledged}: {when(i.acknowledgedAt)} ({i.acknowledgedBy}){i.ackNote && ` — ${i.ackNote}`}
            </p>
          ) : (
            <ActionForm
              endpoint={`/api/admin/incidents/${i.id}/acknowledge`}
              submitLabel={a.acknowledge}
              field={{ name: "note", label: a.note, required: false }}
              t={t.form}
            />
          )}
        </article>
      ))
    );

  return (
    <div>
      <h1>{a.title}</h1>
      <section aria-labelledby="alerts-firing">
        <h2 id="alerts-firing">{a.firing}</h2>
        {list(firing)}
      </section>
      <section aria-labelledby="alerts-resolved">
        <h2 id="alerts-resolved">{a.resolved}</h2>
        {list(resolved)}
      </section>
      <p className="note">{a.rulesNote}</p>
    </div>
  );
}
