import "server-only";
import { createHash, randomBytes } from "node:crypto";
import type { Config, DatabaseConfig, StorageConfig } from "../config";
import { hashPassword } from "../auth/password";
import { ageBand, ageOn } from "../auth/age";
import { TERMS_VERSION } from "../auth/terms";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import type { ContentKind } from "../gacha/types";
import { localStorage } from "../storage/local";
import { supabaseStorage } from "../storage/supabase";
import type { ObjectStorage } from "../storage/types";
import { DEMO_VTUBERS, insertDemoRateTable, type DemoVtuber } from "./catalog";
import { seedConsoleDemo } from "./demo-console";
import { DEMO_VIDEO, demoVideoWebm, gradientPng, toneWav } from "./media";

export interface DemoAccount {
  role: "user" | "vtuber" | "admin";
  email: string;
  password: string;
  displayName: string;
  birthdate: string;
}

// Local-only demo credentials: the seed refuses any database that is not on this machine.
export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    role: "user",
    email: "fan@demo.koepon.test",
    password: "koepon-demo-fan",
    displayName: "デモファン",
    birthdate: "1998-04-01",
  },
  {
    role: "user",
    email: "minor@demo.koepon.test",
    password: "koepon-demo-minor",
    displayName: "デモ中学生",
    birthdate: "2012-06-15",
  },
  {
    role: "admin",
    email: "admin@demo.koepon.test",
    password: "koepon-demo-admin",
    displayName: "デモ管理者",
    birthdate: "1990-01-01",
  },
  ...DEMO_VTUBERS.map((v) => ({
    role: "vtuber" as const,
    email: v.email,
    password: "koepon-demo-vtuber",
    displayName: v.name,
    birthdate: "1996-07-07",
  })),
];

export class SeedRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeedRefusedError";
  }
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** Demo accounts with known passwords must never reach a shared or production database. */
export function assertLocalDatabase(database: DatabaseConfig): void {
  if (database.kind === "pglite") return;
  const url = new URL(database.url);
  const socketHost = url.searchParams.get("host");
  const local = url.hostname === "" ? (socketHost ?? "/").startsWith("/") : LOCAL_HOSTS.has(url.hostname);
  if (!local) {
    throw new SeedRefusedError(
      `Refusing to seed demo data into ${url.hostname}: the demo seed only runs against a database on this machine.`,
    );
  }
}

/** Where the seed writes its media. It never signs URLs, so a local folder is enough. */
export type SeedStorageConfig = Extract<StorageConfig, { kind: "supabase" }> | { kind: "local"; dir: string };

/**
 * Loads the demo catalog into an empty database and returns the demo accounts.
 * A database that already has users is left alone.
 *
 * The published passwords (DEMO_ACCOUNTS) are used only in embedded mode, where the
 * database lives in this process's data folder. On a PostgreSQL server, even a local
 * one, each account gets a random password, returned here once to be printed: nobody
 * who read this repository can sign in to a server's demo admin.
 */
export async function seedDemoData(
  db: Database,
  config: Pick<Config, "database" | "bcryptCost"> & { storage: SeedStorageConfig },
  options: { now?: Date; storage?: ObjectStorage } = {},
): Promise<{ seeded: boolean; accounts: DemoAccount[] }> {
  assertLocalDatabase(config.database);
  const published = config.database.kind === "pglite";
  const [row] = await db.query<{ users: number }>("select count(*)::int as users from public.users");
  if ((row?.users ?? 0) > 0) return { seeded: false, accounts: published ? DEMO_ACCOUNTS : [] };
  const accounts = published
    ? DEMO_ACCOUNTS
    : DEMO_ACCOUNTS.map((account) => ({ ...account, password: randomBytes(12).toString("base64url") }));

  const storage =
    options.storage ??
    (config.storage.kind === "supabase" ? supabaseStorage(config.storage) : localStorage(config.storage.dir));
  const now = options.now ?? new Date();
  const passwordHashes = new Map<string, string>();
  for (const account of accounts) {
    passwordHashes.set(account.email, await hashPassword(account.password, config.bcryptCost));
  }

  await asService(db, "demo-seed", async (tx) => {
    const userIds = new Map<string, string>();
    for (const account of accounts) {
      const [user] = await tx.query<{ id: string }>(
        `insert into public.users
           (email, password_hash, display_name, birthdate, role, terms_version, terms_accepted_at, guardian_consent_at,
            email_verified_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $7) returning id`,
        [
          account.email,
          passwordHashes.get(account.email),
          account.displayName,
          account.birthdate,
          account.role,
          TERMS_VERSION,
          now,
          // The demo minor signed up as the law asks: with a guardian's consent. Every demo
          // address counts as verified (it has no mailbox), so the demo accounts can pay.
          ageBand(ageOn(account.birthdate, now)) === "adult" ? null : now,
        ],
      );
      userIds.set(account.email, user!.id);
    }
    const adminId = userIds.get("admin@demo.koepon.test")!;
    const video = await demoVideoWebm();
    for (const vtuber of DEMO_VTUBERS) {
      await seedVtuber(tx, storage, vtuber, { userId: userIds.get(vtuber.email)!, adminId, video }, now);
    }
    // Review queue, incident and generated metric history: the embedded demo only.
    if (published) await seedConsoleDemo(tx, now);
  });
  return { seeded: true, accounts };
}

interface DemoFile {
  body: Buffer;
  mime: string;
  extension: string;
  durationMs: number | null;
  width: number | null;
  height: number | null;
}

function demoFile(kind: ContentKind, vtuber: DemoVtuber, frequencyHz: number, video: Buffer): DemoFile {
  switch (kind) {
    case "voice":
      return {
        body: toneWav(frequencyHz),
        mime: "audio/wav",
        extension: "wav",
        durationMs: 1200,
        width: null,
        height: null,
      };
    case "image":
      return {
        body: gradientPng(vtuber.colours[0], vtuber.colours[1]),
        mime: "image/png",
        extension: "png",
        durationMs: null,
        width: 128,
        height: 128,
      };
    case "video":
      return {
        body: video,
        mime: DEMO_VIDEO.mimeType,
        extension: "webm",
        durationMs: DEMO_VIDEO.durationMs,
        width: DEMO_VIDEO.width,
        height: DEMO_VIDEO.height,
      };
  }
}

async function seedVtuber(
  tx: Queryable,
  storage: ObjectStorage,
  vtuber: DemoVtuber,
  context: { userId: string; adminId: string; video: Buffer },
  now: Date,
): Promise<void> {
  const { userId, adminId, video } = context;
  const [v] = await tx.query<{ id: string }>(
    `insert into public.vtubers (user_id, slug, name, bio, status, reviewed_at, reviewed_by)
     values ($1, $2, $3, $4, 'approved', $5, $6) returning id`,
    [userId, vtuber.slug, vtuber.name, vtuber.bio, now, adminId],
  );
  const vtuberId = v!.id;

  const storeFile = async (title: string, kind: ContentKind, index: number, frequencyHz?: number) => {
    const { body, mime, extension, durationMs, width, height } = demoFile(kind, vtuber, frequencyHz ?? 440, video);
    const key = `vtubers/${vtuber.slug}/${String(index).padStart(2, "0")}-${kind}.${extension}`;
    await storage.put(key, body, mime);
    const [file] = await tx.query<{ id: string }>(
      `insert into public.content_files
         (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256, duration_ms, width, height)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
      [
        vtuberId,
        kind,
        title,
        key,
        mime,
        body.length,
        createHash("sha256").update(body).digest("hex"),
        durationMs,
        width,
        height,
      ],
    );
    return file!.id;
  };

  const startsAt = new Date(now.getTime() - 24 * 3600_000);
  const endsAt = new Date(now.getTime() + 365 * 24 * 3600_000);
  const [campaign] = await tx.query<{ id: string }>(
    `insert into public.campaigns (vtuber_id, title, description, starts_at, ends_at, submitted_at)
     values ($1, $2, $3, $4, $5, $6) returning id`,
    [vtuberId, vtuber.campaign.title, vtuber.campaign.description, startsAt, endsAt, now],
  );
  const campaignId = campaign!.id;

  const items: { id: string; rarity: string }[] = [];
  for (const [index, item] of vtuber.items.entries()) {
    const fileId = await storeFile(item.name, item.kind, index, item.frequencyHz);
    const [row] = await tx.query<{ id: string }>(
      "insert into public.gacha_items (campaign_id, content_file_id, name, rarity) values ($1, $2, $3, $4) returning id",
      [campaignId, fileId, item.name, item.rarity],
    );
    items.push({ id: row!.id, rarity: item.rarity });
  }

  const tableId = await insertDemoRateTable(tx, campaignId, items);
  await tx.query("update public.rate_tables set status = 'approved', approved_by = $2 where id = $1", [
    tableId,
    adminId,
  ]);
  await tx.query(
    `update public.campaigns set status = 'approved', current_rate_table_id = $2, reviewed_at = $3, reviewed_by = $4
     where id = $1`,
    [campaignId, tableId, now, adminId],
  );

  for (const [index, exchange] of vtuber.exchange.entries()) {
    const fileId = await storeFile(exchange.name, exchange.kind, 20 + index, 660 + index * 110);
    await tx.query(
      `insert into public.exchange_items
         (vtuber_id, content_file_id, name, description, cost_medals, stock, per_user_limit, status)
       values ($1, $2, $3, $4, $5, $6, $7, 'active')`,
      [
        vtuberId,
        fileId,
        exchange.name,
        exchange.description,
        exchange.costMedals,
        exchange.stock,
        exchange.perUserLimit,
      ],
    );
  }
}
