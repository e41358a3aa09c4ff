import "server-only";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import type { ObjectStorage } from "../storage";
import { SLUG_PATTERN } from "./slug";

/** Long enough to load a page; the redirect is refetched after it. */
const AVATAR_URL_TTL_SECONDS = 300;

/**
 * A short-lived signed URL of an approved VTuber's avatar. Content files are private
 * (no policy lets anyone else read them), so the one file a profile names is looked up
 * on the service path, and only through the profile: never another file.
 * @throws DomainError `vtuber_not_found` (no such approved VTuber, or no avatar).
 */
export async function avatarSignedUrl(db: Database, storage: ObjectStorage, slug: string): Promise<string> {
  if (!SLUG_PATTERN.test(slug)) throw new DomainError("vtuber_not_found");
  const [file] = await asService(db, "vtuber-avatar", (tx) =>
    tx.query<{ storage_path: string; mime_type: string }>(
      `select f.storage_path, f.mime_type
         from public.vtubers v join public.content_files f on f.id = v.avatar_file_id and f.vtuber_id = v.id
        where v.slug = $1 and v.status = 'approved' and f.kind = 'image'`,
      [slug],
    ),
  );
  if (!file) throw new DomainError("vtuber_not_found");
  return storage.signedUrl(file.storage_path, {
    expiresInSeconds: AVATAR_URL_TTL_SECONDS,
    contentType: file.mime_type,
  });
}
