import "server-only";
/**
 * The alert engine's incidents for the console: firing ones first, then the most recent
 * resolved ones; an admin acknowledges one with a note (once: a second acknowledgement
 * is a conflict, so nobody overwrites a colleague's note), with its audit row.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import { writeAudit, type AdminActor } from "./audit";

const RESOLVED_SHOWN = 50;
/** Named rather than `i.*`: a prepared statement keeps its result type when a column is added. */
const INCIDENT_COLUMNS = `i.id, i.rule_id, i.severity, i.destination, i.status, i.summary, i.details, i.opened_at,
  i.resolved_at, i.acknowledged_at, i.ack_note, u.email as acknowledged_by_email`;

export interface Incident {
  id: string;
  ruleId: string;
  severity: string;
  destination: string;
  status: "firing" | "resolved";
  summary: string;
  details: Record<string, unknown>;
  openedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
}

export async function listIncidents(db: Database): Promise<{ firing: Incident[]; resolved: Incident[] }> {
  const rows = await asService(db, "admin-incidents:list", (tx) =>
    tx.query<{
      id: string;
      rule_id: string;
      severity: string;
      destination: string;
      status: Incident["status"];
      summary: string;
      details: Record<string, unknown>;
      opened_at: Date;
      resolved_at: Date | null;
      acknowledged_at: Date | null;
      acknowledged_by_email: string | null;
      ack_note: string | null;
    }>(
      `(select ${INCIDENT_COLUMNS} from public.alert_incidents i
          left join public.users u on u.id = i.acknowledged_by where i.status = 'firing' order by i.opened_at desc)
       union all
       (select ${INCIDENT_COLUMNS} from public.alert_incidents i
          left join public.users u on u.id = i.acknowledged_by where i.status = 'resolved'
          order by i.resolved_at desc limit ${RESOLVED_SHOWN})`,
    ),
  );
  const incidents = rows.map((r) => ({
    id: r.id,
    ruleId: r.rule_id,
    severity: r.severity,
    destination: r.destination,
    status: r.status,
    summary: r.summary,
    details: r.details,
    openedAt: r.opened_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: r.acknowledged_by_email,
    ackNote: r.ack_note,
  }));
  return {
    firing: incidents.filter((i) => i.status === "firing"),
    resolved: incidents.filter((i) => i.status === "resolved"),
  };
}

export async function acknowledgeIncident(
  db: Database,
  input: AdminActor & { incidentId: string; note: string | null },
): Promise<{ id: string; acknowledgedAt: string }> {
  if (!UUID_PATTERN.test(input.incidentId)) throw new DomainError("not_found");
  return asService(db, "admin-incidents:acknowledge", async (tx) => {
    const [incident] = await tx.query<{ acknowledged_at: Date | null; rule_id: string }>(
      "select acknowledged_at, rule_id from public.alert_incidents where id = $1 for update",
      [input.incidentId],
    );
    if (!incident) throw new DomainError("not_found");
    if (incident.acknowledged_at) {
      throw new DomainError("review_state_conflict", [{ reason: "already_acknowledged" }]);
    }
    await tx.query(
      "update public.alert_incidents set acknowledged_at = $2, acknowledged_by = $3, ack_note = $4 where id = $1",
      [input.incidentId, input.now, input.actorId, input.note],
    );
    await writeAudit(tx, input, {
      action: "incident.acknowledge",
      targetType: "incident",
      targetId: input.incidentId,
      reason: input.note,
      details: { ruleId: incident.rule_id },
    });
    return { id: input.incidentId, acknowledgedAt: input.now.toISOString() };
  });
}
