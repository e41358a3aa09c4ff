/**
 * `npm run release -- --target local|vercel [options]`: one blue/green release, ending
 * with a JSON report (also written to `--report <file>`). Exit 0 when released, 1 when
 * refused, rolled back or failed. `--rollback` moves production back to the colour kept
 * from the previous release.
 *
 * Local target options: `--port` (production, default 3000), `--blue-port` (3001),
 * `--green-port` (3002), `--dir` (state, default .data/release).
 * Vercel target: the VERCEL_* settings (.env.example), the Build Output of `vercel build
 * --prod` in `.vercel/output`, and `--production-url` (default APP_URL), the address the
 * watch probes. The release id defaults to the commit checked out (12 characters for
 * local, the whole id for vercel); preflight compares the migrations with the commit
 * serving now when that is a commit of this repository.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";
import { asService } from "../lib/db/session";
import { migrate } from "../lib/migrate/migrator";
import { checkExpandOnlyAgainst, isCommit } from "../lib/release/git-version";
import { release, rollback } from "../lib/release/release";
import { smoke } from "../lib/release/smoke";
import { StepFailure } from "../lib/release/steps";
import { LocalTarget } from "../lib/release/targets/local";
import type { ReleaseTarget } from "../lib/release/targets/types";
import { VercelTarget } from "../lib/release/targets/vercel";

const { values } = parseArgs({
  options: {
    target: { type: "string", default: "local" },
    "release-id": { type: "string" },
    rollback: { type: "boolean", default: false },
    report: { type: "string" },
    "watch-seconds": { type: "string", default: "300" },
    "skip-browser-smoke": { type: "boolean", default: false },
    port: { type: "string", default: "3000" },
    "blue-port": { type: "string", default: "3001" },
    "green-port": { type: "string", default: "3002" },
    dir: { type: "string", default: ".data/release" },
    "production-url": { type: "string" },
  },
});

const config = getConfig();
const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8" }).trim();

function selectTarget(): ReleaseTarget {
  switch (values.target) {
    case "local":
      return new LocalTarget({
        dir: path.resolve(values.dir),
        port: Number(values.port),
        ports: { blue: Number(values["blue-port"]), green: Number(values["green-port"]) },
        env: process.env,
        log: console.log,
      });
    case "vercel":
      if (!config.release.vercel) {
        console.error("The vercel target needs VERCEL_TOKEN and VERCEL_PROJECT_ID (see .env.example).");
        process.exit(2);
      }
      return new VercelTarget({
        config: config.release.vercel,
        productionUrl: values["production-url"] ?? config.appUrl,
        env: process.env,
        log: console.log,
      });
    default:
      console.error(`Unknown target ${values.target}: "local" or "vercel".`);
      process.exit(2);
  }
}

const target = selectTarget();

if (values.rollback) {
  const result = await rollback({ target, log: console.log });
  const json = JSON.stringify({ target: target.name, ...result }, null, 2);
  if (values.report) await fs.writeFile(path.resolve(values.report), json + "\n");
  console.log(json);
  process.exit(0);
}

const releaseId =
  values["release-id"] ??
  (target.name === "vercel" ? git("rev-parse", "HEAD") : git("rev-parse", "--short=12", "HEAD"));
const db = await openDatabase(config.database);
try {
  const { serving } = await target.state();
  const result = await release({
    target,
    releaseId,
    preflight: async () => {
      if (!serving) return { running: null, note: "first release: nothing serving to stay compatible with" };
      if (!isCommit(serving.releaseId)) {
        return { running: serving.releaseId, note: "not a commit of this repository: not compared" };
      }
      const report = await checkExpandOnlyAgainst(serving.releaseId);
      if (!report.ok) throw new StepFailure("preflight", "migrations are not expand-only", report);
      return report;
    },
    migrate: () => migrate(db, { log: console.log }),
    smoke: (green) =>
      smoke({
        url: green.url,
        releaseId: green.releaseId,
        headers: target.bypassHeaders,
        readyToken: config.ops.metricsToken ?? undefined,
        // A real purchase: only where the provider is the sandbox.
        syntheticFan:
          config.release.smokeFan && config.payments.provider === "sandbox"
            ? { ...config.release.smokeFan, origin: config.appUrl }
            : undefined,
        browser: values["skip-browser-smoke"] ? undefined : { env: process.env },
      }),
    watch: { durationMs: Number(values["watch-seconds"]) * 1000 },
    audit: (record) =>
      asService(db, "release audit", (tx) =>
        tx.query(
          `insert into public.audit_log (action, target_type, target_id, details)
           values ('release.step', 'release', $1, $2)`,
          [record.releaseId, JSON.stringify(record)],
        ),
      ).then(() => {}),
  });
  const json = JSON.stringify(result, null, 2);
  if (values.report) await fs.writeFile(path.resolve(values.report), json + "\n");
  console.log(json);
  console.log(`release ${releaseId}: ${result.outcome}${result.reason ? ` (${result.reason})` : ""}`);
  process.exitCode = result.outcome === "released" ? 0 : 1;
} finally {
  await db.close();
}
