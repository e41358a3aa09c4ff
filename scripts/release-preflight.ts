/**
 * `npm run release:preflight -- --running <git ref> [--json <file>]`: refuses a release
 * whose new migrations drop, rename or retype what the running version reads (see
 * lib/release/expand-only.ts). The running version is named by the git commit it was
 * built from; the release is the working tree. Exits 1 when refused.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { checkExpandOnlyAgainst } from "../lib/release/git-version";

const { values } = parseArgs({ options: { running: { type: "string" }, json: { type: "string" } } });
if (!values.running) {
  console.error("usage: npm run release:preflight -- --running <git ref of the version serving now> [--json <file>]");
  process.exit(2);
}
const ref = values.running;
const report = await checkExpandOnlyAgainst(ref);
const json = JSON.stringify({ running: ref, ...report }, null, 2);
if (values.json) await fs.writeFile(path.resolve(values.json), json + "\n");
console.log(json);
console.log(
  report.ok
    ? `preflight: ${report.newMigrations.length} new migration(s), expand-only for ${ref}`
    : `preflight: refused, ${report.refused.length} change(s) break what ${ref} reads`,
);
process.exitCode = report.ok ? 0 : 1;
