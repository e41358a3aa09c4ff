import "server-only";
import { createHash } from "node:crypto";
import { fileTypeFromBuffer } from "file-type";
import { parseBuffer } from "music-metadata";
import sharp from "sharp";
import { DomainError } from "../domain-error";
import type { ContentKind } from "../gacha/types";
import { MEDIA_RULES } from "./media-rules";
import { mp4DurationMs } from "./mp4-duration";

/** A file as it will be stored: its bytes (an image's re-encoded without metadata) and what we read from them. */
export interface InspectedMedia {
  bytes: Buffer;
  mimeType: string;
  sha256: string;
  durationMs: number | null;
  width: number | null;
  height: number | null;
}

/**
 * Checks an uploaded file against the rules of its kind and prepares it for storage.
 * - The type comes from the bytes (file-type's signatures). Text formats (SVG, HTML)
 *   have no signature and are refused with everything else unknown.
 * - Audio and video must yield a duration from their container (the MP4 movie header,
 *   else music-metadata: MP3, M4A, Ogg, WAV, Matroska/WebM); a file that does not is refused.
 * - Images are decoded and re-encoded by sharp, which writes no metadata unless asked:
 *   EXIF (GPS position, camera, time), XMP and comments are gone from what we store.
 *   The EXIF orientation is applied to the pixels first, so the picture stays upright.
 * @throws DomainError `file_too_large`, `file_type_not_allowed`, `media_unreadable`.
 */
export async function inspectMedia(kind: ContentKind, bytes: Buffer): Promise<InspectedMedia> {
  const rule = MEDIA_RULES[kind];
  if (bytes.length > rule.maxBytes) {
    throw new DomainError("file_too_large", [{ reason: "max_bytes", limit: rule.maxBytes, size: bytes.length }]);
  }
  const sniffed = await fileTypeFromBuffer(bytes);
  const mimeType = sniffed ? rule.types[sniffed.mime] : undefined;
  if (!mimeType) {
    throw new DomainError("file_type_not_allowed", [
      { reason: "type", kind, detected: sniffed?.mime ?? "unknown", allowed: [...new Set(Object.values(rule.types))] },
    ]);
  }
  if (kind === "image") return stripImage(bytes, mimeType);
  return {
    bytes,
    mimeType,
    sha256: sha256(bytes),
    durationMs: await durationOf(bytes, mimeType),
    width: null,
    height: null,
  };
}

async function stripImage(bytes: Buffer, mimeType: string): Promise<InspectedMedia> {
  try {
    const image = sharp(bytes, { failOn: "error" }).rotate();
    const encoded =
      mimeType === "image/png"
        ? image.png()
        : mimeType === "image/webp"
          ? image.webp({ quality: 90 })
          : image.jpeg({ quality: 90, mozjpeg: true });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    return { bytes: data, mimeType, sha256: sha256(data), durationMs: null, width: info.width, height: info.height };
  } catch {
    throw new DomainError("media_unreadable", [{ reason: "image_decode" }]);
  }
}

async function durationOf(bytes: Buffer, mimeType: string): Promise<number> {
  const fromMovieHeader = mimeType.endsWith("/mp4") ? mp4DurationMs(bytes) : null;
  if (fromMovieHeader !== null && fromMovieHeader > 0) return fromMovieHeader;
  let seconds: number | undefined;
  try {
    const metadata = await parseBuffer(bytes, { mimeType, size: bytes.length }, { duration: true, skipCovers: true });
    seconds = metadata.format.duration;
  } catch {
    throw new DomainError("media_unreadable", [{ reason: "container" }]);
  }
  const ms = seconds === undefined || !Number.isFinite(seconds) ? 0 : Math.round(seconds * 1000);
  if (ms <= 0) throw new DomainError("media_unreadable", [{ reason: "duration" }]);
  return ms;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
