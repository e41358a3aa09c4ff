import "server-only";
import { getConfig } from "../config";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import { getStorage, type ObjectStorage } from "../storage";
import { downloadName } from "./download-name";

export interface RewardDownloadOptions {
  /** `inline` plays or shows the file in place; `attachment` saves it. */
  disposition: "inline" | "attachment";
  /** @default getStorage() */
  storage?: ObjectStorage;
  /** @default config.storage.signedUrlTtlSeconds (300) */
  expiresInSeconds?: number;
}

/**
 * A short-lived signed URL for the file of a reward the user owns. Someone else's
 * reward answers exactly like a missing one (404 `reward_not_found`), so reward ids
 * cannot be probed. The storage path is read on the service path, because fans may
 * not read content_files, and only ever for a row matched on the caller's own id.
 */
export async function getRewardDownload(
  db: Database,
  user: { id: string },
  rewardId: string,
  options: RewardDownloadOptions,
): Promise<{ url: string; expiresInSeconds: number }> {
  if (!UUID_PATTERN.test(rewardId)) throw new DomainError("reward_not_found");
  const [file] = await asService(db, "reward-download", (tx) =>
    tx.query<{ title: string; storage_path: string; mime_type: string }>(
      `select r.title, f.storage_path, f.mime_type
         from public.rewards r
         join public.content_files f on f.id = r.content_file_id
        where r.id = $1 and r.user_id = $2`,
      [rewardId, user.id],
    ),
  );
  if (!file) throw new DomainError("reward_not_found");

  const expiresInSeconds = options.expiresInSeconds ?? getConfig().storage.signedUrlTtlSeconds;
  const storage = options.storage ?? getStorage();
  const url = await storage.signedUrl(file.storage_path, {
    expiresInSeconds,
    contentType: file.mime_type,
    downloadName: options.disposition === "attachment" ? downloadName(file.title, file.storage_path) : undefined,
  });
  return { url, expiresInSeconds };
}
