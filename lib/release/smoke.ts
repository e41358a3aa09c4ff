/**
 * Smoke checks against one deployment, on its own address, before it takes traffic:
 * the process answers as the release we deployed, serves its keys, the catalog from
 * the database and a page; then, where configured, a synthetic fan's sandbox pull and
 * the Playwright `@smoke` tests in Chromium. The quick checks all run, so the report
 * lists every one that failed.
 */
import { spawn } from "node:child_process";

export interface SmokeCheck {
  name: string;
  ok: boolean;
  status?: number;
  ms: number;
  error?: string;
}

export interface SmokeOptions {
  url: string;
  releaseId: string;
  headers?: Record<string, string>;
  /** Also checks `GET /api/health/ready` with this bearer token. */
  readyToken?: string;
  /**
   * A fan account that may buy: it signs in and makes one sandbox single pull. Give it
   * only where payments are the sandbox provider.
   */
  syntheticFan?: { email: string; password: string; origin: string };
  /** Also runs the Playwright `@smoke` tests in Chromium against the deployment, with this environment. */
  browser?: { env: Record<string, string | undefined> };
  /** Per request; the first request to each route also loads its code. @default 30000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type Check = { name: string; path: string; headers?: Record<string, string>; verify: (res: Response) => Promise<void> };

const expect = (cond: boolean, message: string) => {
  if (!cond) throw new Error(message);
};

export async function smoke(options: SmokeOptions): Promise<{ ok: boolean; checks: SmokeCheck[] }> {
  const doFetch = options.fetch ?? fetch;
  const checks: Check[] = [
    {
      name: "health",
      path: "/api/health",
      verify: async (res) => {
        const body = (await res.json()) as { status?: string; releaseId?: string };
        expect(body.status === "pass", `status ${body.status}`);
        expect(body.releaseId === options.releaseId, `serves ${body.releaseId}, not ${options.releaseId}`);
      },
    },
    {
      name: "jwks",
      path: "/.well-known/jwks.json",
      verify: async (res) => {
        const body = (await res.json()) as { keys?: unknown[] };
        expect((body.keys?.length ?? 0) > 0, "no signing keys published");
      },
    },
    {
      name: "catalog",
      path: "/api/gachas",
      verify: async (res) => {
        const body = (await res.json()) as { gachas?: unknown[] };
        expect(Array.isArray(body.gachas), "no campaign list");
      },
    },
    {
      name: "home page",
      path: "/",
      verify: async (res) => {
        const html = await res.text();
        expect(html.includes("</html>"), "not a whole page");
      },
    },
  ];
  if (options.readyToken) {
    checks.push({
      name: "readiness",
      path: "/api/health/ready",
      headers: { authorization: `Bearer ${options.readyToken}` },
      verify: async () => {},
    });
  }

  const results = await Promise.all(
    checks.map(async (check): Promise<SmokeCheck> => {
      const started = performance.now();
      try {
        const res = await doFetch(new URL(check.path, options.url), {
          headers: { ...options.headers, ...check.headers },
          redirect: "manual",
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        if (res.status !== 200) {
          await res.body?.cancel();
          throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
        }
        await check.verify(res);
        return { name: check.name, ok: true, status: res.status, ms: Math.round(performance.now() - started) };
      } catch (err) {
        const status = (err as { status?: number }).status;
        return {
          name: check.name,
          ok: false,
          ...(status ? { status } : {}),
          ms: Math.round(performance.now() - started),
          error: (err as Error).message,
        };
      }
    }),
  );
  // The slower checks only on a deployment that answered the quick ones.
  if (results.every((r) => r.ok) && options.syntheticFan) {
    results.push(await timed("sandbox pull", () => sandboxPull(doFetch, options, options.syntheticFan!)));
  }
  if (results.every((r) => r.ok) && options.browser) {
    const { env } = options.browser;
    results.push(await timed("browser (@smoke)", () => browserSmoke(options.url, options.headers ?? {}, env)));
  }
  return { ok: results.every((r) => r.ok), checks: results };
}

async function timed(name: string, fn: () => Promise<void>): Promise<SmokeCheck> {
  const started = performance.now();
  try {
    await fn();
    return { name, ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { name, ok: false, ms: Math.round(performance.now() - started), error: (err as Error).message };
  }
}

/** Signs the synthetic fan in and buys one single pull with the sandbox's succeeding card. */
async function sandboxPull(
  doFetch: typeof fetch,
  options: SmokeOptions,
  fan: NonNullable<SmokeOptions["syntheticFan"]>,
): Promise<void> {
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await doFetch(new URL(path, options.url), {
      ...init,
      headers: { ...options.headers, origin: fan.origin, "content-type": "application/json", ...init.headers },
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    return { status: res.status, body };
  };
  const login = await call("/api/auth/login", {
    method: "POST",
    body: JSON.stringify({ email: fan.email, password: fan.password }),
  });
  expect(login.status === 200, `sign-in: HTTP ${login.status}`);
  const token = login.body!.accessToken as string;
  const { body: catalog } = await call("/api/gachas");
  const gacha = (catalog?.gachas as { id: string }[] | undefined)?.[0];
  expect(gacha !== undefined, "no campaign to pull from");
  const pull = await call(`/api/gachas/${gacha!.id}/pulls`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID() },
    body: JSON.stringify({ count: 1, paymentMethodId: "pm_card_visa" }),
  });
  expect(pull.status === 201, `pull: HTTP ${pull.status} ${JSON.stringify(pull.body?.error ?? "")}`);
  const results = (pull.body?.pull as { results?: unknown[] } | undefined)?.results;
  expect(results?.length === 1, "the pull drew no item");
}

/** The Playwright tests tagged `@smoke` (production-safe: no demo data needed), desktop Chromium. */
function browserSmoke(
  url: string,
  headers: Record<string, string>,
  env: Record<string, string | undefined>,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "npx",
      ["playwright", "test", "--grep", "@smoke", "--project", "desktop", "--reporter", "line"],
      {
        env: { ...(env as NodeJS.ProcessEnv), E2E_BASE_URL: url, E2E_EXTRA_HEADERS: JSON.stringify(headers) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk.toString()));
    child.stderr.on("data", (chunk) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`Playwright @smoke failed: ${out.trim().split("\n").slice(-3).join(" ")}`)),
    );
  });
}
