/**
 * A fuzz pass over every /api route, as Next would run it: the Edge gate first, then the
 * route's handler for whatever the gate lets through. Random bytes, invalid UTF-8, wrong
 * types, huge and deep bodies, odd methods, encoded and hostile path parameters and
 * queries, with and without a session. Every answer must be below 500, and every
 * refusal our JSON error shape with a code from the error table.
 *
 * Reproducible: the PRNG is seeded (change SEED to explore further), and a failure
 * names the request that caused it. The request count is printed.
 */
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { createLocalJWKSet } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import * as adminAudit from "@/app/api/admin/audit/route";
import * as adminIncidents from "@/app/api/admin/incidents/route";
import * as adminIncidentsAcknowledge from "@/app/api/admin/incidents/[id]/acknowledge/route";
import * as adminPurchases from "@/app/api/admin/purchases/route";
import * as adminPurchase from "@/app/api/admin/purchases/[id]/route";
import * as adminReconcile from "@/app/api/admin/reconcile/route";
import * as adminReviewQueue from "@/app/api/admin/review-queue/route";
import * as adminUsers from "@/app/api/admin/users/route";
import * as adminUser from "@/app/api/admin/users/[id]/route";
import * as adminCampaignsApprove from "@/app/api/admin/campaigns/[id]/approve/route";
import * as adminCampaignsReject from "@/app/api/admin/campaigns/[id]/reject/route";
import * as adminExchangeItemsApprove from "@/app/api/admin/exchange-items/[id]/approve/route";
import * as adminExchangeItemsReject from "@/app/api/admin/exchange-items/[id]/reject/route";
import * as adminPurchasesRefund from "@/app/api/admin/purchases/[id]/refund/route";
import * as adminUsersReinstate from "@/app/api/admin/users/[id]/reinstate/route";
import * as adminUsersRole from "@/app/api/admin/users/[id]/role/route";
import * as adminUsersSuspend from "@/app/api/admin/users/[id]/suspend/route";
import * as adminVtubersApprove from "@/app/api/admin/vtubers/[id]/approve/route";
import * as adminVtubersReject from "@/app/api/admin/vtubers/[id]/reject/route";
import * as authLogin from "@/app/api/auth/login/route";
import * as authLogout from "@/app/api/auth/logout/route";
import * as authPasswordResetConfirm from "@/app/api/auth/password-reset/confirm/route";
import * as authPasswordReset from "@/app/api/auth/password-reset/route";
import * as authRefresh from "@/app/api/auth/refresh/route";
import * as authSignup from "@/app/api/auth/signup/route";
import * as authVerifyEmail from "@/app/api/auth/verify-email/route";
import * as cron from "@/app/api/cron/[job]/route";
import * as exchange from "@/app/api/exchange/[itemId]/route";
import * as files from "@/app/api/files/[token]/route";
import * as gachaPulls from "@/app/api/gachas/[id]/pulls/route";
import * as gachaObserved from "@/app/api/gachas/[id]/observed/route";
import * as gacha from "@/app/api/gachas/[id]/route";
import * as gachas from "@/app/api/gachas/route";
import * as healthReady from "@/app/api/health/ready/route";
import * as health from "@/app/api/health/route";
import * as meDelete from "@/app/api/me/delete/route";
import * as meExport from "@/app/api/me/export/route";
import * as meFairness from "@/app/api/me/fairness/route";
import * as meFairnessRotate from "@/app/api/me/fairness/rotate/route";
import * as meMedals from "@/app/api/me/medals/route";
import * as mePaymentMethods from "@/app/api/me/payment-methods/route";
import * as mePaymentMethodSetup from "@/app/api/me/payment-methods/setup/route";
import * as meEmailVerification from "@/app/api/me/email/verification/route";
import * as meEmail from "@/app/api/me/email/route";
import * as mePassword from "@/app/api/me/password/route";
import * as mePulls from "@/app/api/me/pulls/route";
import * as mePurchases from "@/app/api/me/purchases/route";
import * as meRewardDownload from "@/app/api/me/rewards/[id]/download/route";
import * as meRewards from "@/app/api/me/rewards/route";
import * as me from "@/app/api/me/route";
import * as meVtuberApplication from "@/app/api/me/vtuber-application/route";
import * as metrics from "@/app/api/metrics/route";
import * as consoleCampaign from "@/app/api/vtuber/campaigns/[id]/route";
import * as consoleCampaignRates from "@/app/api/vtuber/campaigns/[id]/rates/route";
import * as consoleCampaignRatesSubmit from "@/app/api/vtuber/campaigns/[id]/rates/submit/route";
import * as consoleCampaignSubmit from "@/app/api/vtuber/campaigns/[id]/submit/route";
import * as consoleCampaigns from "@/app/api/vtuber/campaigns/route";
import * as consoleExchangeItem from "@/app/api/vtuber/exchange-items/[id]/route";
import * as consoleExchangeItemSubmit from "@/app/api/vtuber/exchange-items/[id]/submit/route";
import * as consoleExchangeItems from "@/app/api/vtuber/exchange-items/route";
import * as consoleFiles from "@/app/api/vtuber/files/route";
import * as consoleProfile from "@/app/api/vtuber/profile/route";
import * as consoleSales from "@/app/api/vtuber/sales/route";
import * as consoleUpload from "@/app/api/vtuber/uploads/[id]/route";
import * as consoleUploadVerify from "@/app/api/vtuber/uploads/[id]/verify/route";
import * as consoleUploads from "@/app/api/vtuber/uploads/route";
import * as vtuberAvatar from "@/app/api/vtubers/[slug]/avatar/route";
import * as vtuberExchange from "@/app/api/vtubers/[slug]/exchange/route";
import * as vtuber from "@/app/api/vtubers/[slug]/route";
import * as vtubers from "@/app/api/vtubers/route";
import * as stripeWebhook from "@/app/api/webhooks/stripe/route";
import { API_ERRORS } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { API_ROUTES } from "@/lib/edge/api-routes";
import { GateSignals } from "@/lib/ratelimit/signals";
import { createGate } from "@/lib/edge/gate";
import { signIn, testDeps } from "../helpers/auth";
import { createUser } from "../helpers/fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { prng } from "../helpers/prng";

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const MODULES: Record<string, object> = {
  "/api/admin/audit": adminAudit,
  "/api/admin/incidents": adminIncidents,
  "/api/admin/incidents/[id]/acknowledge": adminIncidentsAcknowledge,
  "/api/admin/purchases": adminPurchases,
  "/api/admin/purchases/[id]": adminPurchase,
  "/api/admin/reconcile": adminReconcile,
  "/api/admin/review-queue": adminReviewQueue,
  "/api/admin/users": adminUsers,
  "/api/admin/users/[id]": adminUser,
  "/api/admin/campaigns/[id]/approve": adminCampaignsApprove,
  "/api/admin/campaigns/[id]/reject": adminCampaignsReject,
  "/api/admin/exchange-items/[id]/approve": adminExchangeItemsApprove,
  "/api/admin/exchange-items/[id]/reject": adminExchangeItemsReject,
  "/api/admin/purchases/[id]/refund": adminPurchasesRefund,
  "/api/admin/users/[id]/reinstate": adminUsersReinstate,
  "/api/admin/users/[id]/role": adminUsersRole,
  "/api/admin/users/[id]/suspend": adminUsersSuspend,
  "/api/admin/vtubers/[id]/approve": adminVtubersApprove,
  "/api/admin/vtubers/[id]/reject": adminVtubersReject,
  "/api/auth/login": authLogin,
  "/api/auth/logout": authLogout,
  "/api/auth/password-reset": authPasswordReset,
  "/api/auth/password-reset/confirm": authPasswordResetConfirm,
  "/api/auth/refresh": authRefresh,
  "/api/auth/signup": authSignup,
  "/api/auth/verify-email": authVerifyEmail,
  "/api/cron/[job]": cron,
  "/api/exchange/[itemId]": exchange,
  "/api/files/[token]": files,
  "/api/gachas": gachas,
  "/api/gachas/[id]": gacha,
  "/api/gachas/[id]/observed": gachaObserved,
  "/api/gachas/[id]/pulls": gachaPulls,
  "/api/health": health,
  "/api/health/ready": healthReady,
  "/api/me": me,
  "/api/me/delete": meDelete,
  "/api/me/export": meExport,
  "/api/me/fairness": meFairness,
  "/api/me/fairness/rotate": meFairnessRotate,
  "/api/me/medals": meMedals,
  "/api/me/payment-methods": mePaymentMethods,
  "/api/me/payment-methods/setup": mePaymentMethodSetup,
  "/api/me/email": meEmail,
  "/api/me/email/verification": meEmailVerification,
  "/api/me/password": mePassword,
  "/api/me/pulls": mePulls,
  "/api/me/purchases": mePurchases,
  "/api/me/rewards": meRewards,
  "/api/me/rewards/[id]/download": meRewardDownload,
  "/api/me/vtuber-application": meVtuberApplication,
  "/api/metrics": metrics,
  "/api/vtuber/campaigns": consoleCampaigns,
  "/api/vtuber/campaigns/[id]": consoleCampaign,
  "/api/vtuber/campaigns/[id]/rates": consoleCampaignRates,
  "/api/vtuber/campaigns/[id]/rates/submit": consoleCampaignRatesSubmit,
  "/api/vtuber/campaigns/[id]/submit": consoleCampaignSubmit,
  "/api/vtuber/exchange-items": consoleExchangeItems,
  "/api/vtuber/exchange-items/[id]": consoleExchangeItem,
  "/api/vtuber/exchange-items/[id]/submit": consoleExchangeItemSubmit,
  "/api/vtuber/files": consoleFiles,
  "/api/vtuber/profile": consoleProfile,
  "/api/vtuber/sales": consoleSales,
  "/api/vtuber/uploads": consoleUploads,
  "/api/vtuber/uploads/[id]": consoleUpload,
  "/api/vtuber/uploads/[id]/verify": consoleUploadVerify,
  "/api/vtubers": vtubers,
  "/api/vtubers/[slug]": vtuber,
  "/api/vtubers/[slug]/avatar": vtuberAvatar,
  "/api/vtubers/[slug]/exchange": vtuberExchange,
  "/api/webhooks/stripe": stripeWebhook,
};

const SEED = 20261204;
const REQUESTS = 3000;
const APP = "http://localhost";

const t = setUpPaymentTests({ app: true });
let bearer = "";
let gate: ReturnType<typeof createGate>;
let fan: Awaited<ReturnType<typeof createUser>>;

/** A fresh session for the fan: a successful logout ends the one before. */
async function newSession(): Promise<void> {
  bearer = (await signIn(await testDeps(t.db, t.keys), fan)).accessToken.token;
}

beforeAll(async () => {
  fan = await createUser(t.db);
  await newSession();
  // The app's own settings, so the gate accepts the tokens the app signs.
  const config = getConfig();
  const store = await t.keys.store.keyring();
  gate = createGate({
    config,
    keys: createLocalJWKSet({ keys: [store.signing.publicJwk] }),
    // The limits have tests of their own; here every request must reach its handler.
    limiter: {
      store: "shared",
      signals: new GateSignals(),
      handOver: () => Promise.resolve(true),
      check: () => Promise.resolve(null),
    },
  });
});

const odd = (r: ReturnType<typeof prng>) =>
  r.pick([
    "%ZZ",
    "%00",
    "%E3%81",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e",
    "a%2Fb",
    "%E3%82%AC%E3%83%81%E3%83%A3",
    "'%20or%201%3D1--",
    "x".repeat(r.pick([1, 300, 3000])),
    randomUUID(),
    randomUUID().toUpperCase(),
    "00000000-0000-0000-0000-000000000000",
    t.gacha.campaign.id,
    "hoshino-mio",
    "-1",
    "1e309",
    "%F0%9F%98%80",
    "%C0%AF",
    "null",
  ]);

function jsonValue(r: ReturnType<typeof prng>, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 10, 1]);
    case 3:
      return r.pick(["", "a\u0000b", "\ud800", "ガチャ", "pm_card_visa", "x".repeat(5000), "<script>", "2026-13-45"]);
    case 4:
      return `${r.int(1e6)}`;
    case 5:
      return r.pick(["fan@demo.koepon.test", "correct horse battery staple", "1995-05-05", "checkout"]);
    case 6:
      return Array.from({ length: r.int(4) }, () => jsonValue(r, depth + 1));
    default: {
      const keys = ["email", "password", "displayName", "birthdate", "acceptTerms", "count", "paymentMethodId"];
      const extra = ["__proto__", "constructor", "everywhere", "refreshToken", "voluntaryMonthlyLimitJpy", "zzz"];
      return Object.fromEntries(
        Array.from({ length: r.int(6) }, () => [r.pick([...keys, ...extra]), jsonValue(r, depth + 1)]),
      );
    }
  }
}

function body(r: ReturnType<typeof prng>): { body: BodyInit | undefined; type: string | null } {
  const json = "application/json";
  switch (r.int(9)) {
    case 0:
      return { body: undefined, type: r.pick([null, json]) };
    case 1:
      return { body: r.bytes(r.int(2048)), type: r.pick([json, "application/octet-stream", null]) };
    case 2: // invalid UTF-8 inside otherwise plausible JSON
      return {
        body: Buffer.concat([Buffer.from('{"email":"'), Buffer.from(r.bytes(8)), Buffer.from('"}')]),
        type: json,
      };
    case 3: // huge
      return { body: JSON.stringify({ email: "x".repeat(20_000 + r.int(100_000)) }), type: json };
    case 4: {
      // deep
      const depth = r.pick([100, 2000, 8000]);
      return { body: `${"[".repeat(depth)}${"]".repeat(depth)}`, type: json };
    }
    case 5:
      return {
        body: JSON.stringify(jsonValue(r)),
        type: r.pick([json, "application/json; charset=utf-8", "text/plain"]),
      };
    case 6:
      return { body: r.pick(["{", "nul", '{"a":1,}', "\u0000", '{"a":"\\u0000"}', "[]", "null", "1"]), type: json };
    default:
      return { body: JSON.stringify(jsonValue(r, 3)), type: json };
  }
}

function requestFor(r: ReturnType<typeof prng>): { method: string; url: string; headers: Headers; body?: BodyInit } {
  const route = r.pick(API_ROUTES);
  const path = route.path.replace(/\[[^\]]+\]/g, () => odd(r));
  const method =
    r.next() < 0.75
      ? r.pick(route.methods)
      : r.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "BREW"]);
  const query =
    r.next() < 0.4
      ? `?${r.pick(["before", "kind", "vtuber", "count", "next"])}=${odd(r)}&${r.pick(["kind", "before"])}=${r.pick(["voice", "image", "video", "", "%00"])}`
      : "";
  const headers = new Headers();
  // Mostly signed in, so most requests get past authentication to the handler's own checks.
  const auth = r.int(10);
  if (auth < 7) headers.set("authorization", `Bearer ${bearer}`);
  if (auth === 7) headers.set("authorization", r.pick(["Bearer x.y.z", "Bearer ", "Basic abc", `Bearer ${bearer}x`]));
  if (r.next() < 0.5)
    headers.set("idempotency-key", r.pick([`key-${randomUUID()}`, "short", "x".repeat(300), "k\u00ffy-12345"]));
  if (r.next() < 0.2) headers.set("stripe-signature", r.pick(["t=1,v1=00", "garbage", ""]));
  if (r.next() < 0.2) headers.set("range", r.pick(["bytes=0-10", "bytes=-5", "bytes=abc", "bytes=10-1"]));
  const withBody = method !== "GET" && method !== "HEAD" && r.next() < 0.9;
  const { body: payload, type } = withBody ? body(r) : { body: undefined, type: null };
  if (type) headers.set("content-type", type);
  return { method, url: `${APP}${path}${query}`, headers, body: payload };
}

/** The handler Next would run for a request the gate let through, and its params. */
function dispatch(method: string, pathname: string): { handler?: Handler; params: Record<string, string> } {
  const parts = pathname.split("/").slice(1);
  for (const route of API_ROUTES) {
    const segments = route.path.split("/").slice(1);
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const match = segments.every((segment, i) => {
      if (!segment.startsWith("[")) return segment === parts[i];
      params[segment.slice(1, -1)] = decodeURIComponent(parts[i]!);
      return true;
    });
    if (!match) continue;
    const handlers = MODULES[route.path] as Partial<Record<string, Handler>>;
    return { handler: handlers[method] ?? (method === "HEAD" ? handlers.GET : undefined), params };
  }
  return { params: {} };
}

async function send(spec: ReturnType<typeof requestFor>): Promise<Response> {
  const init = { method: spec.method, headers: spec.headers, body: spec.body, duplex: "half" } as RequestInit;
  const passed = await gate(new NextRequest(spec.url, init as ConstructorParameters<typeof NextRequest>[1]));
  if (passed.headers.get("x-middleware-next") !== "1") return passed;
  // OPTIONS is answered by the framework itself with the route's methods.
  if (spec.method === "OPTIONS") return new Response(null, { status: 204 });
  const { handler, params } = dispatch(spec.method, new URL(spec.url).pathname);
  if (!handler) throw new Error(`the gate let ${spec.method} ${spec.url} through to no handler`);
  return handler(new Request(spec.url, init), { params: Promise.resolve(params) });
}

describe(`fuzz over every /api route (seed ${SEED})`, () => {
  it("has the module of every route in the gate's table", () => {
    expect(API_ROUTES.map((route) => route.path).filter((path) => !(path in MODULES))).toEqual([]);
  });

  it(`answers ${REQUESTS} random requests below 500, refusals in our JSON error shape`, async () => {
    const r = prng(SEED);
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    for (let i = 0; i < REQUESTS; i++) {
      const spec = requestFor(r);
      const label = `#${i} ${spec.method} ${spec.url.slice(0, 200)}`;
      const response = await send(spec);
      if (spec.url.includes("/api/auth/logout") && response.status === 200) await newSession();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, label).toBeLessThan(500);
      if (response.status >= 400 && spec.method !== "HEAD") {
        expect(response.headers.get("content-type"), label).toMatch(/^application\/json/);
        const answer = (await response.json()) as { error?: { code?: string; message?: string; details?: unknown } };
        expect(Object.keys(API_ERRORS), label).toContain(answer.error?.code);
        expect(typeof answer.error?.message, label).toBe("string");
        expect(Array.isArray(answer.error?.details), label).toBe(true);
        codes.add(answer.error!.code!);
      } else {
        await response.arrayBuffer();
      }
    }
    console.log(
      `fuzz: ${REQUESTS} requests, seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; codes ${[...codes].sort().join(",")}`,
    );
    // The pass reached handlers, not only the gate's refusals.
    expect(codes.has("validation_failed") || codes.has("invalid_json")).toBe(true);
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
  });
});
