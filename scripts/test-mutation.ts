/**
 * `npm run test:mutation`: mutation testing of the code where an unnoticed bug costs money
 * or trust (scripts/mutation/modules.ts). StrykerJS changes the code in small ways (a
 * flipped comparison, a removed option, an emptied string) and reruns the tests that
 * cover the change; a change no test notices is a surviving mutant, a gap in the suite.
 *
 *   npm run test:mutation -- [--module NAME]... [--changed] [--base REF] [--concurrency N]
 *
 * Each module runs on its own with only its test files, incrementally: a rerun tests only
 * the mutants whose code or tests changed since the module's last run. Reports per module
 * in reports/mutation/<module>/ (index.html, mutation.json), the scores of the run in
 * reports/mutation/summary.json. Exits 1 when a module scores under its threshold.
 *
 * `--changed`: only the files in scope changed since `git merge-base HEAD <base>` (default
 * main), committed or not; prints "no files in scope changed" and exits 0 when there are
 * none. Its reports go to reports/mutation/changed/, so the full runs' incremental
 * records stay whole.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { MutantResult } from "@stryker-mutator/api/core";
import { Stryker } from "@stryker-mutator/core";
import { judgedStatus, planModules, scoreOf, type ModuleScore, type PlannedModule } from "./mutation/scope";

const REPORTS = "reports/mutation";

const { values } = parseArgs({
  options: {
    module: { type: "string", multiple: true, default: [] },
    changed: { type: "boolean", default: false },
    base: { type: "string", default: "main" },
    concurrency: { type: "string" },
  },
});
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
  console.error("--concurrency takes a whole number ≥ 1");
  process.exit(2);
}

let modules: PlannedModule[];
try {
  modules = planModules({ names: values.module, changed: values.changed ? changedFiles(values.base) : undefined });
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (modules.length === 0) {
  console.log(`no files in scope changed since the merge base with ${values.base}`);
  process.exit(0);
}

interface ModuleReport {
  module: string;
  files: readonly string[];
  partial: boolean;
  breakAt: number;
  passed: boolean;
  seconds: number;
  score: ModuleScore;
  /** Mutants no test failed on (or none covered): gaps in the tests. */
  survivors: string[];
  /** Killed because no test file could be loaded with them (Stryker says "Survived"). */
  unloadable: string[];
  /** Mutants disabled as equivalent, each with the reason its source comment gives. */
  equivalent: string[];
}

const reports: ModuleReport[] = [];
const started = Date.now();
for (const m of modules) {
  const dir = values.changed ? `${REPORTS}/changed/${m.name}` : `${REPORTS}/${m.name}`;
  console.log(`\n== ${m.name}: ${m.title} (${m.mutate.join(", ")})`);
  const moduleStarted = Date.now();
  // The module's tests, through the Vitest config rather than Stryker's `testFiles`, so
  // that static mutants are active before the code under test is imported
  // (vitest.mutation.config.ts). Stryker's test runners inherit this process's environment.
  process.env.MUTATION_TEST_FILES = m.testFiles.join(",");
  const results = await new Stryker({
    mutate: [...m.mutate],
    incrementalFile: `${dir}/incremental.json`,
    htmlReporter: { fileName: `${dir}/index.html` },
    jsonReporter: { fileName: `${dir}/mutation.json` },
    thresholds: { high: 100, low: m.breakAt, break: m.breakAt },
    ...(concurrency === undefined ? {} : { concurrency }),
  }).runMutationTest();
  const score = scoreOf(results.map(judgedStatus));
  reports.push({
    module: m.name,
    files: m.mutate,
    partial: m.partial,
    breakAt: m.breakAt,
    passed: score.score >= m.breakAt,
    seconds: Math.round((Date.now() - moduleStarted) / 1000),
    score,
    survivors: results.filter((r) => judgedStatus(r) === "Survived" || r.status === "NoCoverage").map(describe),
    unloadable: results.filter((r) => judgedStatus(r) !== r.status).map(describe),
    equivalent: results.filter((r) => r.status === "Ignored").map((r) => `${describe(r)}: ${r.statusReason ?? ""}`),
  });
}
// Stryker sets the exit code on its own for each run; the verdict below is the whole run's.
process.exitCode = 0;

await fs.mkdir(REPORTS, { recursive: true });
const summaryFile = values.changed ? `${REPORTS}/changed/summary.json` : `${REPORTS}/summary.json`;
await fs.writeFile(
  summaryFile,
  JSON.stringify({ seconds: Math.round((Date.now() - started) / 1000), reports }, null, 2),
);

// Valid: every mutant that compiled and is not disabled as equivalent; killed counts the
// timed-out ones too (an endless loop is a detected bug).
console.log("\nmodule                killed/valid  score    break  equivalent  invalid  time");
for (const r of reports) {
  const { detected, total, score, ignored, invalid } = r.score;
  console.log(
    `${r.module.padEnd(20)}  ${`${detected}/${total}`.padStart(12)}  ${score.toFixed(2).padStart(6)} %  ${String(r.breakAt).padStart(5)}  ${String(ignored).padStart(10)}  ${String(invalid).padStart(7)}  ${r.seconds} s${r.partial ? "  (changed files only)" : ""}${r.passed ? "" : "  BELOW THRESHOLD"}`,
  );
  for (const survivor of r.survivors) console.log(`    survived: ${survivor}`);
  for (const unloadable of r.unloadable) console.log(`    killed (the tests could not load): ${unloadable}`);
  for (const equivalent of r.equivalent) console.log(`    equivalent: ${equivalent}`);
}
console.log(`\n${summaryFile}; reports under ${REPORTS}/`);
if (reports.some((r) => !r.passed)) process.exitCode = 1;

function describe(r: MutantResult): string {
  const { line, column } = r.location.start;
  const replacement = r.replacement === undefined ? "" : ` → ${JSON.stringify(r.replacement).slice(0, 80)}`;
  const tests = r.testsCompleted === 0 ? ", no test completed" : "";
  return `${path.relative(process.cwd(), r.fileName)}:${line}:${column} ${r.mutatorName}${replacement} (Stryker: ${r.status}${tests})`;
}

/** Files changed since the merge base with `base`: committed, staged, unstaged and new. */
function changedFiles(base: string): string[] {
  const git = (...args: string[]) =>
    execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      .split("\n")
      .filter(Boolean);
  let mergeBase: string | undefined;
  try {
    [mergeBase] = git("merge-base", "HEAD", base);
  } catch {
    // A shallow clone (actions/checkout's default) has no history to compare with.
    throw new Error(`No merge base of HEAD and ${base}: fetch its history (fetch-depth: 0) or pass --base <ref>.`);
  }
  return [...git("diff", "--name-only", mergeBase!), ...git("ls-files", "--others", "--exclude-standard")];
}
