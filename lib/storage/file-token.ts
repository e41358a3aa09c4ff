import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { DomainError } from "../domain-error";
import { assertStorageKey } from "./types";

/**
 * What a local signed file URL grants: one object, until one instant, served one way.
 * Every field is inside the signed payload, so changing any of them (another key, a
 * later expiry, attachment instead of inline, another content type) breaks the signature.
 */
export interface FileGrant {
  key: string;
  /** Unix seconds; the URL is refused from this instant on. */
  expiresAt: number;
  contentType: string;
  /** Null: inline (playback); otherwise the attachment's file name. */
  downloadName: string | null;
}

interface Payload {
  v: 1;
  k: string;
  e: number;
  t: string;
  d: string | null;
}

// Domain separation: a MAC made for file URLs means nothing anywhere else this key is
// used, upload URLs included (a download URL must never open an upload, or back).
const CONTEXT = "koepon.file-url.v1.";
const UPLOAD_CONTEXT = "koepon.upload-url.v1.";
// Far above any real payload (keys are at most 255 characters), far below a header limit.
const MAX_TOKEN_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** `<base64url payload>.<base64url HMAC-SHA256>`: URL-safe without any escaping. */
export function signFileToken(secret: Buffer, grant: FileGrant): string {
  assertStorageKey(grant.key);
  const payload: Payload = { v: 1, k: grant.key, e: grant.expiresAt, t: grant.contentType, d: grant.downloadName };
  return sealed(secret, CONTEXT, payload);
}

function sealed(secret: Buffer, context: string, payload: object): string {
  const encoded = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${encoded}.${mac(secret, context, encoded).toString("base64url")}`;
}

/** The signed text's payload, once its signature checks out; `signed_url_invalid` otherwise. */
function opened(secret: Buffer, context: string, token: string): unknown {
  const [encoded, signature, ...rest] = token.length <= MAX_TOKEN_LENGTH ? token.split(".") : [];
  if (!encoded || !signature || rest.length > 0 || !BASE64URL.test(encoded) || !BASE64URL.test(signature)) {
    throw new DomainError("signed_url_invalid");
  }
  // Compared as text in its one canonical encoding: decoding first would accept the
  // variants of the last character whose spare bits a decoder ignores.
  const given = Buffer.from(signature, "ascii");
  const expected = Buffer.from(mac(secret, context, encoded).toString("base64url"), "ascii");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DomainError("signed_url_invalid");
  }
  return JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
}

/** What a local signed upload URL grants: writing one object, once, until one instant. */
export interface UploadGrant {
  key: string;
  /** Unix seconds. */
  expiresAt: number;
}

export function signUploadToken(secret: Buffer, grant: UploadGrant): string {
  assertStorageKey(grant.key);
  return sealed(secret, UPLOAD_CONTEXT, { v: 1, k: grant.key, e: grant.expiresAt });
}

/**
 * The grant an upload token carries.
 * @throws DomainError `signed_url_invalid` (not ours, or not an upload token),
 *   `upload_expired` past its instant.
 */
export function verifyUploadToken(secret: Buffer, token: string, now: Date): UploadGrant {
  const payload = opened(secret, UPLOAD_CONTEXT, token) as { v?: unknown; k?: unknown; e?: unknown };
  if (payload.v !== 1 || typeof payload.k !== "string" || !Number.isSafeInteger(payload.e)) {
    throw new DomainError("signed_url_invalid");
  }
  if (now.getTime() >= (payload.e as number) * 1000) throw new DomainError("upload_expired");
  return { key: payload.k, expiresAt: payload.e as number };
}

/**
 * The grant a token carries, once its signature and expiry check out.
 * @throws DomainError `signed_url_invalid` for anything not signed by us (nothing about the
 *   payload is trusted, or even parsed, before the signature matches), `signed_url_expired`
 *   for a genuine URL past its expiry.
 */
export function verifyFileToken(secret: Buffer, token: string, now: Date): FileGrant {
  const payload = parse(opened(secret, CONTEXT, token) as Partial<Payload>);
  if (now.getTime() >= payload.e * 1000) throw new DomainError("signed_url_expired");
  return { key: payload.k, expiresAt: payload.e, contentType: payload.t, downloadName: payload.d };
}

function mac(secret: Buffer, context: string, encoded: string): Buffer {
  return createHmac("sha256", secret).update(context).update(encoded).digest();
}

/** Only ever called on a payload we signed; the checks guard against our own older formats. */
function parse(payload: Partial<Payload>): Payload {
  if (
    payload.v !== 1 ||
    typeof payload.k !== "string" ||
    !Number.isSafeInteger(payload.e) ||
    typeof payload.t !== "string" ||
    (payload.d !== null && typeof payload.d !== "string")
  ) {
    throw new DomainError("signed_url_invalid");
  }
  assertStorageKey(payload.k);
  return payload as Payload;
}
