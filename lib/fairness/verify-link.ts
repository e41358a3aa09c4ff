/**
 * The /verify page's parameters, carried in the URL fragment: a fragment never reaches
 * any server, so the link from the history hands the page everything it needs and the
 * page asks nothing of us. Pure, used by the history (server) and the page (browser).
 */

export interface PullToCheck {
  /** The revealed server seed, hex. */
  seed: string;
  /** The hash shown before the pull; empty when unknown. */
  seedHash: string;
  clientSeed: string;
  nonce: number;
  count: number;
  tableHash: string;
  tableText: string;
  /** The recorded results' item ids in slot order; empty to only recompute. */
  expect: string[];
}

export function verifyHref(pull: PullToCheck): string {
  const params = new URLSearchParams({
    seed: pull.seed,
    seedHash: pull.seedHash,
    clientSeed: pull.clientSeed,
    nonce: String(pull.nonce),
    count: String(pull.count),
    tableHash: pull.tableHash,
    table: pull.tableText,
    expect: pull.expect.join(","),
  });
  return `/verify#${params.toString()}`;
}

/** Reads a fragment (with or without its "#"); absent fields read as empty. */
export function readVerifyFragment(fragment: string): Record<keyof PullToCheck, string> {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const get = (name: string) => params.get(name) ?? "";
  return {
    seed: get("seed"),
    seedHash: get("seedHash"),
    clientSeed: get("clientSeed"),
    nonce: get("nonce"),
    count: get("count"),
    tableHash: get("tableHash"),
    tableText: get("table"),
    expect: get("expect"),
  };
}
