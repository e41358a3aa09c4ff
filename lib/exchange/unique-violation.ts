/** True when `err` is PostgreSQL's unique_violation on this constraint (both drivers report it alike). */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, constraint: name } = err as { code?: unknown; constraint?: unknown };
  return code === "23505" && name === constraint;
}
