import "server-only";
/**
 * Signing in with email and password. Takes about as long whether or not the account
 * exists (an unknown email is still run through bcrypt, against a dummy hash of the same
 * cost), and answers the same `invalid_credentials` either way.
 */
import { randomBytes } from "node:crypto";
import { asService } from "../db/session";
import { DomainError } from "../domain-error";
import { countSignal } from "../metrics/signals";
import type { AppRole } from "./caller";
import { normaliseEmail } from "./email";
import { beginLoginAttempt, loginSucceeded, type LoginThrottlePolicy } from "./login-throttle";
import { hashPassword, verifyPassword } from "./password";
import { startSession, type AuthDeps, type SignedIn } from "./session";
import type { Columns, Narrow } from "../db/rows";

export interface LoginInput {
  email: string;
  password: string;
}

export interface LoginClient {
  ip: string;
  userAgent: string | null;
}

const dummyHashes = new Map<number, Promise<string>>();

/** A hash nobody knows the password of, made once per cost. */
function dummyHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = hashPassword(randomBytes(16).toString("hex"), cost);
    dummyHashes.set(cost, hash);
  }
  return hash;
}

export async function login(
  deps: AuthDeps,
  input: LoginInput,
  client: LoginClient,
  throttlePolicy?: LoginThrottlePolicy,
): Promise<SignedIn> {
  const email = normaliseEmail(input.email) ?? input.email.trim().toLowerCase();
  const subject = { email, ip: client.ip };

  const verdict = await beginLoginAttempt(deps.db, subject, deps.now, throttlePolicy);
  if (!verdict.allowed) {
    throw new DomainError("login_throttled", [
      { reason: "too_many_attempts", retryAfterSeconds: verdict.retryAfterSeconds },
    ]);
  }

  const [user] = await asService(deps.db, "login", (tx) =>
    tx.query<Narrow<Columns<"users", "id" | "password_hash" | "display_name" | "role" | "status">, { role: AppRole }>>(
      "select id, password_hash, display_name, role, status from public.users where email = $1",
      [email],
    ),
  );
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? (await dummyHash(deps.bcryptCost)));
  if (!user || !passwordOk) {
    countSignal("auth.login.failures", { now: deps.now.getTime() });
    throw new DomainError("invalid_credentials");
  }

  await loginSucceeded(deps.db, subject, throttlePolicy);
  // Only someone who knows the password learns that the account is suspended.
  if (user.status !== "active") throw new DomainError("account_suspended");

  return asService(deps.db, "login", async (tx) => {
    const tokens = await startSession(tx, deps, { id: user.id, role: user.role }, client.userAgent);
    return { user: { id: user.id, email, displayName: user.display_name, role: user.role }, ...tokens };
  });
}
