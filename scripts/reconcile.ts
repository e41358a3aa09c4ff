/**
 * `npm run reconcile`: compares the payment provider's books with ours (lib/payments/
 * reconcile.ts). Run daily by cron; also safe to run any time, as often as wanted.
 *
 *   npm run reconcile -- [--hours=48] [--stale-minutes=60]
 *
 * Prints a summary; each mismatch is also an alert log line and an audit_log row.
 * Exits 1 when there were mismatches, so the scheduler reports the run. In embedded mode
 * the server owns the PGlite directory: stop it first (the open refuses otherwise).
 */
import { parseArgs } from "node:util";
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";
import { paymentProviderFor } from "../lib/payments/providers";
import { reconcile } from "../lib/payments/reconcile";

const { values } = parseArgs({
  options: { hours: { type: "string", default: "48" }, "stale-minutes": { type: "string", default: "60" } },
});
const hours = Number(values.hours);
const staleAfterMinutes = Number(values["stale-minutes"]);
if (!Number.isInteger(hours) || hours < 1 || !Number.isInteger(staleAfterMinutes) || staleAfterMinutes < 1) {
  console.error("--hours and --stale-minutes take whole numbers ≥ 1");
  process.exit(2);
}

const config = getConfig();
const db = await openDatabase(config.database);
try {
  const now = new Date();
  const provider = await paymentProviderFor(config, db);
  const summary = await reconcile(db, provider, {
    since: new Date(now.getTime() - hours * 3_600_000),
    now,
    staleAfterMinutes,
  });
  console.log(
    `Reconciled ${summary.checked} ${provider.name} payment(s) since ${hours} h ago: ` +
      `${summary.fulfilled.length} fulfilled now, ${summary.alreadyFulfilled} already fulfilled, ` +
      `${summary.released.length} stale reservation(s) released, ${summary.mismatches.length} mismatch(es).`,
  );
  for (const id of summary.fulfilled) console.log(`fulfilled ${id}`);
  for (const id of summary.released) console.log(`released ${id}`);
  for (const m of summary.mismatches) {
    console.log(`MISMATCH ${m.kind} purchase=${m.purchaseId ?? "-"} payment=${m.providerPaymentId ?? "-"}`);
  }
  if (summary.mismatches.length > 0) process.exitCode = 1;
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
