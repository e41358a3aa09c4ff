import { UUID_PATTERN } from "../ids";
import { RequestError } from "./errors";

/**
 * The `before` query parameter of a paged list (the `nextCursor` of the previous page):
 * null when absent, 400 `validation_failed` when it is not an id.
 */
export function beforeCursor(request: Request): string | null {
  const before = new URL(request.url).searchParams.get("before");
  if (before !== null && !UUID_PATTERN.test(before)) {
    throw new RequestError("validation_failed", [{ field: "before", reason: "string.guid" }]);
  }
  return before;
}
