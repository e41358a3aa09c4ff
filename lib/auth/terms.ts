/**
 * The version of the terms of service a signup accepts: the date the terms page shows
 * as its last update (`legal.terms.updated`). Change both together; stored on the user
 * with the time of acceptance.
 */
export const TERMS_VERSION = "2026-11-01";
