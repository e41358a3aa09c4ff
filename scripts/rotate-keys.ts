/**
 * `npm run keys:rotate [-- --overlap-seconds N]`: puts a new access-token signing key in
 * service while tokens signed by the old one keep verifying until they expire.
 *
 * - Generated keys (no JWT_SIGNING_KEY; embedded and services modes): rewrites
 *   `<KOEPON_DATA_DIR>/keys/keyring.json`. The new key signs from now on; the old public
 *   key stays in the JWKS until the overlap ends, then drops out by itself. A running
 *   server picks the change up within seconds; no restart.
 * - Keys from the environment (production): changes nothing, prints the two values to
 *   deploy: the new JWT_SIGNING_KEY, and JWT_VERIFY_KEYS with the current key's public
 *   half added. After the overlap, deploy again without that old key in JWT_VERIFY_KEYS.
 *   The output holds a private key: send it straight to the secret store.
 *
 * The overlap must cover one access-token lifetime plus the clock tolerance (the script
 * refuses less); the default is an hour.
 */
import { parseArgs } from "node:util";
import type { JWK } from "jose";
import { getConfig } from "../lib/config";
import { toPublicJwk } from "../lib/auth/jwk";
import { minimumOverlapSeconds, newPrivateJwk, rotateKeyring } from "../lib/auth/keys";

const DEFAULT_OVERLAP_SECONDS = 3_600;

const { values } = parseArgs({ options: { "overlap-seconds": { type: "string" } } });
const { auth } = getConfig();
const minimum = minimumOverlapSeconds(auth);
const overlapSeconds = Number(values["overlap-seconds"] ?? Math.max(DEFAULT_OVERLAP_SECONDS, minimum));

if (!Number.isInteger(overlapSeconds) || overlapSeconds < minimum) {
  console.error(`--overlap-seconds must be a whole number of at least ${minimum} (token lifetime + clock tolerance).`);
  process.exit(1);
}

if (auth.keys.kind === "generated") {
  const { kid, retired } = await rotateKeyring(auth.keys.dir, { now: new Date(), overlapSeconds });
  console.log(`Signing with key ${kid}.`);
  console.log(`Key ${retired.kid} keeps verifying until ${retired.retiresAt.toISOString()}.`);
} else {
  const current = toPublicJwk(JSON.parse(auth.keys.signingKey) as JWK);
  const stillValid = auth.keys.verifyKeys.map((json) => toPublicJwk(JSON.parse(json) as JWK));
  const next = await newPrivateJwk();
  const retireAt = new Date(Date.now() + overlapSeconds * 1000).toISOString();
  console.log("# Deploy these two settings together (the first is a private key: keep it secret):");
  console.log(`JWT_SIGNING_KEY='${JSON.stringify(next)}'`);
  console.log(`JWT_VERIFY_KEYS='${JSON.stringify([current, ...stillValid])}'`);
  console.log(`# After ${retireAt}, remove kid ${current.kid} from JWT_VERIFY_KEYS and deploy again.`);
}
