import type { ContentKind } from "../gacha/types";

/**
 * What the content library accepts, per kind. The type is decided by the file's bytes
 * (`inspect-media.ts`), never by its name or what the browser claims; `types` lists the
 * sniffed types allowed, each mapped to the type the file is stored and served as.
 * Browser-safe: the upload form reads the same limits to refuse early.
 */
export interface MediaRule {
  maxBytes: number;
  types: Readonly<Record<string, string>>;
  /** For the file picker only: a hint, not a check. */
  accept: string;
}

const MIB = 1024 * 1024;

export const MEDIA_RULES: Readonly<Record<ContentKind, MediaRule>> = {
  voice: {
    maxBytes: 50 * MIB,
    types: {
      "audio/mpeg": "audio/mpeg",
      "audio/x-m4a": "audio/mp4",
      "audio/mp4": "audio/mp4",
      "audio/aac": "audio/aac",
      "audio/ogg": "audio/ogg",
      "audio/ogg; codecs=opus": "audio/ogg",
      "audio/wav": "audio/wav",
    },
    accept: ".mp3,.m4a,.aac,.ogg,.opus,.wav,audio/*",
  },
  image: {
    maxBytes: 20 * MIB,
    types: { "image/png": "image/png", "image/jpeg": "image/jpeg", "image/webp": "image/webp" },
    accept: ".png,.jpg,.jpeg,.webp",
  },
  video: {
    // The database's own ceiling for one file (content_files_size_range).
    maxBytes: 500 * MIB,
    types: { "video/mp4": "video/mp4", "video/webm": "video/webm" },
    accept: ".mp4,.webm",
  },
};

export const CONTENT_KINDS: readonly ContentKind[] = ["voice", "image", "video"];
