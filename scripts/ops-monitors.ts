/**
 * `npm run ops:monitors`: writes the alert rules (lib/alerts/rules.ts) as Datadog monitor
 * definitions to a JSON file and, when DD_API_KEY and DD_APP_KEY are set, creates or
 * updates them in the Datadog account of DD_SITE (idempotent: a second run updates the
 * same monitors, found by their `koepon_rule:<id>` tag). Monitors tagged by an earlier
 * run whose rule is gone are listed, not deleted.
 *
 *   npm run ops:monitors -- [--out datadog-monitors.json] [--env production]
 *                           [--pagerduty @pagerduty-Koepon] [--slack @slack-koepon-alerts] [--dry-run]
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { monitorDefinitions, syncMonitors } from "../lib/alerts/datadog-monitors";
import { getConfig } from "../lib/config";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "datadog-monitors.json" },
    env: { type: "string", default: "production" },
    pagerduty: { type: "string", default: "@pagerduty-Koepon" },
    slack: { type: "string", default: "@slack-koepon-alerts" },
    "dry-run": { type: "boolean", default: false },
  },
});

const definitions = monitorDefinitions({
  env: values.env,
  pagerdutyHandle: values.pagerduty,
  slackHandle: values.slack,
});
const out = path.resolve(values.out);
await fs.writeFile(out, `${JSON.stringify(definitions, null, 2)}\n`);
console.log(`ops:monitors: ${definitions.length} monitor definitions written to ${out}`);

const config = getConfig();
const datadog = config.ops.datadog;
const appKey = config.alerts.datadogAppKey;
if (values["dry-run"] || !datadog || !appKey) {
  console.log(
    values["dry-run"]
      ? "ops:monitors: --dry-run, Datadog not called"
      : "ops:monitors: DD_API_KEY and DD_APP_KEY not both set, Datadog not called",
  );
} else {
  const outcome = await syncMonitors({ apiUrl: datadog.apiUrl, apiKey: datadog.apiKey, appKey }, definitions);
  console.log(
    `ops:monitors: ${datadog.apiUrl}: ${outcome.created.length} created, ${outcome.updated.length} updated` +
      (outcome.created.length > 0 ? ` (created: ${outcome.created.join(", ")})` : ""),
  );
  for (const monitor of outcome.stale) {
    console.log(
      `ops:monitors: monitor ${monitor.id} "${monitor.name}" has no rule any more: delete it in Datadog if unwanted`,
    );
  }
}
