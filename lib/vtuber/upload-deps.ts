import "server-only";
import { getConfig } from "../config";
import { getDb } from "../db";
import { getStorage } from "../storage";
import type { UploadDeps } from "./uploads";

/** Signed upload URLs live long enough for a large video on a slow line. */
const UPLOAD_URL_TTL_SECONDS = 2 * 60 * 60;

/** The process's database, storage, clock and quota, for the upload routes. */
export async function uploadDeps(): Promise<UploadDeps> {
  return {
    db: await getDb(),
    storage: getStorage(),
    now: new Date(),
    quotaBytes: getConfig().storage.vtuberQuotaBytes,
    ttlSeconds: UPLOAD_URL_TTL_SECONDS,
  };
}
