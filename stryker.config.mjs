// @ts-check
/**
 * Mutation testing (`npm run test:mutation`): StrykerJS changes the code in small ways
 * (a flipped comparison, a removed option, an emptied string) and reruns the tests that
 * cover it; a change no test notices is a surviving mutant. Scope: access-token issue and
 * verification, where a surviving bug lets forged tokens in. Widen `mutate` together with
 * the test files in vitest.mutation.config.ts that cover the added modules.
 * Incremental: a rerun tests only mutants whose code or tests changed since the last run
 * (reports/mutation/incremental.json). Reports: reports/mutation/index.html and mutation.json.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  mutate: ["lib/auth/access-token.ts"],
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: "perTest",
  incremental: true,
  incrementalFile: "reports/mutation/incremental.json",
  reporters: ["html", "json", "clear-text", "progress"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // One type checker and one test runner: a CI runner has two cores.
  concurrency: 2,
  dryRunTimeoutMinutes: 10,
  ignorePatterns: [
    ".next",
    ".data",
    ".test-data",
    "e2e",
    "test-results",
    "playwright-report",
    ".ci/reports",
    "reports",
  ],
  thresholds: { high: 100, low: 90, break: 90 },
};
export default config;
