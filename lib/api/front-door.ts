import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { appendSocketPeer } from "../ratelimit/client-ip";
import { securityHeaders, createNonce } from "../edge/security-headers";
import { errorBody, requestLang } from "./errors";

/**
 * What `npm start`'s server does with every request before Next sees it (scripts/serve.ts):
 *
 * - Appends the connection's own address to `X-Forwarded-For`. Next only fills the
 *   header in when the client sent none, so without this a client's invented address
 *   would be the last entry and the rate limits and login lock would count per
 *   invention (lib/ratelimit/client-ip.ts reads it from the right).
 * - Refuses TRACE, TRACK and CONNECT with our JSON error: the platform's Request cannot
 *   even represent them, so Next answers them with a bare 500 before our gate runs.
 */
const UNREPRESENTABLE_METHODS = new Set(["TRACE", "TRACK", "CONNECT"]);

export function frontDoor(next: (request: IncomingMessage, response: ServerResponse) => unknown): RequestListener {
  return (request, response) => {
    if (UNREPRESENTABLE_METHODS.has((request.method ?? "").toUpperCase())) {
      refuseMethod(request, response);
      return;
    }
    request.headers["x-forwarded-for"] = appendSocketPeer(
      request.headers["x-forwarded-for"],
      request.socket.remoteAddress,
    );
    void next(request, response);
  };
}

function refuseMethod(request: IncomingMessage, response: ServerResponse): void {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  // Nothing is rendered, so nothing at all may load.
  const security = { ...securityHeaders({ nonce: createNonce(), development: false }) };
  security["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
  const details = [{ reason: "unknown_method", allow: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] }];
  response.writeHead(405, {
    ...security,
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    allow: details[0]!.allow.join(", "),
  });
  response.end(JSON.stringify(errorBody("method_not_allowed", requestLang(headers), details)));
  request.resume();
}
