import Joi from "joi";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { readCurrentSeed, setClientSeed } from "@/lib/fairness/seeds";
import { CLIENT_SEED_PATTERN } from "@/lib/gacha/hmac-random";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The caller's current committed seed: the SHA-256 of the server seed the next pulls are
 * drawn with, the client seed and the next nonce. The seed is committed on first ask.
 */
export const GET = route({ access: "signed-in" }, async ({ user }) => ({
  fairness: await readCurrentSeed(await getDb(), user.id),
}));

const putBody = Joi.object<{ clientSeed: string }>({
  clientSeed: Joi.string().pattern(CLIENT_SEED_PATTERN).required(),
});

/** Sets the client seed; only pulls reserved afterwards use it. Answers as GET does. */
export const PUT = route({ access: "signed-in", body: putBody }, async ({ user, body }) => ({
  fairness: await setClientSeed(await getDb(), user.id, body.clientSeed),
}));
