/**
 * The two drivers parse some types differently by default; both are told to use
 * these, so a row has the same shape on PGlite and on PostgreSQL.
 * - int8 → number: counts, yen amounts and ledger ids stay far below 2^53.
 * - date → "YYYY-MM-DD" string: a calendar date has no time zone, a JS Date would invent one.
 * - numeric → string: exact decimals are never silently rounded.
 */
export const rowParsers = {
  int8: (value: string) => Number(value),
  date: (value: string) => value,
  numeric: (value: string) => value,
};

export const OID = { INT8: 20, DATE: 1082, NUMERIC: 1700 } as const;
