import { asUser, type Claims } from "../db/session";
import type { Database } from "../db/types";
import type { ContentKind } from "../gacha/types";
import { ownVtuberIdIn } from "./own-vtuber";

export interface LibraryFile {
  id: string;
  kind: ContentKind;
  title: string;
  mimeType: string;
  sizeBytes: number;
  durationMs: number | null;
  width: number | null;
  height: number | null;
  createdAt: string;
}

export function toLibraryFile(row: {
  id: string;
  kind: ContentKind;
  title: string;
  mime_type: string;
  size_bytes: string | number;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  created_at: Date;
}): LibraryFile {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    mimeType: row.mime_type,
    sizeBytes: Number(row.size_bytes),
    durationMs: row.duration_ms,
    width: row.width,
    height: row.height,
    createdAt: row.created_at.toISOString(),
  };
}

/** The caller's verified files, newest first, with how much of the quota they use. */
export async function listLibrary(
  db: Database,
  claims: Claims,
  quotaBytes: number,
): Promise<{ files: LibraryFile[]; usedBytes: number; quotaBytes: number }> {
  return asUser(db, claims, async (tx) => {
    const vtuberId = await ownVtuberIdIn(tx, claims.sub);
    const rows = await tx.query<Parameters<typeof toLibraryFile>[0]>(
      `select id, kind, title, mime_type, size_bytes, duration_ms, width, height, created_at
         from public.content_files where vtuber_id = $1 order by created_at desc, id`,
      [vtuberId],
    );
    const files = rows.map(toLibraryFile);
    return { files, usedBytes: files.reduce((sum, f) => sum + f.sizeBytes, 0), quotaBytes };
  });
}
