/**
 * The browser's way to call our own API. Same origin, so the session cookies ride along
 * and the browser adds `Sec-Fetch-Site: same-origin`, which the CSRF gate asks for.
 *
 * Access tokens live 15 minutes and their cookie expires with them, so a fan back from a
 * break sends no token at all (`unauthenticated`) rather than an expired one. Either way
 * the refresh cookie may still hold a session: it is tried once, then the request is
 * retried. When the session is gone too, the fan is sent to sign in and brought back here.
 */
import type { ErrorDetail } from "../domain-error";
import { loadPageAfterSessionChange } from "./session-navigation";

/** An error answer of the API; `message` is a sentence in the fan's language, fit to show. */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = "ApiClientError";
  }
}

export interface ApiFetchOptions {
  /** @default "GET" */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON. */
  body?: unknown;
  /** Extra headers, e.g. `Idempotency-Key` for pulls and exchanges. */
  headers?: Record<string, string>;
  /**
   * What to do when no session is left: `"redirect"` sends the fan to `/login` with the
   * current page as `next`; `"throw"` leaves it to the caller (the sign-out button).
   * @default "redirect"
   */
  whenSignedOut?: "redirect" | "throw";
}

/** Answers that a refreshed access token may fix. */
const SESSION_CODES = new Set(["token_expired", "unauthenticated", "token_invalid"]);

/** Client-side failures have no API sentence; these follow the page's language. */
const OFFLINE_MESSAGE = {
  ja: "通信できませんでした。接続を確認して、もう一度お試しください。",
  en: "Could not reach the server. Check your connection and try again.",
};

/**
 * Calls `path` and returns its JSON (undefined for 204), or throws `ApiClientError`.
 * A retried request carries the same headers, so an `Idempotency-Key` keeps a pull
 * from being charged twice.
 */
export async function apiFetch<T>(path: string, options: ApiFetchOptions = {}): Promise<T> {
  try {
    return await send<T>(path, options);
  } catch (err) {
    if (!(err instanceof ApiClientError) || err.status !== 401 || !SESSION_CODES.has(err.code)) throw err;
  }

  try {
    await refreshSession();
  } catch (err) {
    if (err instanceof ApiClientError && err.code === "refresh_token_invalid" && options.whenSignedOut !== "throw") {
      loadPageAfterSessionChange(`/login?${new URLSearchParams({ next: currentPath() })}`);
    }
    throw err;
  }
  return send<T>(path, options);
}

/**
 * Tries to renew the session from the refresh cookie (HttpOnly, so scripts cannot tell
 * whether there is one). True when the fan turns out to be signed in.
 */
export async function resumeSession(): Promise<boolean> {
  try {
    await refreshSession();
    return true;
  } catch {
    return false;
  }
}

let refreshing: Promise<void> | null = null;

/**
 * One refresh for every request that found the token stale at the same moment: the
 * refresh token rotates, and a queue of rotations would trip reuse detection.
 */
export function refreshSession(): Promise<void> {
  refreshing ??= send<unknown>("/api/auth/refresh", { method: "POST" })
    .then(() => undefined)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function send<T>(path: string, { method = "GET", body, headers = {} }: ApiFetchOptions): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    // The API picks its sentences' language from the `lang` cookie, else Accept-Language;
    // a fan who never chose reads a Japanese page, so the page's language is asked for.
    headers: { Accept: "application/json", "Accept-Language": pageLang(), ...headers },
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiClientError(0, "network_error", offlineMessage());
  }

  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (response.ok) return payload as T;

  const error = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (typeof error?.code === "string" && typeof error.message === "string") {
    throw new ApiClientError(
      response.status,
      error.code,
      error.message,
      Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [],
    );
  }
  // Not our API's answer (a proxy's error page, a cut connection): no sentence to show.
  throw new ApiClientError(response.status, "network_error", offlineMessage());
}

function pageLang(): "ja" | "en" {
  return document.documentElement.lang === "en" ? "en" : "ja";
}

function offlineMessage(): string {
  return OFFLINE_MESSAGE[pageLang()];
}

function currentPath(): string {
  return `${window.location.pathname}${window.location.search}`;
}
