import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import type { Columns } from "../db/rows";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { newServerSeed, openSeed, sealSeed, seedHashOf, seedKey } from "./seed-box";

/** The fan's current (committed, unrevealed) seed, as `GET /api/me/fairness` shows it. */
export interface CurrentSeed {
  seedId: string;
  /** SHA-256 (hex) of the server seed: what every pull until the next rotation draws with. */
  seedHash: string;
  clientSeed: string;
  /** The nonce the next pull will take. */
  nextNonce: number;
  createdAt: Date;
}

export interface RevealedSeed {
  seedId: string;
  seedHash: string;
  /** The 32 seed bytes, hex. */
  serverSeed: string;
  /** Pulls drawn under it: nonces 0 … pulls − 1 (one may be skipped by a lost race). */
  pulls: number;
  revealedAt: Date;
}

type SeedRow = Columns<"fairness_seeds", "id" | "seed_hash" | "client_seed" | "next_nonce" | "created_at">;
const SEED_COLUMNS = "id, seed_hash, client_seed, next_nonce, created_at";

function toCurrent(row: SeedRow): CurrentSeed {
  return {
    seedId: row.id,
    seedHash: row.seed_hash,
    clientSeed: row.client_seed,
    nextNonce: row.next_nonce,
    createdAt: row.created_at,
  };
}

/** A fresh client seed: 16 characters of base64url (96 random bits). */
export function defaultClientSeed(): string {
  return randomBytes(12).toString("base64url");
}

/**
 * Inserts a new committed seed for the fan unless one is current. The seed is sealed
 * before it reaches the database; two requests racing here meet at the one-current-seed
 * index and both read the winner's.
 */
async function insertSeedIn(tx: Queryable, userId: string, clientSeed: string): Promise<void> {
  const id = randomUUID();
  const seed = newServerSeed();
  await tx.query(
    `insert into public.fairness_seeds (id, user_id, seed_hash, seed_ciphertext, client_seed)
     values ($1, $2, $3, $4, $5)
     on conflict (user_id) where revealed_at is null do nothing`,
    [id, userId, seedHashOf(seed), sealSeed(await seedKey(), id, seed), clientSeed],
  );
}

async function readCurrentIn(tx: Queryable, userId: string, lock = false): Promise<SeedRow | undefined> {
  const [row] = await tx.query<SeedRow>(
    `select ${SEED_COLUMNS} from public.fairness_seeds
      where user_id = $1 and revealed_at is null${lock ? " for update" : ""}`,
    [userId],
  );
  return row;
}

/** The fan's current seed, committed now if they have none yet (service transaction). */
export async function currentSeedIn(tx: Queryable, userId: string): Promise<CurrentSeed> {
  let row = await readCurrentIn(tx, userId);
  if (!row) {
    await insertSeedIn(tx, userId, defaultClientSeed());
    row = await readCurrentIn(tx, userId);
  }
  return toCurrent(row!);
}

export function readCurrentSeed(db: Database, userId: string): Promise<CurrentSeed> {
  return asService(db, "fairness:current", (tx) => currentSeedIn(tx, userId));
}

/** Sets the client seed of the fan's current seed: pulls reserved from now on use it. */
export function setClientSeed(db: Database, userId: string, clientSeed: string): Promise<CurrentSeed> {
  return asService(db, "fairness:client-seed", async (tx) => {
    await currentSeedIn(tx, userId);
    const [row] = await tx.query<SeedRow>(
      `update public.fairness_seeds set client_seed = $2
        where user_id = $1 and revealed_at is null
        returning ${SEED_COLUMNS}`,
      [userId, clientSeed],
    );
    return toCurrent(row!);
  });
}

/**
 * Reveals the fan's current seed and commits a new one with the same client seed, in one
 * transaction. Refused (`seed_rotation_blocked`) while a purchase pinned to the seed is
 * still pending or paid but not drawn: with the seed known, a fan could see that pull's
 * result and walk away from a payment still awaiting their confirmation. Reserve takes
 * the same row lock to pin a purchase, so none slips in between the check and the reveal.
 */
export function rotateSeed(db: Database, userId: string): Promise<{ revealed: RevealedSeed; current: CurrentSeed }> {
  return asService(db, "fairness:rotate", async (tx) => {
    let row = await readCurrentIn(tx, userId, true);
    if (!row) {
      await currentSeedIn(tx, userId);
      row = await readCurrentIn(tx, userId, true);
    }
    const [busy] = await tx.query<{ id: string }>(
      "select id from public.purchases where fairness_seed_id = $1 and status in ('pending', 'paid') limit 1",
      [row!.id],
    );
    if (busy) throw new DomainError("seed_rotation_blocked");

    const [sealed] = await tx.query<Columns<"fairness_seeds", "seed_ciphertext">>(
      "select seed_ciphertext from public.fairness_seeds where id = $1",
      [row!.id],
    );
    const seed = openSeed(await seedKey(), row!.id, sealed!.seed_ciphertext);
    const [revealed] = await tx.query<Columns<"fairness_seeds", "revealed_at">>(
      `update public.fairness_seeds set revealed_seed = $2, revealed_at = now()
        where id = $1 returning revealed_at`,
      [row!.id, seed.toString("hex")],
    );
    await insertSeedIn(tx, userId, row!.client_seed);
    const current = await readCurrentIn(tx, userId);
    return {
      revealed: {
        seedId: row!.id,
        seedHash: row!.seed_hash,
        serverSeed: seed.toString("hex"),
        pulls: row!.next_nonce,
        revealedAt: revealed!.revealed_at!,
      },
      current: toCurrent(current!),
    };
  });
}

/** The server seed a purchase is drawn with, opened from its sealed form. */
export async function openPurchaseSeed(seedId: string, sealed: string): Promise<Buffer> {
  return openSeed(await seedKey(), seedId, sealed);
}
