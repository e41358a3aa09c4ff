/**
 * Commit–reveal draws end to end on the saga's own steps (reserve, fulfil, rotate):
 * 1,000 pulls of one fan recomputed by the standalone verifier from public data only,
 * the reveal matching the hash shown before, nonces never shared nor advanced by a
 * replay, and the database refusing to change a committed seed. PGlite by default,
 * PostgreSQL when DATABASE_URL is set.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { asService, asUser } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { readCurrentSeed, rotateSeed, setClientSeed } from "@/lib/fairness/seeds";
import { readPublicGacha } from "@/lib/gacha/public-gacha";
import { fulfilIn } from "@/lib/payments/fulfil";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { readPullHistory } from "@/lib/payments/pull-history";
import { reserve } from "@/lib/payments/reserve";
import { verifyPull, type PullToVerify } from "../../scripts/verify-pull.mjs";
import * as fx from "../helpers/fixtures";
import { pullRequest } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { attempt, onPostgres } from "../helpers/rls";

const NOW = new Date("2026-12-10T12:00:00Z");
const t = setUpPaymentTests();
const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Reserves `counts.length` pulls one after another, then fulfils them 50 to a transaction. */
async function pullMany(fan: { id: string }, counts: readonly (1 | 10)[]): Promise<void> {
  const ids: string[] = [];
  for (const count of counts) {
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign, { count }), {
      now: NOW,
      provider: "sandbox",
    });
    ids.push(purchase.id);
  }
  for (let i = 0; i < ids.length; i += 50) {
    await asService(t.db, "test:fulfil", async (tx) => {
      for (const id of ids.slice(i, i + 50)) expect((await fulfilIn(tx, id, {})).kind).toBe("fulfilled");
    });
  }
}

async function nonceOf(purchaseId: string): Promise<number | null> {
  const [row] = await asService(t.db, "test", (tx) =>
    tx.query<{ fairness_nonce: number | null }>("select fairness_nonce from public.purchases where id = $1", [
      purchaseId,
    ]),
  );
  return row!.fairness_nonce;
}

/** The nonce and client seed a pull's purchase was pinned to. */
async function committedOf(pullId: string): Promise<{ nonce: number | null; clientSeed: string | null }> {
  const [row] = await asService(t.db, "test", (tx) =>
    tx.query<{ nonce: number | null; client_seed: string | null }>(
      `select pu.fairness_nonce as nonce, pu.client_seed
         from public.pulls p join public.purchases pu on pu.id = p.purchase_id
        where p.id = $1`,
      [pullId],
    ),
  );
  return { nonce: row!.nonce, clientSeed: row!.client_seed };
}

describe("1,000 pulls, then a rotation", () => {
  it("reveals the seed behind the hash shown before, and the verifier reproduces every pull from public data", async () => {
    const fan = await fx.createUser(t.db);
    const shown = await readCurrentSeed(t.db, fan.id);
    expect(shown.seedHash).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.nextNonce).toBe(0);

    const counts = Array.from({ length: 1_000 }, (_, i) => (i % 10 === 9 ? 10 : 1) as 1 | 10);
    await pullMany(fan, counts);

    const { revealed, current } = await rotateSeed(t.db, fan.id);
    expect(sha256(Buffer.from(revealed.serverSeed, "hex"))).toBe(shown.seedHash);
    expect(revealed).toMatchObject({ seedId: shown.seedId, pulls: 1_000 });
    expect(current.seedHash).not.toBe(shown.seedHash);
    expect(current).toMatchObject({ clientSeed: shown.clientSeed, nextNonce: 0 });

    // Public data only: the odds API's table text and the fan's own history.
    const gacha = await readPublicGacha(t.db, t.gacha.campaign.id, NOW);
    const tableText = gacha!.rateTable.canonicalText;
    expect(sha256(tableText)).toBe(gacha!.rateTable.contentHash);
    const { pulls } = await asUser(t.db, fan.claims, (tx) => readPullHistory(tx, fan.id, { limit: 1_000 }));
    expect(pulls).toHaveLength(1_000);
    expect(pulls.map((p) => p.fairness!.nonce).sort((a, b) => a - b)).toEqual(counts.map((_, i) => i));

    const toVerify: PullToVerify[] = pulls.map((p) => ({
      seed: p.fairness!.serverSeed!,
      clientSeed: p.fairness!.clientSeed,
      nonce: p.fairness!.nonce,
      count: p.count,
      tableText,
      tableHash: p.rateTable.contentHash,
      seedHash: p.fairness!.seedHash,
      expect: p.results.map((r) => r.itemId),
    }));
    const failures = toVerify.map((pull) => verifyPull(pull)).filter((outcome) => !outcome.ok);
    expect(failures).toEqual([]);
    expect(toVerify.every((pull) => pull.seed === revealed.serverSeed && pull.seedHash === shown.seedHash)).toBe(true);

    // The script itself, as a fan would run it, over all 1,000 at once.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-verify-"));
    try {
      const batch = path.join(dir, "pulls.json");
      await fs.writeFile(batch, JSON.stringify(toVerify));
      const run = await promisify(execFile)(process.execPath, ["scripts/verify-pull.mjs", "--batch", batch]);
      expect(run.stdout.trim()).toBe("1000 of 1000 pulls verified");

      // One byte changed in the seed, the table or the nonce: verification fails.
      const first = toVerify.find((p) => p.count === 10)!;
      const flip = (hex: string) => (parseInt(hex[0]!, 16) ^ 1).toString(16) + hex.slice(1);
      const tampered = [
        { ...first, seed: flip(first.seed), seedHash: undefined },
        {
          ...first,
          tableText: first.tableText.replace(
            /:(\d)(\d*)\n/,
            (_m, d: string, rest: string) => `:${(Number(d) + 1) % 10}${rest}\n`,
          ),
        },
        { ...first, nonce: first.nonce + 1 },
      ];
      for (const pull of tampered) {
        expect(verifyPull(pull).ok).toBe(false);
        await fs.writeFile(batch, JSON.stringify([pull]));
        await expect(
          promisify(execFile)(process.execPath, ["scripts/verify-pull.mjs", "--batch", batch]),
        ).rejects.toMatchObject({
          code: 1,
          stdout: expect.stringContaining("NOT verified"),
        });
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe("nonces", () => {
  it(`gives ${onPostgres ? "parallel" : "overlapping (PGlite runs them one at a time)"} pulls of one fan distinct nonces`, async () => {
    const fan = await fx.createUser(t.db);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () =>
        payAndPull({ db: t.db, provider: t.sandbox.provider, now: NOW }, pullRequest(fan, t.gacha.campaign)),
      ),
    );
    const { pulls } = await asUser(t.db, fan.claims, (tx) => readPullHistory(tx, fan.id, { limit: 50 }));
    expect(outcomes.every((o) => pulls.some((p) => p.id === o.pull.id && p.fairness !== null))).toBe(true);
    expect(new Set(pulls.map((p) => p.fairness!.nonce)).size).toBe(12);
    expect((await readCurrentSeed(t.db, fan.id)).nextNonce).toBe(12);
  });

  it("does not advance the nonce for a replayed idempotency key, and answers the same committed draw", async () => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign, { count: 10 });
    const deps = { db: t.db, provider: t.sandbox.provider, now: NOW };
    const first = await payAndPull(deps, request);
    const again = await payAndPull(deps, request);
    expect(again.created).toBe(false);
    expect(again.pull).toEqual(first.pull);
    expect((await committedOf(first.pull.id)).nonce).toBe(0);
    expect((await readCurrentSeed(t.db, fan.id)).nextNonce).toBe(1);
    const next = await payAndPull(deps, pullRequest(fan, t.gacha.campaign));
    expect((await committedOf(next.pull.id)).nonce).toBe(1);
  });

  it("uses a new client seed for later pulls only, and keeps each purchase's own", async () => {
    const fan = await fx.createUser(t.db);
    const deps = { db: t.db, provider: t.sandbox.provider, now: NOW };
    const before = await payAndPull(deps, pullRequest(fan, t.gacha.campaign));
    await setClientSeed(t.db, fan.id, "my-own_seed-42");
    const after = await payAndPull(deps, pullRequest(fan, t.gacha.campaign));
    expect((await committedOf(before.pull.id)).clientSeed).not.toBe("my-own_seed-42");
    expect(await committedOf(after.pull.id)).toEqual({ clientSeed: "my-own_seed-42", nonce: 1 });
  });
});

describe("rotation", () => {
  it("is refused while a purchase under the seed is not yet drawn, and allowed once it is", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    const refused = await rotateSeed(t.db, fan.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe("seed_rotation_blocked");
    expect(await nonceOf(purchase.id)).toBe(0);

    await asService(t.db, "test:fulfil", (tx) => fulfilIn(tx, purchase.id, {}));
    const { revealed } = await rotateSeed(t.db, fan.id);
    expect(revealed.pulls).toBe(1);
  });
});

describe("the database keeps seeds as committed", () => {
  it("refuses any change to a seed, its hash or its sealed bytes, a forged reveal, and changes after the reveal", async () => {
    const fan = await fx.createUser(t.db);
    const seed = await readCurrentSeed(t.db, fan.id);
    const update = (sql: string, params: unknown[] = []) =>
      attempt(asService(t.db, "test", (tx) => tx.query(sql, [seed.seedId, ...params])));

    const KP002 = { code: "KP002" };
    expect(
      await update("update public.fairness_seeds set seed_hash = $2 where id = $1", ["0".repeat(64)]),
    ).toMatchObject(KP002);
    expect(
      await update("update public.fairness_seeds set seed_ciphertext = seed_ciphertext || 'AA' where id = $1"),
    ).toMatchObject(KP002);
    expect(await update("update public.fairness_seeds set next_nonce = 5 where id = $1 returning id")).toEqual({
      rows: 1,
    });
    expect(await update("update public.fairness_seeds set next_nonce = 4 where id = $1")).toMatchObject(KP002);
    expect(
      await update("update public.fairness_seeds set revealed_seed = $2, revealed_at = now() where id = $1", [
        "ab".repeat(32),
      ]),
    ).toMatchObject({ code: "KP002", message: expect.stringMatching(/does not hash to the committed value/) });
    // No role is granted DELETE; even the owner, who bypasses grants, meets the trigger.
    expect(await update("delete from public.fairness_seeds where id = $1")).toMatchObject({ code: "42501" });
    expect(await attempt(t.db.query("delete from public.fairness_seeds where id = $1", [seed.seedId]))).toMatchObject(
      KP002,
    );

    await rotateSeed(t.db, fan.id);
    expect(await update("update public.fairness_seeds set client_seed = 'later' where id = $1")).toMatchObject(KP002);
  });

  it("shows a fan their own seeds without the sealed bytes, and nobody else's; an admin cannot change one", async () => {
    const fan = await fx.createUser(t.db);
    const other = await fx.createUser(t.db);
    const admin = await fx.createUser(t.db, { role: "admin" });
    const seed = await readCurrentSeed(t.db, fan.id);
    await readCurrentSeed(t.db, other.id);

    const own = await asUser(t.db, fan.claims, (tx) =>
      tx.query<{ seed_hash: string }>("select seed_hash, revealed_seed from public.fairness_seeds"),
    );
    expect(own).toEqual([{ seed_hash: seed.seedHash, revealed_seed: null }]);
    expect(
      await attempt(asUser(t.db, fan.claims, (tx) => tx.query("select seed_ciphertext from public.fairness_seeds"))),
    ).toMatchObject({ code: "42501" });
    expect(
      await attempt(
        asUser(t.db, admin.claims, (tx) =>
          tx.query("update public.fairness_seeds set client_seed = 'x' where id = $1 returning id", [seed.seedId]),
        ),
      ),
    ).toMatchObject({ code: "42501" });
    const stored = await asService(t.db, "test", (tx) =>
      tx.query<{ seed_ciphertext: string }>("select seed_ciphertext from public.fairness_seeds where id = $1", [
        seed.seedId,
      ]),
    );
    // Sealed: neither the hash's preimage in hex nor anything 64-hex is stored.
    expect(stored[0]!.seed_ciphertext).not.toMatch(/[0-9a-f]{64}/);
  });
});
