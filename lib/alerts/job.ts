import "server-only";
/**
 * The `alerts` scheduled job, every minute: writes this process's signal counts (so the
 * rules see this instance too) and the gate's rate-limit counts, keeps the daily figures the day rules compare, drops
 * signal counts past retention, then evaluates every rule (./incidents.ts). Without a
 * receiver configured, transitions are recorded and logged (`level: alert`).
 */
import { getConfig, type Config } from "../config";
import type { Database } from "../db";
import { asService } from "../db/session";
import { rollUpDays } from "../metrics/daily-rollups";
import { RETENTION_DAYS } from "../metrics/rollups";
import { collectGateSignals } from "../metrics/gate-signals";
import { flushSignals } from "../metrics/signals";
import { log } from "../log/logger";
import { checkReadiness, probesFor, type ProbeName } from "../ops/readiness";
import { getPaymentProvider } from "../payments/providers";
import { getStorage } from "../storage";
import type { Probes } from "./evaluate";
import { runAlerts, type AlertRun } from "./incidents";

export interface AlertJobResult extends AlertRun {
  signalRows: number;
}

/** The live checks of the dependency rules, with readiness's own probes and time limit. */
export function dependencyProbes(config: Config, db: Database): Probes {
  const probes = probesFor(config, { db: async () => db, storage: getStorage, payments: getPaymentProvider });
  const check = (name: ProbeName) => async () => {
    const [result] = (await checkReadiness(probes.filter((p) => p.name === name))).checks;
    if (result?.status !== "pass") throw new Error(result?.error ?? `${name} not probed`);
  };
  return { database: check("database"), limiter_store: check("limiter_store") };
}

/**
 * The gate's counts, when it can be reached: while the limiter store (or, embedded, the
 * server) is away they wait where they are, and the rules judge without them meanwhile.
 */
async function gateSignals(db: Database, now: Date, config: Config): Promise<number> {
  try {
    const { rows } = await collectGateSignals(db, {
      now,
      rateLimit: config.rateLimit,
      internalUrl: config.internalUrl,
      auth: config.auth,
    });
    return rows;
  } catch (err) {
    log("warn", "alerts.gate_signals_unavailable", { error: err });
    return 0;
  }
}

export async function alertsJob(
  db: Database,
  now: Date,
  options: { config?: Config; probes?: Probes } = {},
): Promise<AlertJobResult> {
  const config = options.config ?? getConfig();
  const probes = options.probes ?? dependencyProbes(config, db);
  let signalRows = 0;
  const preparation: string[] = [];
  try {
    signalRows = (await flushSignals(db, { now })).rows;
    signalRows += await gateSignals(db, now, config);
    await rollUpDays(db, { now });
    await asService(db, "metrics-signals", (tx) =>
      tx.query("delete from public.metric_signal_counts where bucket < $1", [
        new Date(now.getTime() - RETENTION_DAYS * 86_400_000),
      ]),
    );
  } catch (err) {
    // The database rule below says whether the database is the reason; the rules still run.
    preparation.push(err instanceof Error ? err.message : String(err));
  }
  const run = await runAlerts(db, { now, config: config.alerts, probes });
  const errors = [...preparation.map((error) => ({ rule: "(preparation)", error })), ...run.errors];
  if (errors.length > 0 && run.firing.every((rule) => rule !== "database_unreachable")) {
    throw new Error(`alerts: ${errors.map((e) => `${e.rule}: ${e.error}`).join("; ")}`);
  }
  return { ...run, signalRows };
}
