import "server-only";
/**
 * The alert state machine, persisted in `alert_incidents`: per rule, ok → firing (a row
 * is opened) → resolved (the row is closed), and one notification per transition, never
 * one per evaluation.
 *
 * - Several evaluators may run at once (every instance's scheduler, Vercel Cron): the
 *   partial unique index lets one open incident per rule exist, so only one opening
 *   wins, and closing is a conditional update only one wins.
 * - Sending is separate from the transition: an incident whose trigger (or resolve) has
 *   not been accepted yet has `trigger_notified_at` (or `resolve_notified_at`) null. Each
 *   evaluation sends those, under a short lease (`notify_lease_until`) so two evaluators
 *   never send one twice; a failed send drops the lease and the next evaluation retries,
 *   without a second incident.
 * - The database rule cannot use the database: while it is unreachable, this process
 *   keeps the outage in memory and pages once with a fixed dedup key (PagerDuty merges
 *   the same key from every instance into one incident); when it is back, the outage is
 *   written as an incident and resolved through the path above.
 */
import type { AlertsConfig } from "../config";
import type { Database } from "../db";
import type { Columns, Narrow } from "../db/rows";
import type { JsonObject } from "../db/schema";
import { asService } from "../db/session";
import { log } from "../log/logger";
import { judge, type Judgement, type Probes } from "./evaluate";
import type { RetryOptions } from "./http";
import {
  deliverableDestination,
  destinationFor,
  notify,
  type IncidentDestination,
  type IncidentNotice,
} from "./notify";
import { ALERT_RULES, ruleById, type AlertRule, type Severity } from "./rules";

/** How long an evaluator holds a notification it is sending: longer than all its retries. */
export const NOTIFY_LEASE_MS = 120_000;
/** An incident resolved longer ago than this is not announced any more (a firing one always is). */
export const NOTIFY_GIVE_UP_MS = 24 * 3_600_000;

const DATABASE_RULE = "database_unreachable";

type IncidentRow = Narrow<
  Columns<
    "alert_incidents",
    | "id"
    | "rule_id"
    | "dedup_key"
    | "severity"
    | "destination"
    | "status"
    | "summary"
    | "details"
    | "opened_at"
    | "resolved_at"
    | "trigger_notified_at"
    | "resolve_notified_at"
  >,
  { severity: Severity; destination: IncidentDestination; status: "firing" | "resolved"; details: JsonObject }
>;

const INCIDENT_COLUMNS = `id, rule_id, dedup_key, severity, destination, status, summary, details, opened_at,
  resolved_at, trigger_notified_at, resolve_notified_at`;

/** A database outage seen by this process, kept in memory because it cannot be written. */
export interface OutageState {
  database: { since: Date; notifiedAt: Date | null; reason: string } | null;
}

const slot = Symbol.for("koepon.alertOutage");
type GlobalWithOutage = typeof globalThis & { [slot]?: OutageState };

function processOutage(): OutageState {
  const g = globalThis as GlobalWithOutage;
  g[slot] ??= { database: null };
  return g[slot];
}

export interface AlertRunDeps {
  now: Date;
  config: AlertsConfig;
  probes: Probes;
  rules?: readonly AlertRule[];
  retry?: RetryOptions;
  /** @default this process's */
  outage?: OutageState;
}

export interface AlertRun {
  evaluated: number;
  firing: string[];
  opened: string[];
  resolved: string[];
  notified: number;
  notifyFailures: number;
  /** Rules that could not be judged, with why. */
  errors: { rule: string; error: string }[];
}

export function dedupKeyFor(ruleId: string, incidentId: string): string {
  // The database rule's key is fixed: instances that cannot share state still page one incident.
  return ruleId === DATABASE_RULE ? `koepon-${ruleId}` : `koepon-${ruleId}-${incidentId}`;
}

export async function runAlerts(db: Database, deps: AlertRunDeps): Promise<AlertRun> {
  const rules = deps.rules ?? ALERT_RULES;
  const outage = deps.outage ?? processOutage();
  const run: AlertRun = {
    evaluated: 0,
    firing: [],
    opened: [],
    resolved: [],
    notified: 0,
    notifyFailures: 0,
    errors: [],
  };

  const databaseDown = await probe(deps.probes.database);
  if (databaseDown !== null) {
    log("alert", "alert.dependency_unreachable", { dependency: "database", error: databaseDown });
    await databaseOutage(outage, databaseDown, deps, run);
    return run;
  }
  if (outage.database) await recordOutage(db, outage, deps.now, deps.config);
  // Probed once per run: the database rule reads the answer above.
  const probes: Probes = { ...deps.probes, database: async () => {} };

  for (const rule of rules) {
    let judgement: Judgement;
    try {
      judgement = await asService(db, "alerts", (tx) => judge(rule, tx, deps.now, probes));
    } catch (err) {
      run.errors.push({ rule: rule.id, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    run.evaluated += 1;
    if (judgement.firing) run.firing.push(rule.id);
    const transition = await applyJudgement(db, rule, judgement, deps);
    if (transition === "opened") run.opened.push(rule.id);
    if (transition === "resolved") run.resolved.push(rule.id);
  }

  await sendPending(db, deps, rules, run);
  return run;
}

async function probe(check: () => Promise<void>): Promise<string | null> {
  try {
    await check();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function applyJudgement(
  db: Database,
  rule: AlertRule,
  judgement: Judgement,
  deps: AlertRunDeps,
): Promise<"opened" | "resolved" | null> {
  const details = {
    value: judgement.value,
    threshold: judgement.threshold,
    volume: judgement.volume,
    windowFrom: judgement.window.from.toISOString(),
    windowTo: judgement.window.to.toISOString(),
  };
  return asService(db, "alerts", async (tx) => {
    const [open] = await tx.query<{ id: string }>(
      "select id from public.alert_incidents where rule_id = $1 and status = 'firing'",
      [rule.id],
    );
    if (judgement.firing && !open) {
      const id = crypto.randomUUID();
      // Another evaluator may have opened it since the select: the partial unique index decides.
      const inserted = await tx.query(
        `insert into public.alert_incidents (id, rule_id, dedup_key, severity, destination, summary, details, opened_at)
         values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
         on conflict (rule_id) where status = 'firing' do nothing
         returning id`,
        [
          id,
          rule.id,
          dedupKeyFor(rule.id, id),
          rule.severity,
          destinationFor(rule.destination, deps.config),
          judgement.summary.slice(0, 1024),
          JSON.stringify(details),
          deps.now,
        ],
      );
      return inserted.length > 0 ? "opened" : null;
    }
    if (!judgement.firing && open) {
      const closed = await tx.query(
        `update public.alert_incidents
            set status = 'resolved', resolved_at = $2, details = details || jsonb_build_object('resolvedWith', $3::jsonb)
          where id = $1 and status = 'firing'
          returning id`,
        [open.id, deps.now, JSON.stringify({ ...details, summary: judgement.summary })],
      );
      return closed.length > 0 ? "resolved" : null;
    }
    return null;
  });
}

/** Sends every trigger and resolve not yet accepted, each under a lease. */
async function sendPending(
  db: Database,
  deps: AlertRunDeps,
  rules: readonly AlertRule[],
  run: AlertRun,
): Promise<void> {
  const pending = await asService(db, "alerts", (tx) =>
    tx.query<IncidentRow>(
      `select ${INCIDENT_COLUMNS} from public.alert_incidents
        where (status = 'firing' and trigger_notified_at is null)
           or (status = 'resolved' and resolve_notified_at is null and resolved_at > $1)
        order by opened_at`,
      [new Date(deps.now.getTime() - NOTIFY_GIVE_UP_MS)],
    ),
  );
  for (const candidate of pending) {
    const claimed = await asService(db, "alerts", (tx) =>
      tx.query<IncidentRow>(
        `update public.alert_incidents set notify_lease_until = $2
          where id = $1 and (notify_lease_until is null or notify_lease_until < $3)
            and (trigger_notified_at is null or (status = 'resolved' and resolve_notified_at is null))
          returning ${INCIDENT_COLUMNS}`,
        [candidate.id, new Date(deps.now.getTime() + NOTIFY_LEASE_MS), deps.now],
      ),
    );
    const incident = claimed[0];
    if (!incident) continue;
    const rule = rules.find((r) => r.id === incident.rule_id) ?? ruleById(incident.rule_id);
    const destination = deliverableDestination(incident.destination, rule?.destination ?? "slack", deps.config);
    try {
      if (incident.trigger_notified_at === null) {
        await notify(notice(incident, "trigger", rule, destination), deps.config, deps.retry);
        await mark(db, incident.id, "trigger_notified_at", deps.now);
        run.notified += 1;
      }
      if (incident.status === "resolved") {
        await notify(notice(incident, "resolve", rule, destination), deps.config, deps.retry);
        await mark(db, incident.id, "resolve_notified_at", deps.now);
        run.notified += 1;
      }
    } catch (err) {
      run.notifyFailures += 1;
      log("error", "alert.notify_failed", { rule: incident.rule_id, destination, error: err });
    } finally {
      await asService(db, "alerts", (tx) =>
        tx.query("update public.alert_incidents set notify_lease_until = null where id = $1", [incident.id]),
      );
    }
  }
}

async function mark(db: Database, id: string, column: "trigger_notified_at" | "resolve_notified_at", at: Date) {
  await asService(db, "alerts", (tx) =>
    tx.query(`update public.alert_incidents set ${column} = $2 where id = $1`, [id, at]),
  );
}

function notice(
  incident: IncidentRow,
  action: "trigger" | "resolve",
  rule: AlertRule | undefined,
  destination: IncidentDestination,
): IncidentNotice {
  return {
    action,
    id: incident.id,
    ruleId: incident.rule_id,
    title: rule?.title ?? incident.rule_id,
    dedupKey: incident.dedup_key,
    severity: incident.severity,
    destination,
    summary: incident.summary,
    details: incident.details,
    openedAt: incident.opened_at,
    resolvedAt: incident.resolved_at,
  };
}

/** The database is down: page once from this process (retrying until accepted), write nothing. */
async function databaseOutage(outage: OutageState, reason: string, deps: AlertRunDeps, run: AlertRun) {
  outage.database ??= { since: deps.now, notifiedAt: null, reason };
  run.firing.push(DATABASE_RULE);
  if (outage.database.notifiedAt !== null) return;
  const rule = ruleById(DATABASE_RULE)!;
  try {
    await notify(
      {
        action: "trigger",
        id: "unrecorded",
        ruleId: DATABASE_RULE,
        title: rule.title,
        dedupKey: dedupKeyFor(DATABASE_RULE, ""),
        severity: rule.severity,
        destination: destinationFor(rule.destination, deps.config),
        summary: `database unreachable: ${reason.slice(0, 300)}`,
        details: { since: outage.database.since.toISOString() },
        openedAt: outage.database.since,
        resolvedAt: null,
      },
      deps.config,
      deps.retry,
    );
    outage.database.notifiedAt = deps.now;
    run.notified += 1;
  } catch (err) {
    run.notifyFailures += 1;
    log("error", "alert.notify_failed", { rule: DATABASE_RULE, error: err });
  }
}

/** The database is back: the outage becomes an open incident, which this run then resolves. */
async function recordOutage(db: Database, outage: OutageState, now: Date, config: AlertsConfig) {
  const seen = outage.database!;
  const rule = ruleById(DATABASE_RULE)!;
  await asService(db, "alerts", (tx) =>
    tx.query(
      `insert into public.alert_incidents
         (rule_id, dedup_key, severity, destination, summary, details, opened_at, trigger_notified_at)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)
       on conflict (rule_id) where status = 'firing' do nothing`,
      [
        DATABASE_RULE,
        dedupKeyFor(DATABASE_RULE, ""),
        rule.severity,
        destinationFor(rule.destination, config),
        `database unreachable: ${seen.reason.slice(0, 300)}`,
        JSON.stringify({ since: seen.since.toISOString(), seenBackAt: now.toISOString() }),
        seen.since,
        seen.notifiedAt,
      ],
    ),
  );
  outage.database = null;
}
