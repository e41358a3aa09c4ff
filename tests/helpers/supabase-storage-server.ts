/**
 * A local stand-in for Supabase Storage, speaking the endpoints the real
 * `@supabase/supabase-js` client calls (see node_modules/@supabase/storage-js,
 * StorageFileApi.ts), with the real server's answer shapes:
 *
 *   POST|PUT /storage/v1/object/{bucket}/{path}           upload → {Id, Key}
 *   GET      /storage/v1/object/[authenticated/]{bucket}/{path}  download
 *   DELETE   /storage/v1/object/{bucket}                  {prefixes} → the objects removed
 *   POST     /storage/v1/object/sign/{bucket}/{path}      {expiresIn} → {signedURL}
 *   GET      /storage/v1/object/sign/{bucket}/{path}?token=…[&download=name]
 *
 * Errors come as HTTP 400 with `{statusCode:"404", error, message}`, as Storage sends
 * them. Signed-URL tokens are HS256 JWTs whose `url` claim names the object, like the
 * real ones, checked against the server's clock (`now`, injectable).
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify, SignJWT } from "jose";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeSupabaseStorage {
  /** What SUPABASE_URL would be. */
  url: string;
  serviceRoleKey: string;
  bucket: string;
  /** Objects by `bucket/path`. */
  objects: Map<string, { body: Buffer; contentType: string }>;
  requests: RecordedRequest[];
  /** The server's clock for signed-URL expiry. */
  now: Date;
  close(): Promise<void>;
}

const PREFIX = "/storage/v1/object/";

export async function startFakeSupabaseStorage(
  options: { bucket?: string; serviceRoleKey?: string; now?: Date } = {},
): Promise<FakeSupabaseStorage> {
  const jwtSecret = randomBytes(32);
  const state = {
    url: "",
    serviceRoleKey: options.serviceRoleKey ?? `service-role-${randomUUID()}`,
    bucket: options.bucket ?? "content",
    objects: new Map<string, { body: Buffer; contentType: string }>(),
    requests: [] as RecordedRequest[],
    now: options.now ?? new Date(),
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (Buffer.isBuffer(body)) {
      res.writeHead(status, { "content-length": String(body.length), ...headers });
      res.end(body);
      return;
    }
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const storageError = (res: http.ServerResponse, statusCode: string, error: string, message: string) =>
    send(res, 400, { statusCode, error, message });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const url = new URL(req.url ?? "/", "http://fake");
    state.requests.push({ method: req.method ?? "", path: url.pathname + url.search, headers: req.headers, body });
    if (!url.pathname.startsWith(PREFIX)) return send(res, 404, { message: "no route" });
    const rest = url.pathname.slice(PREFIX.length).split("/").map(decodeURIComponent);

    if (rest[0] === "sign" && req.method === "GET") {
      const objectKey = rest.slice(1).join("/");
      try {
        const { payload } = await jwtVerify(url.searchParams.get("token") ?? "", jwtSecret, {
          currentDate: state.now,
        });
        if (payload.url !== objectKey) throw new Error("token is for another object");
      } catch (err) {
        return storageError(res, "400", "InvalidJWT", (err as Error).message);
      }
      const object = state.objects.get(objectKey);
      if (!object) return storageError(res, "404", "not_found", "Object not found");
      const download = url.searchParams.get("download");
      return send(res, 200, object.body, {
        "content-type": object.contentType,
        ...(download !== null
          ? { "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(download)}` }
          : {}),
      });
    }

    const authorised =
      req.headers.authorization === `Bearer ${state.serviceRoleKey}` && req.headers.apikey === state.serviceRoleKey;
    if (!authorised) return storageError(res, "403", "Unauthorized", "invalid signature");

    const signing = rest[0] === "sign";
    // `info/{bucket}/{key}` (also `info/authenticated/…`): the object's metadata, never its bytes.
    const describing = rest[0] === "info" && req.method === "GET";
    const afterInfo = describing ? rest.slice(rest[1] === "authenticated" ? 2 : 1) : rest;
    const segments = describing ? afterInfo : signing || rest[0] === "authenticated" ? rest.slice(1) : rest;
    const [bucket, ...pathParts] = segments;
    if (bucket !== state.bucket) return storageError(res, "404", "Bucket not found", "Bucket not found");
    const objectKey = `${bucket}/${pathParts.join("/")}`;

    if (describing) {
      const object = state.objects.get(objectKey);
      if (!object) return storageError(res, "404", "not_found", "Object not found");
      return send(res, 200, {
        id: randomUUID(),
        name: pathParts.join("/"),
        bucket_id: bucket,
        size: object.body.length,
        content_type: object.contentType,
        last_modified: state.now.toISOString(),
        created_at: state.now.toISOString(),
      });
    }
    if (signing && req.method === "POST") {
      const { expiresIn } = JSON.parse(body.toString("utf8")) as { expiresIn: number };
      if (!state.objects.has(objectKey)) return storageError(res, "404", "not_found", "Object not found");
      const iat = Math.floor(state.now.getTime() / 1000);
      const token = await new SignJWT({ url: objectKey })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuedAt(iat)
        .setExpirationTime(iat + expiresIn)
        .sign(jwtSecret);
      return send(res, 200, { signedURL: `/object/sign/${objectKey}?token=${token}` });
    }
    if (req.method === "POST" || req.method === "PUT") {
      if (req.method === "POST" && req.headers["x-upsert"] !== "true" && state.objects.has(objectKey)) {
        return storageError(res, "409", "Duplicate", "The resource already exists");
      }
      state.objects.set(objectKey, { body, contentType: req.headers["content-type"] ?? "application/octet-stream" });
      return send(res, 200, { Id: randomUUID(), Key: objectKey });
    }
    if (req.method === "DELETE" && pathParts.length === 0) {
      // Bulk removal: `{prefixes: [path, …]}` → the objects removed (none is no error).
      const { prefixes } = JSON.parse(body.toString("utf8")) as { prefixes: string[] };
      const removed = prefixes.filter((p) => state.objects.delete(`${bucket}/${p}`));
      return send(
        res,
        200,
        removed.map((name) => ({ name, bucket_id: bucket })),
      );
    }
    if (req.method === "GET") {
      const object = state.objects.get(objectKey);
      if (!object) return storageError(res, "404", "not_found", "Object not found");
      return send(res, 200, object.body, { "content-type": object.contentType });
    }
    return send(res, 405, { message: "method not allowed" });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => send(res, 500, { message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(state, {
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; close would otherwise wait for them to time out.
        server.closeAllConnections();
      }),
  });
}
