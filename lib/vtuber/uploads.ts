import "server-only";
import { randomUUID } from "node:crypto";
import { asUser, type Claims } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import type { ContentKind } from "../gacha/types";
import { UUID_PATTERN } from "../ids";
import type { ObjectStorage, UploadReceiver } from "../storage";
import { inspectMedia } from "./inspect-media";
import { toLibraryFile, type LibraryFile } from "./library";
import { MEDIA_RULES } from "./media-rules";
import { ownVtuberIdIn } from "./own-vtuber";

export interface UploadDeps {
  db: Database;
  /** `receive` only where the server takes uploads itself (the local storage). */
  storage: ObjectStorage & Partial<UploadReceiver>;
  now: Date;
  /** What one VTuber's library may hold, all files together. */
  quotaBytes: number;
  /** How long the signed upload URL stays usable. */
  ttlSeconds: number;
}

export interface StartedUpload {
  id: string;
  /** PUT the file's bytes here, once. */
  uploadUrl: string;
  expiresAt: string;
}

interface UploadRow {
  id: string;
  vtuber_id: string;
  kind: ContentKind;
  title: string;
  storage_path: string;
  expires_at: Date;
  received_at: Date | null;
}

/**
 * Step 1 of an upload: records the intent (kind, title, size the browser announces) and
 * hands out a one-time signed URL for one fresh storage key. The size and quota are
 * checked now, to refuse early, and again on the bytes at verification.
 */
export async function startUpload(
  deps: UploadDeps,
  claims: Claims,
  input: { kind: ContentKind; title: string; sizeBytes: number },
): Promise<StartedUpload> {
  const rule = MEDIA_RULES[input.kind];
  if (input.sizeBytes > rule.maxBytes) {
    throw new DomainError("file_too_large", [{ reason: "max_bytes", limit: rule.maxBytes, size: input.sizeBytes }]);
  }
  const id = randomUUID();
  const expiresAt = new Date(deps.now.getTime() + deps.ttlSeconds * 1000);
  const storagePath = await asUser(deps.db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    await assertWithinQuotaIn(tx, vtuberId, input.sizeBytes, deps.quotaBytes);
    // A key of our making: nothing of the file's name reaches storage.
    const key = `vtubers/${vtuberId}/${id}`;
    await tx.query(
      `insert into public.content_uploads (id, vtuber_id, kind, title, storage_path, declared_bytes, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [id, vtuberId, input.kind, input.title, key, input.sizeBytes, expiresAt],
    );
    return key;
  });
  const uploadUrl = await deps.storage.signedUploadUrl(storagePath, {
    uploadId: id,
    expiresInSeconds: deps.ttlSeconds,
  });
  return { id, uploadUrl, expiresAt: expiresAt.toISOString() };
}

/**
 * The local storage's upload target (embedded and services modes), playing the part of
 * Supabase's signed upload endpoint: the token must be ours, for this upload's key, not
 * expired, and unused. The row is claimed before the bytes are written, so two PUTs
 * with one URL cannot both land; a failed write releases the claim for a retry. The
 * bytes are streamed to storage with the kind's limit enforced as they arrive.
 * @throws DomainError `upload_not_found` (also where storage takes no uploads itself),
 *   `signed_url_invalid` (a token for another path), `upload_expired`,
 *   `upload_already_received`, `file_too_large`, `validation_failed` (a body cut short).
 */
export async function receiveUpload(
  deps: Pick<UploadDeps, "db" | "storage" | "now">,
  claims: Claims,
  input: {
    uploadId: string;
    grantKey: string;
    body: ReadableStream<Uint8Array> | null;
    /** The request's Content-Length, when it sent one. */
    declaredBytes: number | null;
  },
): Promise<void> {
  const receive = deps.storage.receive?.bind(deps.storage);
  if (!receive) throw new DomainError("upload_not_found");
  const upload = await claimIn(deps, claims, input.uploadId, input.grantKey);
  const maxBytes = MEDIA_RULES[upload.kind].maxBytes;
  const tooLarge = () => new DomainError("file_too_large", [{ reason: "max_bytes", limit: maxBytes }]);
  try {
    if (input.declaredBytes !== null && input.declaredBytes > maxBytes) throw tooLarge();
    const size = await receive(upload.storage_path, input.body, maxBytes, tooLarge);
    // A body cut short on its way (a proxy's limit, a dropped line) must not count as the file.
    if (input.declaredBytes !== null && input.declaredBytes !== size) {
      await deps.storage.remove(upload.storage_path);
      throw new DomainError("validation_failed", [{ field: "body", reason: "incomplete", received: size }]);
    }
  } catch (err) {
    await asUser(deps.db, claims, (tx) =>
      tx.query("update public.content_uploads set received_at = null where id = $1", [upload.id]),
    );
    throw err;
  }
}

async function claimIn(
  deps: Pick<UploadDeps, "db" | "now">,
  claims: Claims,
  uploadId: string,
  grantKey: string,
): Promise<UploadRow> {
  return asUser(deps.db, claims, async (tx) => {
    const upload = await ownUploadIn(tx, claims.sub, uploadId, true);
    if (upload.storage_path !== grantKey) throw new DomainError("signed_url_invalid", [{ reason: "other_path" }]);
    if (upload.expires_at <= deps.now) throw new DomainError("upload_expired");
    if (upload.received_at !== null) throw new DomainError("upload_already_received");
    await tx.query("update public.content_uploads set received_at = $2 where id = $1", [upload.id, deps.now]);
    return upload;
  });
}

/**
 * Step 3: reads the bytes back from storage and decides whether they count. A refusal
 * removes the object and the upload row, so nothing of a refused file stays anywhere;
 * a file that passes replaces its upload row with a `content_files` row in one
 * transaction, under a lock on the VTuber's row so two verifications cannot both fit
 * into the last of the quota.
 */
export async function verifyUpload(deps: UploadDeps, claims: Claims, uploadId: string): Promise<LibraryFile> {
  const upload = await asUser(deps.db, claims, (tx) => ownUploadIn(tx, claims.sub, uploadId, false));
  const bytes = await deps.storage.get(upload.storage_path);
  // Through Supabase the browser's PUT never passes us, so the bytes being there is
  // what "received" means.
  if (bytes === null) {
    if (upload.expires_at <= deps.now) {
      await discard(deps, claims, upload);
      throw new DomainError("upload_expired");
    }
    throw new DomainError("upload_not_received");
  }
  try {
    const media = await inspectMedia(upload.kind, bytes);
    if (media.bytes !== bytes) await deps.storage.put(upload.storage_path, media.bytes, media.mimeType);
    return await asUser(deps.db, claims, async (tx) => {
      await tx.query("select id from public.vtubers where id = $1 for update", [upload.vtuber_id]);
      await assertWithinQuotaIn(tx, upload.vtuber_id, media.bytes.length, deps.quotaBytes);
      const [file] = await tx.query<Parameters<typeof toLibraryFile>[0]>(
        `insert into public.content_files
           (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256, duration_ms, width, height)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         returning id, kind, title, mime_type, size_bytes, duration_ms, width, height, created_at`,
        [
          upload.vtuber_id,
          upload.kind,
          upload.title,
          upload.storage_path,
          media.mimeType,
          media.bytes.length,
          media.sha256,
          media.durationMs,
          media.width,
          media.height,
        ],
      );
      // Gone means the stale-uploads job took it (and its object) meanwhile: nothing counts.
      const [kept] = await tx.query("delete from public.content_uploads where id = $1 returning id", [upload.id]);
      if (!kept) throw new DomainError("upload_not_found");
      return toLibraryFile(file!);
    });
  } catch (err) {
    if (err instanceof DomainError) await discard(deps, claims, upload);
    throw err;
  }
}

async function discard(deps: Pick<UploadDeps, "db" | "storage">, claims: Claims, upload: UploadRow): Promise<void> {
  await deps.storage.remove(upload.storage_path);
  await asUser(deps.db, claims, (tx) => tx.query("delete from public.content_uploads where id = $1", [upload.id]));
}

async function ownUploadIn(tx: Queryable, userId: string, uploadId: string, lock: boolean): Promise<UploadRow> {
  if (!UUID_PATTERN.test(uploadId)) throw new DomainError("upload_not_found");
  const vtuberId = await ownVtuberIdIn(tx, userId);
  // RLS already hides other VTubers' uploads; the explicit owner keeps an admin (who
  // may read every row) to their own library here too.
  const [row] = await tx.query<UploadRow>(
    `select id, vtuber_id, kind, title, storage_path, expires_at, received_at
       from public.content_uploads where id = $1 and vtuber_id = $2${lock ? " for update" : ""}`,
    [uploadId, vtuberId],
  );
  if (!row) throw new DomainError("upload_not_found");
  return row;
}

async function assertWithinQuotaIn(tx: Queryable, vtuberId: string, addBytes: number, quotaBytes: number) {
  const [row] = await tx.query<{ used: string }>(
    "select coalesce(sum(size_bytes), 0)::text as used from public.content_files where vtuber_id = $1",
    [vtuberId],
  );
  const used = Number(row?.used ?? 0);
  if (used + addBytes > quotaBytes) {
    throw new DomainError("storage_quota_exceeded", [
      { reason: "quota", quotaBytes, usedBytes: used, remainingBytes: Math.max(0, quotaBytes - used) },
    ]);
  }
}
