import { json, route } from "@/lib/api/handler";
import { getPaymentProvider } from "@/lib/payments/providers";

export const runtime = "nodejs";

/**
 * Starts saving a card: a SetupIntent for the caller's own Stripe customer (made on first
 * use). The browser confirms `clientSecret` with Stripe.js; the card is then attached to
 * that customer and only that fan can pay with it. The sandbox saves no cards (409).
 */
export const POST = route({ access: "signed-in" }, async ({ user }) => {
  const setup = await (await getPaymentProvider()).setUpCard(user.id);
  return json(setup, 201);
});
