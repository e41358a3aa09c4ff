/**
 * Runs once per server process, before it takes requests. On Node.js it brings the
 * schema up to date (and loads the demo catalog into an empty local database), then
 * says where the app is and how to sign in. Outside production mode (or with
 * KOEPON_SCHEDULER=1) it also starts the scheduled jobs in-process, once a minute;
 * production runs them through Vercel Cron instead.
 *
 * A server that cannot do this exits non-zero: serving without its schema would only
 * fail later, request by request, and a supervisor or deploy check notices an exit.
 */
import type { Config } from "./lib/config";
import type { PrepareResult } from "./lib/db/prepare";
import { log } from "./lib/log/logger";

export async function register(): Promise<void> {
  // Compared as a literal so the Edge build drops this branch and its Node-only imports.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    try {
      const { getConfig } = await import("./lib/config");
      const config = getConfig();
      if (config.isBuildPhase) return;

      const { prepareDatabase } = await import("./lib/db/prepare");
      const result = await prepareDatabase((line) => console.log(line));
      console.log(startupBanner(config, result));

      if (config.ops.scheduler) {
        const [{ startScheduler }, { runAllJobs }, { getDb }] = await Promise.all([
          import("./lib/ops/scheduler"),
          import("./lib/ops/jobs"),
          import("./lib/db"),
        ]);
        startScheduler({
          run: async (now) => logJobOutcomes(await runAllJobs(await getDb(), now)),
          onError: (err) => logJobOutcomes([{ job: "all", ok: false, error: String(err) }]),
        });
      }
    } catch (err) {
      console.error(failureBanner(err));
      process.exit(1);
    }
  }
}

/** One log line per failed job; successful runs stay quiet (they happen every minute). */
function logJobOutcomes(outcomes: { job: string; ok: boolean; error?: string }[]): void {
  for (const outcome of outcomes) {
    if (!outcome.ok) log("error", "ops.job_failed", { job: outcome.job, error: outcome.error });
  }
}

function startupBanner(config: Config, result: PrepareResult): string {
  const rule = "─".repeat(64);
  const { database } = config;
  const store = database.kind === "pglite" ? ` (PGlite in ${database.dir ?? "memory"})` : "";
  const migrations = result.applied.length > 0 ? `${result.applied.length} applied, ` : "";
  const lines = [
    rule,
    `  こえポン！ Koepon! ${config.version} (${config.commit.slice(0, 12)})`,
    `  URL:        ${config.appUrl}`,
    `  Mode:       ${config.mode}${store}`,
    `  Migrations: ${migrations}schema up to date`,
    `  Jobs:       ${config.ops.scheduler ? "in-process, every minute" : "by cron (/api/cron/*)"}`,
  ];
  if (result.seeded) lines.push("  Demo data:  loaded into the empty database");
  if (result.demoAccounts.length > 0) {
    const roleWidth = Math.max(...result.demoAccounts.map((a) => a.role.length));
    const emailWidth = Math.max(...result.demoAccounts.map((a) => a.email.length));
    lines.push("", "  ログイン / Sign in with:");
    for (const account of result.demoAccounts) {
      lines.push(`    ${account.role.padEnd(roleWidth)}  ${account.email.padEnd(emailWidth)}  ${account.password}`);
    }
  }
  lines.push(rule);
  return lines.join("\n");
}

function failureBanner(err: unknown): string {
  const rule = "━".repeat(64);
  // A settings mistake is explained by its message; anything else needs its stack.
  const detail =
    err instanceof Error ? (err.name === "ConfigError" ? err.message : (err.stack ?? err.message)) : String(err);
  return [
    rule,
    "  こえポン！ Koepon! could not start: its settings or database are not ready.",
    "  起動できません：設定またはデータベースの準備に失敗しました。",
    "",
    ...detail.split("\n").map((line) => `  ${line}`),
    "",
    "  Stopping: this server must not serve without valid settings and an up-to-date schema.",
    rule,
  ].join("\n");
}
