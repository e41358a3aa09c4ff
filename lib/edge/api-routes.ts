/**
 * The API's routes and the methods each answers, for the Edge gate: an unknown `/api/*`
 * path gets our 404 and a known path called with another method our 405 (with `Allow`),
 * both in the JSON error shape, instead of the framework's HTML 404 or empty 405.
 * `tests/unit/api-routes.test.ts` compares this table with the route files under
 * `app/api`, so a route added there without a line here fails the tests. Edge-safe.
 */
import { GATE_SIGNALS_PATH } from "../ratelimit/signals";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/** `[name]` is one path segment. */
export const API_ROUTES: readonly { path: string; methods: readonly HttpMethod[] }[] = [
  { path: "/api/admin/audit", methods: ["GET"] },
  { path: "/api/admin/campaigns/[id]/approve", methods: ["POST"] },
  { path: "/api/admin/campaigns/[id]/reject", methods: ["POST"] },
  { path: "/api/admin/exchange-items/[id]/approve", methods: ["POST"] },
  { path: "/api/admin/exchange-items/[id]/reject", methods: ["POST"] },
  { path: "/api/admin/incidents", methods: ["GET"] },
  { path: "/api/admin/incidents/[id]/acknowledge", methods: ["POST"] },
  { path: "/api/admin/purchases", methods: ["GET"] },
  { path: "/api/admin/purchases/[id]", methods: ["GET"] },
  { path: "/api/admin/purchases/[id]/refund", methods: ["POST"] },
  { path: "/api/admin/reconcile", methods: ["POST"] },
  { path: "/api/admin/review-queue", methods: ["GET"] },
  { path: "/api/admin/users", methods: ["GET"] },
  { path: "/api/admin/users/[id]", methods: ["GET"] },
  { path: "/api/admin/users/[id]/reinstate", methods: ["POST"] },
  { path: "/api/admin/users/[id]/role", methods: ["POST"] },
  { path: "/api/admin/users/[id]/suspend", methods: ["POST"] },
  { path: "/api/admin/vtubers/[id]/approve", methods: ["POST"] },
  { path: "/api/admin/vtubers/[id]/reject", methods: ["POST"] },
  { path: "/api/auth/login", methods: ["POST"] },
  { path: "/api/auth/logout", methods: ["POST"] },
  { path: "/api/auth/password-reset", methods: ["POST"] },
  { path: "/api/auth/password-reset/confirm", methods: ["POST"] },
  { path: "/api/auth/refresh", methods: ["POST"] },
  { path: "/api/auth/signup", methods: ["POST"] },
  { path: "/api/auth/verify-email", methods: ["GET", "POST"] },
  { path: "/api/cron/[job]", methods: ["GET"] },
  { path: "/api/exchange/[itemId]", methods: ["POST"] },
  { path: "/api/files/[token]", methods: ["GET", "HEAD"] },
  { path: "/api/gachas", methods: ["GET"] },
  { path: "/api/gachas/[id]", methods: ["GET"] },
  { path: "/api/gachas/[id]/observed", methods: ["GET"] },
  { path: "/api/gachas/[id]/pulls", methods: ["POST"] },
  { path: "/api/health", methods: ["GET"] },
  { path: "/api/health/ready", methods: ["GET"] },
  { path: "/api/me", methods: ["GET", "PATCH"] },
  { path: "/api/me/delete", methods: ["POST"] },
  { path: "/api/me/email", methods: ["POST"] },
  { path: "/api/me/email/verification", methods: ["POST"] },
  { path: "/api/me/export", methods: ["GET"] },
  { path: "/api/me/fairness", methods: ["GET", "PUT"] },
  { path: "/api/me/fairness/rotate", methods: ["POST"] },
  { path: "/api/me/medals", methods: ["GET"] },
  { path: "/api/me/password", methods: ["POST"] },
  { path: "/api/me/payment-methods", methods: ["GET"] },
  { path: "/api/me/payment-methods/setup", methods: ["POST"] },
  { path: "/api/me/pulls", methods: ["GET"] },
  { path: "/api/me/purchases", methods: ["GET"] },
  { path: "/api/me/rewards", methods: ["GET"] },
  { path: "/api/me/rewards/[id]/download", methods: ["GET"] },
  { path: "/api/me/vtuber-application", methods: ["GET", "POST"] },
  { path: "/api/metrics", methods: ["GET"] },
  { path: "/api/vtuber/campaigns", methods: ["GET", "POST"] },
  { path: "/api/vtuber/campaigns/[id]", methods: ["GET", "PUT"] },
  { path: "/api/vtuber/campaigns/[id]/rates", methods: ["POST", "PUT"] },
  { path: "/api/vtuber/campaigns/[id]/rates/submit", methods: ["POST"] },
  { path: "/api/vtuber/campaigns/[id]/submit", methods: ["POST"] },
  { path: "/api/vtuber/exchange-items", methods: ["GET", "POST"] },
  { path: "/api/vtuber/exchange-items/[id]", methods: ["PUT"] },
  { path: "/api/vtuber/exchange-items/[id]/submit", methods: ["POST"] },
  { path: "/api/vtuber/files", methods: ["GET"] },
  { path: "/api/vtuber/profile", methods: ["GET", "PUT"] },
  { path: "/api/vtuber/sales", methods: ["GET"] },
  { path: "/api/vtuber/uploads", methods: ["POST"] },
  { path: "/api/vtuber/uploads/[id]", methods: ["PUT"] },
  { path: "/api/vtuber/uploads/[id]/verify", methods: ["POST"] },
  { path: "/api/vtubers", methods: ["GET"] },
  { path: "/api/vtubers/[slug]", methods: ["GET"] },
  { path: "/api/vtubers/[slug]/avatar", methods: ["GET"] },
  { path: "/api/vtubers/[slug]/exchange", methods: ["GET"] },
  { path: "/api/webhooks/stripe", methods: ["POST"] },
];

/**
 * Paths the Edge gate answers itself, with no route file behind them: the gate keeps one
 * handler per path listed here (a path without one fails the typecheck), and the docs'
 * route-table test adds them to the route files.
 */
export const GATE_ANSWERED_PATHS = [GATE_SIGNALS_PATH] as const;
export type GateAnsweredPath = (typeof GATE_ANSWERED_PATHS)[number];

/** The methods HTTP and our framework know; anything else (TRACE, CONNECT, made-up verbs) is refused everywhere. */
export const KNOWN_METHODS: ReadonlySet<string> = new Set<HttpMethod>([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

const compiled = API_ROUTES.map((route) => ({
  segments: route.path.split("/").slice(1),
  // The framework answers HEAD with GET and OPTIONS with the list itself.
  methods: [
    ...new Set<HttpMethod>([...route.methods, ...(route.methods.includes("GET") ? ["HEAD" as const] : []), "OPTIONS"]),
  ],
}));

/** The methods `pathname` answers, or null when no API route has that path. */
export function apiRouteMethods(pathname: string): readonly HttpMethod[] | null {
  const parts = pathname.replace(/\/$/, "").split("/").slice(1);
  const match = compiled.find(
    (route) =>
      route.segments.length === parts.length &&
      route.segments.every((segment, i) => (segment.startsWith("[") ? parts[i] !== "" : segment === parts[i])),
  );
  return match?.methods ?? null;
}

/**
 * Whether a path is well formed: its percent-encoding decodes, to UTF-8, with no control
 * characters. The framework answers a path like `/gachas/%ZZ` with a bare 500.
 */
export function isWellFormedPath(pathname: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  return !/[\u0000-\u001f\u007f]/.test(decoded);
}
