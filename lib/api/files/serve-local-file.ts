import "server-only";
import fs from "node:fs/promises";
import { Readable } from "node:stream";
import { DomainError } from "../../domain-error";
import { verifyFileToken } from "../../storage/file-token";
import { localFilePath } from "../../storage/local";
import { parseRange } from "./byte-range";
import { contentDisposition } from "./content-disposition";

export interface ServeLocalFileDeps {
  /** The storage folder. */
  root: string;
  signingKey: Buffer;
  now: Date;
}

/**
 * Answers a local signed URL: checks the token before touching the disk, then streams
 * the one file it grants (or the single byte range asked for, so players can seek).
 * @throws DomainError `signed_url_invalid`, `signed_url_expired`, or `not_found` when the
 *   signed key has no file.
 */
export async function serveLocalFile(request: Request, token: string, deps: ServeLocalFileDeps): Promise<Response> {
  const grant = verifyFileToken(deps.signingKey, token, deps.now);
  const handle = await fs.open(localFilePath(deps.root, grant.key), "r").catch((err: NodeJS.ErrnoException) => {
    throw err.code === "ENOENT" ? new DomainError("not_found") : err;
  });
  try {
    const { size } = await handle.stat();
    // Without validators of our own, a conditional range cannot be honoured: send it all.
    const range = request.headers.has("if-range") ? null : parseRange(request.headers.get("range"), size);
    const headers = new Headers({
      "content-type": grant.contentType,
      "content-disposition": contentDisposition(grant.downloadName),
      // A signed URL is one person's short-lived capability: no shared cache may keep it.
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
      // An uploaded SVG or HTML-ish file opened directly must not run script on our origin.
      "content-security-policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
      "cross-origin-resource-policy": "same-origin",
      "accept-ranges": "bytes",
    });

    if (range === "unsatisfiable") {
      await handle.close();
      headers.set("content-range", `bytes */${size}`);
      return new Response(null, { status: 416, headers });
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const length = Math.max(0, end - start + 1);
    headers.set("content-length", String(length));
    if (range) headers.set("content-range", `bytes ${start}-${end}/${size}`);
    const status = range ? 206 : 200;

    if (request.method === "HEAD" || length === 0) {
      await handle.close();
      return new Response(null, { status, headers });
    }
    // The stream owns the handle from here and closes it when done or cancelled.
    const body = Readable.toWeb(handle.createReadStream({ start, end, autoClose: true }));
    return new Response(body as ReadableStream<Uint8Array>, { status, headers });
  } catch (err) {
    await handle.close().catch(() => {});
    throw err;
  }
}
