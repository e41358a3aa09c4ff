/**
 * Language switch: `GET /lang?to=en&next=/path` remembers the choice in the `lang`
 * cookie and sends the visitor back. A plain link rather than a form, so it works
 * without JavaScript; it only changes a display preference, so a cross-site link
 * triggering it does no harm.
 */
import Joi from "joi";
import { NextResponse, type NextRequest } from "next/server";
import { getConfig } from "@/lib/config";
import { LOCALES, LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE_SECONDS, type Locale } from "@/lib/i18n/locales";
import { safeReturnPath } from "@/lib/i18n/return-path";

const query = Joi.object<{ to: Locale; next?: string }>({
  to: Joi.string()
    .valid(...LOCALES)
    .required(),
  next: Joi.string().allow("").max(2048),
});

export function GET(request: NextRequest): Response {
  const { value, error } = query.validate(Object.fromEntries(request.nextUrl.searchParams), {
    stripUnknown: true,
  });
  if (error) {
    return NextResponse.json(
      {
        error: {
          code: "validation_failed",
          message: `Expected /lang?to=<${LOCALES.join("|")}>&next=<path>.`,
          details: error.details.map((d) => ({ path: d.path.join("."), message: d.message })),
        },
      },
      { status: 400, headers: { "Cache-Control": "no-store" } },
    );
  }

  // A relative Location: the browser resolves it against the address it used, so the
  // host behind a proxy never matters and no other origin can be named.
  const response = new NextResponse(null, {
    status: 303,
    headers: { Location: safeReturnPath(value.next), "Cache-Control": "no-store" },
  });
  response.cookies.set(LOCALE_COOKIE, value.to, {
    path: "/",
    maxAge: LOCALE_COOKIE_MAX_AGE_SECONDS,
    sameSite: "lax",
    httpOnly: true,
    // From the public origin, not the request: TLS usually ends at a proxy in front of us.
    secure: getConfig().appUrl.startsWith("https:"),
  });
  return response;
}
