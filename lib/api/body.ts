import type Joi from "joi";
import type { ErrorDetail } from "../domain-error";
import { RequestError } from "./errors";

/** @default 16 KiB: no JSON body of this API is larger; uploads have their own routes. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** Reads a JSON body without ever holding more than `maxBytes` of it (`readRawBody`). */
export async function readJsonBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new RequestError("unsupported_media_type");
  const bytes = await readRawBody(request, maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new RequestError("invalid_json", [{ reason: "invalid_utf8" }]);
  }
  try {
    return JSON.parse(text, refuseNul) as unknown;
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw new RequestError("invalid_json");
  }
}

/**
 * NUL is valid JSON (`"\u0000"`) but no text column or jsonb value can hold it, and no
 * field of ours has a use for it: refused here rather than failing in the database.
 */
function refuseNul(key: string, value: unknown): unknown {
  if ((typeof value === "string" && value.includes("\u0000")) || key.includes("\u0000")) {
    throw new RequestError("invalid_json", [{ reason: "nul_character" }]);
  }
  return value;
}

/**
 * The body's bytes, refused with 413 `body_too_large` as soon as the declared length or
 * the bytes read pass `maxBytes`, so a lying or missing Content-Length cannot make the
 * server buffer a huge upload.
 */
export async function readRawBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new RequestError("body_too_large", [{ reason: "max_bytes", limit: maxBytes }]);

  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new RequestError("body_too_large", [{ reason: "max_bytes", limit: maxBytes }]);
      }
      chunks.push(value);
    }
  }
  return concat(chunks, size);
}

/**
 * For routes a browser calls with no body at all (refresh, logout: the cookie is the
 * input) that API clients may call with a JSON body. No body → null; a body must be
 * JSON and pass `schema` as strictly as any other.
 */
export async function readOptionalJsonBody<T>(request: Request, schema: Joi.Schema<T>): Promise<T | null> {
  if (request.headers.get("content-type") === null) {
    if (request.body === null || request.headers.get("content-length") === "0") return null;
    throw new RequestError("unsupported_media_type");
  }
  return validate(schema, await readJsonBody(request));
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Validates strictly: no type coercion and no unknown fields, so a client bug shows up
 * as a 400 naming the field instead of being silently "fixed".
 */
export function validate<T>(schema: Joi.Schema<T>, input: unknown): T {
  const { value, error } = schema.validate(input, { abortEarly: false, convert: false, allowUnknown: false });
  if (error) {
    const details: ErrorDetail[] = error.details.map((d) => ({
      field: d.path.join("."),
      reason: d.type,
      message: d.message,
    }));
    throw new RequestError("validation_failed", details);
  }
  return value;
}
