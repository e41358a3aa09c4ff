/**
 * A full page load at `path`, for when the session has just changed (signed in, signed
 * out, or found gone). Client-side navigation keeps the root layout, and its header is
 * rendered on the server from the session: only a fresh document shows the new state
 * everywhere at once.
 */
export function loadPageAfterSessionChange(path: string): void {
  window.location.assign(path);
}
