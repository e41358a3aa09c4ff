/**
 * True when `err` is PostgreSQL's unique_violation on this constraint. pg reports the
 * constraint's name; PGlite may name it only in the message.
 */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, constraint: name, message } = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (code !== "23505") return false;
  return name === constraint || (typeof message === "string" && message.includes(`"${constraint}"`));
}
