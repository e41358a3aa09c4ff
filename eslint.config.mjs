import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // One config module reads the environment; everything else asks it.
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: "Read settings through getConfig() in lib/config.",
        },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Use node:crypto (randomInt, randomBytes, randomUUID)." },
      ],
    },
  },
  {
    // Launchers, test tooling and Next's own hooks hand the environment on.
    files: [
      "lib/config/**",
      "scripts/**",
      "tests/**",
      "e2e/**",
      "playwright.config.ts",
      "instrumentation.ts",
      "next.config.js",
      "vitest.config.ts",
    ],
    rules: { "no-restricted-syntax": "off" },
  },
  globalIgnores([
    ".next/**",
    ".vercel/**",
    ".data/**",
    "node_modules/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
  ]),
]);
