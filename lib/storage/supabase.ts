import "server-only";
import { createClient, StorageApiError, type SupabaseClientOptions } from "@supabase/supabase-js";
import { assertStorageKey, type ObjectStorage } from "./types";

export interface SupabaseStorageOptions {
  url: string;
  /** Server-only: it bypasses Storage's RLS, which is what lets a private bucket stay closed to everyone else. */
  serviceRoleKey: string;
  bucket: string;
}

type RealtimeTransport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

/**
 * This client only ever talks to Storage, yet createClient builds a Realtime client too,
 * and on Node 20 (no global WebSocket) that throws unless handed a transport. This one
 * is never constructed; if something did try to open a socket, it would say why not.
 */
class NoRealtime {
  constructor() {
    throw new Error("The storage client does not use Supabase Realtime.");
  }
}

/**
 * Content files in a private Supabase Storage bucket (production). Supabase signs and
 * serves the URLs itself (with Range support), so our server never streams media there.
 */
export function supabaseStorage(options: SupabaseStorageOptions): ObjectStorage {
  const client = createClient(options.url, options.serviceRoleKey, {
    // A server-side client acting with a fixed key: no user session to keep or refresh.
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: NoRealtime as unknown as RealtimeTransport },
  });
  const bucket = () => client.storage.from(options.bucket);

  return {
    async put(key, body, contentType) {
      assertStorageKey(key);
      // Upsert: a retried upload (say, after a failed database write) replaces its own
      // earlier attempt, as a local rename does; keys are never shared between files.
      const { error } = await bucket().upload(key, body, { contentType, upsert: true });
      if (error) throw new Error(`Supabase Storage upload of ${key} failed: ${error.message}`, { cause: error });
    },
    async get(key) {
      assertStorageKey(key);
      const { data, error } = await bucket().download(key);
      if (error) {
        if (isNotFound(error)) return null;
        throw new Error(`Supabase Storage download of ${key} failed: ${error.message}`, { cause: error });
      }
      return Buffer.from(await data.arrayBuffer());
    },
    async size(key) {
      assertStorageKey(key);
      // The object's metadata (`GET /object/info/{bucket}/{key}`), not its bytes.
      const { data, error } = await bucket().info(key);
      if (error) {
        if (isNotFound(error)) return null;
        throw new Error(`Supabase Storage could not describe ${key}: ${error.message}`, { cause: error });
      }
      return typeof data.size === "number" ? data.size : null;
    },
    async signedUrl(key, { expiresInSeconds, downloadName }) {
      assertStorageKey(key);
      const { data, error } = await bucket().createSignedUrl(key, expiresInSeconds);
      if (error) throw new Error(`Supabase Storage could not sign ${key}: ${error.message}`, { cause: error });
      if (downloadName === undefined) return data.signedUrl;
      // Added here rather than through the client's `download` option: the client
      // percent-encodes the query and then encodeURI()s the whole URL again, which turns
      // a Japanese file name into literal %E3%81… text. The token does not cover it.
      const url = new URL(data.signedUrl);
      url.searchParams.set("download", downloadName);
      return url.toString();
    },
    async signedUploadUrl(key) {
      assertStorageKey(key);
      // Storage's signed upload URLs carry their own fixed lifetime (two hours) and refuse
      // a second upload to an existing key, which is the one-time use we need.
      const { data, error } = await bucket().createSignedUploadUrl(key);
      if (error)
        throw new Error(`Supabase Storage could not sign an upload to ${key}: ${error.message}`, { cause: error });
      return data.signedUrl;
    },
    async remove(key) {
      assertStorageKey(key);
      const { error } = await bucket().remove([key]);
      if (error && !isNotFound(error)) {
        throw new Error(`Supabase Storage removal of ${key} failed: ${error.message}`, { cause: error });
      }
    },
  };
}

/**
 * Storage answers a missing object with `{"statusCode":"404","error":"not_found"}`, under
 * HTTP 400 on older servers and 404 on newer ones.
 */
function isNotFound(error: Error): boolean {
  return error instanceof StorageApiError && (error.status === 404 || error.statusCode === "404");
}
