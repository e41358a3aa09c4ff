import "server-only";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import type { ObjectStorage } from "../storage";

/**
 * How long after its signed URL expired an upload that was never verified is kept. The
 * grace lets a verification that began just before the expiry finish (it may still read
 * the bytes); after it, nothing can make the upload count any more.
 */
export const STALE_UPLOAD_GRACE_MS = 60 * 60 * 1000;
/** Uploads removed per run; the next run takes the rest. */
const BATCH = 200;

/**
 * Removes uploads that were started and never verified once their signed URL is long
 * expired: the object (whether the browser's PUT landed or not) and then the row, so a
 * failure to delete the object leaves the row for the next run to retry. Rows are taken
 * with SKIP LOCKED, so several instances running the job at once share the work and
 * never remove one object twice; a verification still holding its row waits its turn.
 */
export async function removeStaleUploads(
  db: Database,
  storage: Pick<ObjectStorage, "remove">,
  now: Date,
): Promise<{ removed: number }> {
  const cutoff = new Date(now.getTime() - STALE_UPLOAD_GRACE_MS);
  return asService(db, "stale-uploads", async (tx) => {
    const stale = await tx.query<{ id: string; storage_path: string }>(
      `select id, storage_path from public.content_uploads
        where expires_at < $1 order by expires_at limit ${BATCH} for update skip locked`,
      [cutoff],
    );
    for (const upload of stale) await storage.remove(upload.storage_path);
    if (stale.length > 0) {
      await tx.query("delete from public.content_uploads where id = any($1::uuid[])", [stale.map((u) => u.id)]);
    }
    return { removed: stale.length };
  });
}
