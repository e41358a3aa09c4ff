import "server-only";
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { signFileToken, signUploadToken } from "./file-token";
import { assertStorageKey, type ObjectStorage, type UploadReceiver } from "./types";

/** The route that serves local signed URLs: app/api/files/[token]. */
export const LOCAL_FILES_PATH = "/api/files";
/** The route that takes local signed uploads: app/api/vtuber/uploads/[id] (PUT). */
export const LOCAL_UPLOADS_PATH = "/api/vtuber/uploads";

export interface LocalUrlSigning {
  key: () => Promise<Buffer>;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Files in a local folder (embedded and services modes). The folder is never served
 * directly: it lies outside `public/`, and the only way in is a URL signed with
 * `signing.key`, answered by the files route. Without `signing` the handle can store
 * and read but not sign (the demo seed needs no more).
 */
export function localStorage(root: string, signing?: LocalUrlSigning): ObjectStorage & UploadReceiver {
  return {
    async put(key, body) {
      const file = localFilePath(root, key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Write then rename: a reader never sees half a file.
      const temp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(temp, body);
      await fs.rename(temp, file);
    },
    async receive(key, body, maxBytes, tooLarge) {
      const file = localFilePath(root, key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Bytes go to a temp file as they arrive and count against the limit on the way,
      // so a file over it is refused at the first chunk past the limit, whatever the
      // request announced, and memory holds one chunk at a time.
      const temp = `${file}.${randomUUID()}.tmp`;
      let size = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(size > maxBytes ? tooLarge() : null, chunk);
        },
      });
      const source = body ? Readable.fromWeb(body as NodeReadableStream<Uint8Array>) : Readable.from([]);
      try {
        await pipeline(source, limit, createWriteStream(temp, { flags: "wx" }));
        await fs.rename(temp, file);
        return size;
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      }
    },
    async get(key) {
      try {
        return await fs.readFile(localFilePath(root, key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async size(key) {
      try {
        const stat = await fs.stat(localFilePath(root, key));
        return stat.isFile() ? stat.size : null;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async signedUrl(key, options) {
      if (!signing) throw new Error("This local storage handle was opened without a URL signing key.");
      const now = signing.now?.() ?? new Date();
      const token = signFileToken(await signing.key(), {
        key,
        expiresAt: Math.floor(now.getTime() / 1000) + options.expiresInSeconds,
        contentType: options.contentType ?? "application/octet-stream",
        downloadName: options.downloadName ?? null,
      });
      // Origin-relative: the app serves it itself, on whatever host the browser used.
      return `${LOCAL_FILES_PATH}/${token}`;
    },
    async signedUploadUrl(key, options) {
      if (!signing) throw new Error("This local storage handle was opened without a URL signing key.");
      const now = signing.now?.() ?? new Date();
      const token = signUploadToken(await signing.key(), {
        key,
        expiresAt: Math.floor(now.getTime() / 1000) + options.expiresInSeconds,
      });
      return `${LOCAL_UPLOADS_PATH}/${encodeURIComponent(options.uploadId)}?token=${token}`;
    },
    async remove(key) {
      await fs.rm(localFilePath(root, key), { force: true });
    },
  };
}

/** Where a key's bytes lie under `root`; the key check keeps every path inside it. */
export function localFilePath(root: string, key: string): string {
  assertStorageKey(key);
  return path.join(root, key);
}
