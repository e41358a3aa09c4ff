/**
 * Smoke checks against one deployment, on its own address, before it takes traffic:
 * the process answers as the release we deployed, serves its keys, the catalog from
 * the database and a page. Every check runs, so the report lists all that failed.
 */
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
  return { ok: results.every((r) => r.ok), checks: results };
}
