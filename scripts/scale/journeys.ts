/**
 * The journeys a fan makes, through the balancer, with the instance of each step
 * recorded: signing up (and opening the mailed verification link), signing in, renewing
 * the session on another instance, and the same refresh token presented again on a third
 * one, which must end the whole session everywhere. And an exchange whose repeat, on
 * another instance, answers the first receipt without spending twice.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Database } from "../../lib/db";
import { asService } from "../../lib/db/session";
import { listOutbox } from "../../lib/mail/outbox";
import { sleep } from "./instances";
import { call, replyLabel, type Reply } from "./http";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const check = (name: string, ok: boolean, detail: string): Check => ({ name, ok, detail });

async function mailedToken(dataDir: string, email: string): Promise<string> {
  const outbox = path.join(dataDir, "outbox");
  for (let attempt = 0; attempt < 100; attempt++) {
    const [mail] = await listOutbox(outbox, { to: email });
    const link = mail && /https?:\/\/\S+/.exec(mail.text)?.[0];
    const token = link ? new URL(link).searchParams.get("token") : null;
    if (token) return token;
    await sleep(100);
  }
  throw new Error(`no verification mail for ${email}`);
}

/** Sign-up, verification and sign-in of a new fan through the balancer. */
export async function signUpFan(
  balancer: string,
  dataDir: string,
  address: string,
): Promise<{ email: string; password: string }> {
  const email = `scale-${randomBytes(5).toString("hex")}@example.test`;
  const password = `scale ${randomBytes(12).toString("hex")}`;
  const headers = { origin: balancer };
  const signup = await call(`${balancer}/api/auth/signup`, {
    address,
    headers,
    body: { email, password, displayName: "Scale fan", birthdate: "1990-01-01", acceptTerms: true },
  });
  if (signup.status !== 202) throw new Error(`sign-up answered ${replyLabel(signup)}`);
  const token = await mailedToken(dataDir, email);
  const verified = await call(`${balancer}/api/auth/verify-email`, { address, headers, body: { token } });
  if (verified.status !== 200) throw new Error(`verification answered ${replyLabel(verified)}`);
  const login = await call(`${balancer}/api/auth/login`, { address, headers, body: { email, password } });
  if (login.status !== 200) throw new Error(`sign-in answered ${replyLabel(login)}`);
  return { email, password };
}

/**
 * Signs in, renews on another instance, then presents the first refresh token again
 * (after the grace window for concurrent tabs) on a third: refused as reused, the
 * renewed token refused too (the session is revoked), and so is its access token.
 */
export async function refreshAcrossInstances(
  balancer: string,
  fan: { email: string; password: string },
  address: string,
  graceSeconds: number,
): Promise<Check[]> {
  const headers = { origin: balancer };
  const login = await call(`${balancer}/api/auth/login`, {
    address,
    headers,
    body: { email: fan.email, password: fan.password },
  });
  // The refresh token travels in its cookie; an API client sends it back in the body.
  const first = refreshCookie(login);
  const renewed = await call(`${balancer}/api/auth/refresh`, { address, headers, body: { refreshToken: first } });
  const second = refreshCookie(renewed);
  const access = (renewed.body as { accessToken?: string }).accessToken;
  await sleep(graceSeconds * 1000 + 500);
  const reused = await call(`${balancer}/api/auth/refresh`, { address, headers, body: { refreshToken: first } });
  const afterReuse = await call(`${balancer}/api/auth/refresh`, { address, headers, body: { refreshToken: second } });
  const me = await call(`${balancer}/api/me`, { address, token: access });
  const where = [login, renewed, reused, afterReuse, me].map((r) => r.instance ?? "?");
  const reason = (r: Reply) => (r.body as { error?: { details?: { reason?: string }[] } })?.error?.details?.[0]?.reason;
  return [
    check(
      "refresh on another instance",
      login.status === 200 && renewed.status === 200 && login.instance !== renewed.instance,
      `sign-in on ${where[0]} ${replyLabel(login)}, refresh on ${where[1]} ${replyLabel(renewed)}`,
    ),
    check(
      "refresh-token reuse detected across instances",
      reused.status === 401 &&
        reason(reused) === "reused" &&
        reused.instance !== renewed.instance &&
        afterReuse.status === 401 &&
        me.status === 401,
      `old token again on ${where[2]}: ${replyLabel(reused)} (${reason(reused)}); ` +
        `renewed token on ${where[3]}: ${replyLabel(afterReuse)} (${reason(afterReuse)}); its access token on ${where[4]}: ${replyLabel(me)}`,
    ),
  ];
}

function refreshCookie(reply: Reply): string {
  const cookies = reply.headers?.getSetCookie() ?? [];
  const found = cookies.map((c) => /^(?:__Secure-)?koepon_rt=([^;]+)/.exec(c)?.[1]).find(Boolean);
  if (!found) throw new Error(`no refresh token in the answer (${replyLabel(reply)} ${JSON.stringify(reply.body)})`);
  return decodeURIComponent(found);
}

/**
 * A fan's 10-pull in one VTuber's campaign, then the cheapest item of that VTuber's
 * exchange with one key, and the same key again (landing on another instance): one
 * exchange, the medals spent once, both answers the same receipt.
 */
export async function exchangeOnce(
  db: Database,
  balancer: string,
  fan: { token: string; address: string },
  campaignId: string,
  keyPrefix: string,
): Promise<Check> {
  const pull = await call(`${balancer}/api/gachas/${campaignId}/pulls`, {
    token: fan.token,
    address: fan.address,
    idempotencyKey: `${keyPrefix}-pull`,
    body: { count: 10, paymentMethodId: "pm_card_visa" },
  });
  if (pull.status !== 201) return check("exchange once", false, `the 10-pull answered ${replyLabel(pull)}`);
  const [item] = await asService(db, "scale:exchange-item", (tx) =>
    tx.query<{ id: string; cost_medals: number; vtuber_id: string; user_id: string }>(
      `select i.id, i.cost_medals, i.vtuber_id, p.user_id
         from public.campaigns c
         join public.exchange_items i on i.vtuber_id = c.vtuber_id and i.status = 'active'
         join public.purchases p on p.idempotency_key = $2
        where c.id = $1
        order by i.cost_medals limit 1`,
      [campaignId, `${keyPrefix}-pull`],
    ),
  );
  if (!item) return check("exchange once", false, "no active exchange item for the campaign's VTuber");
  const balance = async () => {
    const [row] = await asService(db, "scale:balance", (tx) =>
      tx.query<{ balance: number }>("select balance from public.medal_balances where user_id = $1 and vtuber_id = $2", [
        item.user_id,
        item.vtuber_id,
      ]),
    );
    return row?.balance ?? 0;
  };
  const before = await balance();
  const key = `${keyPrefix}-exchange`;
  const send = () =>
    call(`${balancer}/api/exchange/${item.id}`, {
      token: fan.token,
      address: fan.address,
      idempotencyKey: key,
      method: "POST",
    });
  const first = await send();
  const again = await send();
  const after = await balance();
  const [{ n }] = (await asService(db, "scale:exchanges", (tx) =>
    tx.query<{ n: number }>("select count(*)::int as n from public.exchanges where idempotency_key = $1", [key]),
  )) as [{ n: number }];
  const sameReceipt =
    JSON.stringify((first.body as { exchange?: unknown }).exchange) ===
    JSON.stringify((again.body as { exchange?: unknown }).exchange);
  return check(
    "exchange once",
    first.status === 201 && again.status === 200 && sameReceipt && n === 1 && before - after === item.cost_medals,
    `${replyLabel(first)} on ${first.instance}, repeat ${replyLabel(again)} on ${again.instance}; ` +
      `${n} exchange row(s); medals ${before} → ${after} (cost ${item.cost_medals})`,
  );
}

/**
 * Single pulls whose sandbox webhooks go back through the balancer (the tap): for each
 * purchase, the instance that answered the pull and the one that handled its webhook.
 * Every purchase fulfilled once, with one draw, including those whose two halves landed
 * on different instances (at least one must have).
 */
export async function pullsAndWebhooks(
  db: Database,
  balancer: string,
  fan: { token: string; address: string },
  campaignId: string,
  keyPrefix: string,
  count: number,
  deliveries: readonly { body: string; status: number; instance: string | null }[],
): Promise<Check> {
  const pulls: { key: string; reply: Reply }[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${keyPrefix}-${i}`;
    pulls.push({
      key,
      reply: await call(`${balancer}/api/gachas/${campaignId}/pulls`, {
        token: fan.token,
        address: fan.address,
        idempotencyKey: key,
        body: { count: 1, paymentMethodId: "pm_card_visa" },
      }),
    });
  }
  const rows = await asService(db, "scale:webhook-purchases", (tx) =>
    tx.query<{ id: string; idempotency_key: string; status: string; draws: number }>(
      `select p.id, p.idempotency_key, p.status, (select count(*)::int from public.pulls d where d.purchase_id = p.id) as draws
         from public.purchases p where p.idempotency_key = any($1::text[])`,
      [pulls.map((p) => p.key)],
    ),
  );
  const webhookOf = (id: string) => deliveries.find((d) => d.body.includes(id));
  for (let i = 0; i < 100 && rows.some((r) => !webhookOf(r.id)); i++) await sleep(100);
  let crossed = 0;
  let settledOnce = 0;
  for (const row of rows) {
    const pull = pulls.find((p) => p.key === row.idempotency_key)!.reply;
    const hook = webhookOf(row.id);
    if (hook && pull.instance && hook.instance && hook.instance !== pull.instance) crossed++;
    if (pull.status === 201 && row.status === "fulfilled" && row.draws === 1 && hook?.status === 200) settledOnce++;
  }
  return check(
    "purchase fulfilled once, request and webhook on different instances",
    rows.length === count && settledOnce === count && crossed > 0,
    `${count} pulls: ${settledOnce} answered 201, fulfilled with one draw and their webhook answered 200; ` +
      `${crossed} with the webhook handled by another instance than the pull`,
  );
}
