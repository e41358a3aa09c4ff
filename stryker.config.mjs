// @ts-check
/**
 * StrykerJS settings shared by every mutation run. `npm run test:mutation`
 * (scripts/test-mutation.ts) runs the modules of scripts/mutation/modules.ts one at a
 * time, each with its own files, tests, threshold and reports; `mutate` here is the
 * whole scope at once (tests/unit/mutation-scope.test.ts keeps it equal to the modules'
 * union), for a plain `npx stryker run`, which then runs every module's tests.
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
    "lib/auth/opaque-token.ts",
    "lib/payments/spending-cap.ts",
    "lib/payments/monthly-spend.ts",
    "lib/payments/reserve.ts",
    "lib/payments/fulfil.ts",
    "lib/payments/pay-and-pull.ts",
    "lib/payments/release.ts",
    "lib/payments/record-charge.ts",
    "lib/payments/settle-succeeded.ts",
    "lib/payments/webhook.ts",
    "lib/payments/webhook-event.ts",
    "lib/payments/refund-complete.ts",
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
  testRunner: "vitest",
  // The test files come from the Vitest config (one module's, or the whole scope's), not
  // from Stryker's `testFiles`: with that option Stryker 9.6 activates a static mutant (a
  // module-level constant) only after the module was imported, so the mutation never
  // takes effect and the mutant "survives" tests that fail on it (vitest.mutation.config.ts).
  // Vitest's own "related" search would add every test that imports the module somewhere
  // down its graph.
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
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
