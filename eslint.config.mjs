import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// One config module reads the environment; everything else asks it.
const READ_SETTINGS_THROUGH_CONFIG = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: "Read settings through getConfig() in lib/config.",
};

/** `lib/<folder>` as `@/lib/<folder>` or through `relative` (`../`, `../../`…). */
const libFolder = (folder, relative = "(\\.\\./)+") => `^(@/lib/|${relative})${folder}(/|$)`;

/** What domain modules may not import: the HTTP layer. */
const domainImports = (relative) => ({
  paths: [{ name: "next/server", message: "Responses belong to the HTTP layer (lib/api, lib/edge, app/)." }],
  patterns: [
    {
      regex: libFolder("(api|edge)", relative),
      message: "Domain code knows no HTTP: throw DomainError (lib/domain-error.ts); lib/api maps it.",
    },
  ],
});

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "no-restricted-syntax": ["error", READ_SETTINGS_THROUGH_CONFIG],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "Use node:crypto (randomInt, randomBytes, randomUUID)." },
      ],
    },
  },
  {
    // The layers (docs/architecture.md): the HTTP layer (app/ routes, lib/api, lib/edge)
    // depends on the domain, never the reverse. Domain code throws DomainError and
    // returns data; what a refusal looks like on the wire is lib/api's business.
    files: ["lib/**"],
    ignores: ["lib/api/**", "lib/edge/**"],
    rules: {
      "no-restricted-imports": ["error", domainImports()],
      "no-restricted-syntax": [
        "error",
        READ_SETTINGS_THROUGH_CONFIG,
        {
          selector: "NewExpression[callee.name='Response'], MemberExpression[object.name='Response']",
          message: "Responses belong to the HTTP layer (lib/api, lib/edge, app/): return data, throw DomainError.",
        },
      ],
    },
  },
  {
    // Modules directly in lib/ reach the HTTP layer as ./api, ./edge.
    files: ["lib/*.ts"],
    rules: { "no-restricted-imports": ["error", domainImports("\\./")] },
  },
  {
    files: ["lib/domain-error.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: ".", message: "This module imports nothing, so every layer and the browser can use it." },
          ],
        },
      ],
    },
  },
  {
    // The Edge gate checks signatures and rate limits only; the database is the route
    // handlers' second check. Nothing Node-only either: this runs on the Edge runtime.
    files: ["lib/edge/**", "middleware.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [{ name: "server-only", message: "The Edge gate runs on the Edge runtime." }],
          patterns: [
            { regex: libFolder("db"), message: "The Edge gate reads no database: roles come from lib/auth/caller.ts." },
            { regex: "^node:", message: "The Edge gate runs on the Edge runtime." },
          ],
        },
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
      "vitest.mutation.config.ts",
    ],
    rules: { "no-restricted-syntax": "off" },
  },
  globalIgnores([
    ".next/**",
    ".next-*/**",
    ".vercel/**",
    ".data/**",
    "node_modules/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
    // StrykerJS: its sandboxes (copies of the project) and its reports.
    ".stryker-tmp/**",
    "reports/**",
  ]),
]);
