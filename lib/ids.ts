/**
 * A UUID in its canonical text form. Ids from the URL are checked against it before any
 * query: a malformed id is simply "not found", never a database cast error (a 500).
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
