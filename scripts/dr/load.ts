/**
 * The drill's writes: what the app really does, through the app's own functions —
 * sign-ups (`signup`), paid pulls through the whole saga (`payAndPull`: reserve →
 * sandbox charge → fulfil, some with a declined card) and medal exchanges
 * (`exchangeItem`) — so the books a recovery must keep are the real ones. Every write
 * the app acknowledged is logged with the instant it returned: the restored database
 * is later compared with this log.
 */
import { randomBytes, randomInt } from "node:crypto";
import { DomainError } from "../../lib/domain-error";
import { loadKeyring, newPrivateJwk } from "../../lib/auth/keys";
import type { AuthDeps } from "../../lib/auth/session";
import { signup } from "../../lib/auth/signup";
import type { PendingMail } from "../../lib/account/mail";
import { confirmEmailLink } from "../../lib/account/verify-email";
import type { AuthConfig } from "../../lib/config";
import type { Database } from "../../lib/db/types";
import { exchangeItem } from "../../lib/exchange/exchange-item";
import { payAndPull } from "../../lib/payments/pay-and-pull";
import type { PaymentProvider } from "../../lib/payments/providers/types";

export type WriteKind = "signup" | "pull" | "exchange";

/** One write the app acknowledged: its row id and when the call returned. */
export interface AckedWrite {
  kind: WriteKind;
  /** users.id, pulls.id or exchanges.id. */
  id: string;
  /** purchases.id of a pull, for the reconciliation check. */
  purchaseId?: string;
  startedAt: number;
  ackedAt: number;
}

export interface LoadOptions {
  db: Database;
  provider: PaymentProvider;
  auth: AuthConfig;
  workers: number;
  /** The load stops starting writes at this instant (ms since the epoch). */
  until: number;
}

export interface LoadResult {
  acked: AckedWrite[];
  /** Refusals the app is meant to give (a declined card, too few medals), by code. */
  refused: Record<string, number>;
  /** Anything else: a drill with errors fails. */
  errors: string[];
}

interface Catalog {
  campaigns: { id: string; vtuberId: string }[];
  /** The cheapest exchange item of each VTuber. */
  exchange: Map<string, { id: string; cost: number }>;
}

async function readCatalog(db: Database): Promise<Catalog> {
  const campaigns = await db.query<{ id: string; vtuber_id: string }>(
    "select id, vtuber_id from public.campaigns where status = 'approved' order by title",
  );
  const items = await db.query<{ id: string; vtuber_id: string; cost_medals: number }>(
    `select distinct on (vtuber_id) id, vtuber_id, cost_medals from public.exchange_items
      where status = 'active' order by vtuber_id, cost_medals`,
  );
  return {
    campaigns: campaigns.map((c) => ({ id: c.id, vtuberId: c.vtuber_id })),
    exchange: new Map(items.map((i) => [i.vtuber_id, { id: i.id, cost: i.cost_medals }])),
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { db, provider } = options;
  const catalog = await readCatalog(options.db);
  const keyring = await loadKeyring({ kind: "env", signingKey: JSON.stringify(await newPrivateJwk()), verifyKeys: [] });
  const authDeps = (): AuthDeps => ({
    db,
    now: new Date(),
    auth: options.auth,
    signingKey: keyring.signing,
    bcryptCost: 4,
  });
  const fans: string[] = [];
  const medals = new Map<string, number>();
  const result: LoadResult = { acked: [], refused: {}, errors: [] };
  const ack = (kind: WriteKind, id: string, startedAt: number, purchaseId?: string) =>
    result.acked.push({ kind, id, purchaseId, startedAt, ackedAt: Date.now() });

  const step = async () => {
    const startedAt = Date.now();
    const roll = randomInt(100);
    if (fans.length < options.workers * 2 || roll < 10) {
      const deps = authDeps();
      const { mails, createdUserId } = await signup(
        { ...deps, appUrl: "http://drill.koepon.test" },
        {
          email: `drill-${randomBytes(6).toString("hex")}@drill.koepon.test`,
          password: `drill-${randomBytes(12).toString("hex")}`,
          displayName: "ドリル",
          birthdate: "1995-05-05",
          acceptTerms: true,
        },
      );
      // The fan opens the verification link, as paying needs a verified address.
      await confirmEmailLink(deps, linkToken(mails[0]!));
      fans.push(createdUserId!);
      return ack("signup", createdUserId!, startedAt);
    }
    const fan = fans[randomInt(fans.length)]!;
    const campaign = catalog.campaigns[randomInt(catalog.campaigns.length)]!;
    const item = catalog.exchange.get(campaign.vtuberId);
    const balanceKey = `${fan}:${campaign.vtuberId}`;
    if (item && (medals.get(balanceKey) ?? 0) >= item.cost && roll < 35) {
      const { exchange } = await exchangeItem(db, {
        userId: fan,
        itemId: item.id,
        idempotencyKey: `drill-${randomBytes(8).toString("hex")}`,
        now: new Date(),
      });
      medals.set(balanceKey, exchange.medalBalance);
      return ack("exchange", exchange.id, startedAt);
    }
    const { pull } = await payAndPull(
      { db, provider, now: new Date() },
      {
        userId: fan,
        campaignId: campaign.id,
        count: roll < 70 ? 10 : 1,
        // One in twenty cards is declined: the saga's release path is part of the books too.
        paymentMethodId: roll % 20 === 0 ? "pm_card_chargeDeclined" : "pm_card_visa",
        idempotencyKey: `drill-${randomBytes(8).toString("hex")}`,
      },
    );
    medals.set(balanceKey, pull.medalBalance);
    const [purchase] = await db.query<{ purchase_id: string }>("select purchase_id from public.pulls where id = $1", [
      pull.id,
    ]);
    ack("pull", pull.id, startedAt, purchase?.purchase_id);
  };

  const worker = async () => {
    while (Date.now() < options.until) {
      try {
        await step();
      } catch (err) {
        if (err instanceof DomainError) result.refused[err.code] = (result.refused[err.code] ?? 0) + 1;
        else result.errors.push(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  return result;
}

function linkToken(pending: PendingMail): string {
  if (pending.mail.kind !== "verify_email") throw new Error(`expected a verification mail, got ${pending.mail.kind}`);
  return new URL(pending.mail.link).searchParams.get("token")!;
}
