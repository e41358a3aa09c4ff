import Joi from "joi";
import { route } from "@/lib/api/handler";
import { confirmEmailLink, previewEmailLink } from "@/lib/account/verify-email";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";

const token = Joi.string().max(200).required();

/** What a mailed link will do (`?token=`), without using it: mail scanners open links. */
export const GET = route({ access: "public" }, async ({ request }) => {
  const value = new URL(request.url).searchParams.get("token") ?? "";
  return { link: await previewEmailLink({ db: await getDb(), now: new Date() }, value) };
});

/** Uses the link: the address is verified, or the email change takes effect. */
export const POST = route(
  { access: "public", body: Joi.object<{ token: string }>({ token }) },
  async ({ body, requestId }) => ({
    link: await confirmEmailLink({ db: await getDb(), now: new Date() }, body.token, { requestId }),
  }),
);
