/**
 * End-to-end tests against a server that is already running: CI builds and starts it
 * (so the tests exercise the real `next start`), and this config only points at it.
 * Test tooling, so it reads its own environment rather than the app's config.
 */
import fs from "node:fs";
import { defineConfig, devices } from "@playwright/test";

const baseURL = process.env.E2E_BASE_URL ?? "http://localhost:3000";
const isCI = Boolean(process.env.CI);

// Headers a release's smoke run needs to reach a deployment that takes no traffic yet
// (Vercel's protection bypass), as JSON.
const extraHeaders: Record<string, string> = process.env.E2E_EXTRA_HEADERS
  ? JSON.parse(process.env.E2E_EXTRA_HEADERS)
  : {};

/**
 * With E2E_CLIENT_ADDRESSES=1 (.ci/e2e.sh, whose server trusts its loopback front door
 * through TRUSTED_PROXIES), each device project comes from its own loopback address, as
 * two people on two machines would, so each has its own signed-out rate-limit budget
 * instead of both sharing one address's.
 */
function headersFrom(address: string): Record<string, string> | undefined {
  const headers = process.env.E2E_CLIENT_ADDRESSES ? { ...extraHeaders, "x-forwarded-for": address } : extraHeaders;
  return Object.keys(headers).length > 0 ? headers : undefined;
}

// The system Chromium where there is one (CI images, containers), else Playwright's own.
const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const launchOptions = fs.existsSync(SYSTEM_CHROMIUM)
  ? {
      executablePath: SYSTEM_CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    }
  : {};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  forbidOnly: isCI,
  retries: isCI ? 1 : 0,
  reporter: isCI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    baseURL,
    extraHTTPHeaders: headersFrom("127.0.0.10"),
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "desktop",
      use: { ...devices["Desktop Chrome"], launchOptions, extraHTTPHeaders: headersFrom("127.0.0.11") },
    },
    // Mobile first: the phone layout is the one most fans see.
    { name: "mobile", use: { ...devices["Pixel 7"], launchOptions, extraHTTPHeaders: headersFrom("127.0.0.12") } },
  ],
});
