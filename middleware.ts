/**
 * The first gate every request passes, on the Edge runtime: request id, access-token
 * check, role-gated areas, CSRF, rate limits and security headers (lib/edge/gate.ts).
 *
 * Next 16 calls this convention deprecated in favour of `proxy.ts`, but `proxy.ts`
 * runs only on Node.js, and the Edge runtime is what this gate is designed for.
 */
import type { NextFetchEvent, NextRequest } from "next/server";
import { publicKeyResolver } from "./lib/auth/jwks-resolver";
import { getConfig } from "./lib/config";
import { createGate } from "./lib/edge/gate";
import { onOrigin } from "./lib/edge/shareable-page";
import { createRateLimiter } from "./lib/ratelimit";

// Built on the first request, not at import: the build imports this file without settings.
let gate: ReturnType<typeof createGate> | undefined;

export default function middleware(request: NextRequest, event: NextFetchEvent): Promise<Response> {
  if (!gate) {
    const config = getConfig();
    gate = createGate({
      config,
      keys: publicKeyResolver(config.auth),
      limiter: createRateLimiter(config.rateLimit),
      // Public pages for signed-out visitors are rendered by this server once more,
      // bypassing any proxy, and shared under a hash-based CSP (lib/edge/shareable-page.ts).
      renderPage: config.sharedPages ? (url, init) => fetch(onOrigin(url, config.internalUrl), init) : undefined,
    });
  }
  // The limiter's counts reach its store after the answer, not before (lib/ratelimit/signals.ts).
  return gate(request, (work) => event.waitUntil(work));
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
