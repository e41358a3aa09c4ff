/**
 * The VTuber's public profile as they edit it in the console: display name, avatar (one
 * of their own library's images), profile text in the safe rich text, and links. Edits
 * are allowed at any time after approval and show on their page at once. Written through
 * the VTuber's own session, so RLS keeps each VTuber to their own row, and the database
 * refuses an avatar that is not one of their own images.
 */
import { avatarUrl } from "../catalog/avatar-url";
import { asUser, type Claims } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { sanitizeVtuberHtml } from "../rich-text/sanitize";
import type { VtuberLink } from "./application";
import { ownVtuberIdIn } from "./own-vtuber";

/** At most this many links, each label and address bounded (the route's schema, and the table's check). */
export const PROFILE_LIMITS = { links: 5, labelLength: 40, urlLength: 300, bioLength: 2000, nameLength: 50 } as const;

export interface VtuberProfile {
  id: string;
  slug: string;
  name: string;
  /** Sanitised rich text (lib/rich-text), as stored. */
  bio: string;
  links: VtuberLink[];
  avatarFileId: string | null;
  /** Where the page loads the avatar from (the public avatar route), or null. */
  avatarUrl: string | null;
}

export interface ProfileInput {
  name: string;
  bio: string;
  links: VtuberLink[];
  avatarFileId: string | null;
}

interface Row {
  id: string;
  slug: string;
  name: string;
  bio: string;
  links: VtuberLink[];
  avatar_file_id: string | null;
}

function toProfile(row: Row): VtuberProfile {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    bio: row.bio,
    links: row.links,
    avatarFileId: row.avatar_file_id,
    avatarUrl: avatarUrl(row.slug, row.avatar_file_id),
  };
}

async function readIn(tx: Queryable, vtuberId: string): Promise<Row> {
  const [row] = await tx.query<Row>(
    "select id, slug, name, bio, links, avatar_file_id from public.vtubers where id = $1",
    [vtuberId],
  );
  if (!row) throw new DomainError("vtuber_not_found");
  return row;
}

export async function getProfile(db: Database, claims: Claims): Promise<VtuberProfile> {
  return asUser(db, claims, async (tx) => toProfile(await readIn(tx, await ownVtuberIdIn(tx, claims.sub))));
}

/**
 * Saves the profile. The text is sanitised before it is stored (and again whenever it is
 * shown), so no script ever reaches the database or a page.
 * @throws DomainError `validation_failed` (the avatar is not one of the caller's images).
 */
export async function updateProfile(db: Database, claims: Claims, input: ProfileInput): Promise<VtuberProfile> {
  try {
    return await asUser(db, claims, async (tx) => {
      const vtuberId = await ownVtuberIdIn(tx, claims.sub);
      const [row] = await tx.query<Row>(
        `update public.vtubers set name = $2, bio = $3, links = $4::jsonb, avatar_file_id = $5
          where id = $1
          returning id, slug, name, bio, links, avatar_file_id`,
        [vtuberId, input.name, sanitizeVtuberHtml(input.bio), JSON.stringify(input.links), input.avatarFileId],
      );
      if (!row) throw new DomainError("vtuber_not_found");
      return toProfile(row);
    });
  } catch (err) {
    if ((err as { code?: string }).code === "KP004") {
      throw new DomainError("validation_failed", [{ field: "avatarFileId", reason: "not_own_image" }]);
    }
    throw err;
  }
}
