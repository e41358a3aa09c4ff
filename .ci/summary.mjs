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
    console.log(`${file}: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
    if (file === "services.json") {
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
    console.log(`${file}: ${report.stats.expected} passed, ${report.stats.unexpected} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
// A skipped test proves nothing, so CI treats one as a failure.
process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);
