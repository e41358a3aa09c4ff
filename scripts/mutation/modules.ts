/**
 * The scope of mutation testing (`npm run test:mutation`): the code where a bug that no
 * test notices costs money or trust. Each module is run on its own, against only the test
 * files that exercise it, so a run takes minutes, and has its own threshold.
 *
 * `breakAt` is the lowest mutation score (killed and timed-out mutants over all that
 * are not disabled) a module may have. The token verifier and the spending cap must kill
 * every mutant that is not equivalent; the rest at least 90 %. An equivalent mutant (a
 * change no behaviour can reveal) is disabled at its line with
 * `// Stryker disable next-line <mutator>: <reason>` and listed in docs/mutation-testing.md.
 */
export interface MutationModule {
  name: string;
  /** What it covers, for the summary. */
  title: string;
  /** Source files mutated. */
  mutate: readonly string[];
  /** The test files run against each mutant. */
  testFiles: readonly string[];
  breakAt: number;
}

export const MODULES: readonly MutationModule[] = [
  {
    name: "token-verifier",
    title: "access-token issue and verification, the published public keys",
    mutate: ["lib/auth/access-token.ts", "lib/auth/jwk.ts", "lib/auth/jwks-resolver.ts"],
    testFiles: ["tests/unit/auth-access-token.test.ts", "tests/integration/gate.test.ts"],
    breakAt: 100,
  },
  {
    name: "signing-keys",
    title: "signing keys: generation, rotation, the JWKS and the local key set",
    mutate: ["lib/auth/keys.ts"],
    testFiles: ["tests/unit/auth-keys.test.ts"],
    breakAt: 90,
  },
  {
    name: "refresh-rotation",
    title: "refresh tokens: issue, rotation, grace window, reuse detection",
    mutate: ["lib/auth/refresh-tokens.ts", "lib/auth/refresh.ts", "lib/auth/opaque-token.ts"],
    testFiles: ["tests/integration/auth-refresh.test.ts", "tests/integration/auth-tokens.test.ts"],
    breakAt: 90,
  },
  {
    name: "spending-cap",
    title: "the monthly spending cap and its reservation",
    mutate: ["lib/payments/spending-cap.ts", "lib/payments/monthly-spend.ts"],
    testFiles: [
      "tests/unit/payments-spending-cap.test.ts",
      "tests/integration/monthly-spend.test.ts",
      "tests/integration/payments-caps.test.ts",
    ],
    breakAt: 100,
  },
  {
    name: "payment-fulfil",
    title: "the saga's writes after the charge: fulfilment, release, the charge recorded",
    mutate: ["lib/payments/fulfil.ts", "lib/payments/release.ts", "lib/payments/record-charge.ts"],
    testFiles: ["tests/integration/payments-saga.test.ts"],
    breakAt: 90,
  },
  {
    name: "payment-saga",
    title: "the pay-per-pull saga's request: reserve, charge, then fulfil or release",
    mutate: ["lib/payments/reserve.ts", "lib/payments/pay-and-pull.ts"],
    // The routes' tests hold reserve's account and session check (the pull route leaves it there).
    testFiles: ["tests/integration/payments-saga.test.ts", "tests/integration/payments-routes.test.ts"],
    breakAt: 90,
  },
  {
    name: "payment-webhooks",
    title: "a provider's success, failure or refund applied: settlement, the webhook, refund completion",
    mutate: [
      "lib/payments/settle-succeeded.ts",
      "lib/payments/webhook.ts",
      "lib/payments/webhook-event.ts",
      "lib/payments/refund-complete.ts",
    ],
    testFiles: [
      "tests/integration/payments-saga.test.ts",
      "tests/integration/payments-webhooks.test.ts",
      "tests/integration/payments-webhook-fast-path.test.ts",
      "tests/unit/payments-webhook-signature.test.ts",
      "tests/integration/admin-refunds.test.ts",
    ],
    breakAt: 90,
  },
  {
    name: "gacha-draw",
    title: "the draw, its randomness, the rate table and the odds shown",
    mutate: [
      "lib/gacha/draw.ts",
      "lib/gacha/random.ts",
      "lib/gacha/hmac-random.ts",
      "lib/gacha/odds.ts",
      "lib/gacha/rate-table.ts",
      "lib/gacha/decimal.ts",
    ],
    testFiles: [
      "tests/unit/gacha-draw.test.ts",
      "tests/unit/gacha-random.test.ts",
      "tests/unit/gacha-hmac-random.test.ts",
      "tests/unit/gacha-hmac-rounds.test.ts",
      "tests/unit/gacha-odds.test.ts",
      "tests/unit/gacha-rate-table.test.ts",
      // Not the fairness file (exhaustive sweeps of r, 200,000-draw fits: ~50 s per
      // mutant); the draw's exact tests pin every cumulative edge and seeded pulls.
      "tests/integration/gacha-rate-table.test.ts",
    ],
    breakAt: 90,
  },
  {
    name: "exchange",
    title: "the medal exchange",
    mutate: [
      "lib/exchange/availability.ts",
      "lib/exchange/count-own-exchanges.ts",
      "lib/exchange/exchange-item.ts",
      "lib/exchange/exchange-receipt.ts",
      "lib/db/unique-violation.ts",
    ],
    testFiles: [
      "tests/integration/exchange-rules.test.ts",
      "tests/integration/exchange-route.test.ts",
      "tests/integration/exchange-concurrency.test.ts",
      "tests/integration/medal-history.test.ts",
      "tests/integration/db-unique-violation.test.ts",
    ],
    breakAt: 90,
  },
  {
    name: "ratelimit-tiers",
    title: "rate-limit tiers, their counters and the store-failure policy",
    mutate: ["lib/ratelimit/tiers.ts", "lib/ratelimit/limiter.ts", "lib/ratelimit/memory.ts"],
    testFiles: [
      "tests/unit/ratelimit-tiers.test.ts",
      "tests/unit/ratelimit-memory.test.ts",
      "tests/integration/ratelimit-limits.test.ts",
      "tests/integration/ratelimit-store-failure.test.ts",
      // The hand-over of refusal and store-failure counts to the shared store.
      "tests/integration/ratelimit-signals.test.ts",
    ],
    breakAt: 90,
  },
  {
    name: "csrf",
    title: "the CSRF check of cookie-authenticated writes",
    mutate: ["lib/edge/csrf.ts"],
    testFiles: ["tests/unit/edge-security.test.ts", "tests/integration/gate.test.ts"],
    breakAt: 90,
  },
];
