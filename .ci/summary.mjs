// Adds up the JSON reports of every suite CI ran into one closing line.
import fs from "node:fs";
import path from "node:path";

/**
 * Races that run truly in parallel only on PostgreSQL and Redis (the embedded engines take
 * them one at a time, and say so in their names). Each must have passed in the services
 * run, so none can drop out of it unnoticed.
 */
const PARALLEL_MARK = "truly in parallel";
const PARALLEL_RACES = [
  "admits exactly 10 of 50 pulls sent at once, truly in parallel through the bridge to Redis",
  "lets three migrators on two pools race on a fresh database, truly in parallel: each migration runs once, none fails",
];

/**
 * The Vitest suites CI runs, each its own line: the same tests on the embedded engines,
 * on PostgreSQL and Redis directly, and through PgBouncer in transaction pooling mode as
 * production reaches Supabase. A missing report is a suite that never ran.
 */
const VITEST_SUITES = {
  "embedded.json": "embedded (PGlite, in-memory stores)",
  "services.json": "PostgreSQL 15 and Redis",
  "pgbouncer.json": "through PgBouncer (transaction mode)",
};
/** The suites on real PostgreSQL, where the parallel races must each have passed. */
const PARALLEL_SUITES = new Set(["services.json", "pgbouncer.json"]);

/** Playwright tests that failed or passed only when retried, with the first error of each. */
function unsteadyTests(suites) {
  const lines = [];
  for (const suite of suites) {
    lines.push(...unsteadyTests(suite.suites ?? []));
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== "unexpected" && test.status !== "flaky") continue;
        const error = test.results?.find((result) => result.error)?.error?.message ?? "";
        const firstLine =
          error
            .replace(/\u001b\[[0-9;]*m/g, "")
            .split("\n")
            .find((l) => l.trim()) ?? "";
        lines.push(`${test.status} [${test.projectName}] ${spec.file}:${spec.line} ${spec.title}: ${firstLine.trim()}`);
      }
    }
  }
  return lines;
}

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
  if ("numPassedTests" in report) {
    // Vitest
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    const suite = VITEST_SUITES[file] ? ` ${VITEST_SUITES[file]}` : "";
    console.log(`${file}${suite}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
    if (PARALLEL_SUITES.has(file)) {
      const races = report.testResults
        .flatMap((result) => result.assertionResults)
        .filter((test) => test.title.includes(PARALLEL_MARK) && test.status === "passed")
        .map((test) => test.title);
      const missing = PARALLEL_RACES.filter((title) => !races.includes(title));
      console.log(`${file}: ${races.length} races run truly in parallel passed`);
      for (const title of missing) console.log(`${file}: missing or not passed: ${title}`);
      failed += missing.length;
    }
  } else if (report.stats) {
    // Playwright
    passed += report.stats.expected;
    failed += report.stats.unexpected + report.stats.flaky;
    skipped += report.stats.skipped;
    console.log(
      `${file}: ${report.stats.expected} passed, ${report.stats.unexpected} failed, ${report.stats.flaky} flaky`,
    );
    // A flaky test passed only on its retry: it counts as failed, so name it and its first error.
    for (const line of unsteadyTests(report.suites ?? [])) console.log(`${file}: ${line}`);
  }
}
for (const file of Object.keys(VITEST_SUITES).filter((f) => !fs.existsSync(path.join(dir, f)))) {
  console.log(`${file} ${VITEST_SUITES[file]}: no report (the suite did not run)`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
// A skipped test proves nothing, so CI treats one as a failure.
process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
