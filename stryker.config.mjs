// @ts-check
/**
 * StrykerJS settings shared by every mutation run. `npm run test:mutation`
 * (scripts/test-mutation.ts) runs the modules of scripts/mutation/modules.ts one at a
 * time, each with its own files, tests, threshold and reports; `mutate` and `testFiles`
 * here are the whole scope at once (tests/unit/mutation-scope.test.ts keeps them equal to
 * the modules' union), for a plain `npx stryker run`.
 *
 * Incremental: a rerun tests only mutants whose code or covering tests changed since the
 * last run, recorded in the incremental file next to the reports. The file is not
 * committed: it describes one exact state of the code and tests, so it would be stale
 * after any change that was not followed by a run, and merges would conflict on it; the
 * scheduled workflow (.github/workflows/mutation.yml) keeps it in its cache instead.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  mutate: [
    "lib/auth/access-token.ts",
    "lib/auth/jwk.ts",
    "lib/auth/jwks-resolver.ts",
    "lib/auth/keys.ts",
    "lib/auth/refresh-tokens.ts",
    "lib/auth/refresh.ts",
    "lib/payments/spending-cap.ts",
    "lib/payments/monthly-spend.ts",
    "lib/gacha/draw.ts",
    "lib/gacha/random.ts",
    "lib/gacha/hmac-random.ts",
    "lib/gacha/odds.ts",
    "lib/gacha/rate-table.ts",
    "lib/gacha/decimal.ts",
    "lib/exchange/availability.ts",
    "lib/exchange/count-own-exchanges.ts",
    "lib/exchange/exchange-item.ts",
    "lib/exchange/exchange-receipt.ts",
    "lib/db/unique-violation.ts",
    "lib/ratelimit/tiers.ts",
    "lib/ratelimit/limiter.ts",
    "lib/ratelimit/memory.ts",
    "lib/edge/csrf.ts",
  ],
  testFiles: [
    "tests/unit/auth-access-token.test.ts",
    "tests/unit/auth-keys.test.ts",
    "tests/unit/payments-spending-cap.test.ts",
    "tests/unit/edge-security.test.ts",
    "tests/unit/gacha-draw.test.ts",
    "tests/unit/gacha-random.test.ts",
    "tests/unit/gacha-hmac-random.test.ts",
    "tests/unit/gacha-odds.test.ts",
    "tests/unit/gacha-rate-table.test.ts",
    "tests/unit/gacha-fairness.test.ts",
    "tests/unit/ratelimit-tiers.test.ts",
    "tests/unit/ratelimit-memory.test.ts",
    "tests/integration/gate.test.ts",
    "tests/integration/auth-refresh.test.ts",
    "tests/integration/auth-tokens.test.ts",
    "tests/integration/monthly-spend.test.ts",
    "tests/integration/payments-caps.test.ts",
    "tests/integration/exchange-rules.test.ts",
    "tests/integration/exchange-route.test.ts",
    "tests/integration/exchange-concurrency.test.ts",
    "tests/integration/ratelimit-limits.test.ts",
    "tests/integration/ratelimit-store-failure.test.ts",
  ],
  testRunner: "vitest",
  // The test files are named above; vitest's own "related" search would add every test
  // that imports the module somewhere down its graph.
  vitest: { configFile: "vitest.config.ts", related: false },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
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
  // A mutant that runs past its time counts as killed (an endless loop is a detected
  // bug), so a short limit on a busy machine would inflate the score with tests that were
  // merely slow. These tests take a second or two; a minute is never reached by accident.
  timeoutMS: 60_000,
  timeoutFactor: 3,
  ignorePatterns: [
    ".next",
    ".next-*",
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
