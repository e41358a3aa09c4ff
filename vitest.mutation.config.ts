/**
 * The tests StrykerJS runs against each mutant (stryker.config.mjs): those that exercise
 * access-token issue and verification, the unit check and the Edge gate. Neither needs a
 * database, so there is no global setup (it prepares the PGlite template); everything
 * else as in vitest.config.ts. (Spread, not mergeConfig: that would append these lists to
 * the base config's instead of replacing them.)
 */
import { defineConfig } from "vitest/config";
import base from "./vitest.config";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["tests/unit/auth-access-token.test.ts", "tests/integration/gate.test.ts"],
    globalSetup: [],
  },
});
