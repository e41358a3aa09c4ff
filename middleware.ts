/**
 * The first gate every request passes, on the Edge runtime. For now it only tags the
 * request with an id; token checks, rate limits and security headers join it here.
 *
 * Next 16 calls this convention deprecated in favour of `proxy.ts`, but `proxy.ts`
 * runs only on Node.js, and the Edge runtime is what DESIGN.md chose for this gate.
 */
import { NextResponse, type NextRequest } from "next/server";

const REQUEST_ID_HEADER = "x-request-id";

// What an upstream proxy or client may hand us: short and free of anything that could
// split a log line or a header.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export default function middleware(request: NextRequest): NextResponse {
  const requestId = requestIdOf(request);

  // The route handlers and pages read it from their request headers; clients and logs
  // from the response.
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_ID_HEADER, requestId);
  const response = NextResponse.next({ request: { headers: forwarded } });
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

/** Keeps a well-formed incoming id so a trace spans the hops before us; otherwise mints one. */
function requestIdOf(request: NextRequest): string {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  return incoming !== null && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
