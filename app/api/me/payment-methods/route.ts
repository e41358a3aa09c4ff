import { route } from "@/lib/api/handler";
import { getPaymentProvider } from "@/lib/payments/providers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The caller's saved cards: those of their own Stripe customer, or the sandbox's test card. */
export const GET = route({ access: "signed-in" }, async ({ user }) => {
  const provider = await getPaymentProvider();
  return { provider: provider.name, cards: await provider.savedCards(user.id) };
});
