"use client";

import Link from "next/link";
import { AuthFormAlert } from "@/app/_components/auth-form-alert";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import type { LinkPreview } from "@/lib/account/verify-email";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";

interface Props {
  token: string;
  preview: LinkPreview;
  signedIn: boolean;
  t: Pick<AccountMessages, "verify" | "fields" | "form" | "passwordReasons">;
}

export function ConfirmLink({ token, preview, signedIn, t }: Props) {
  const { pending, error, result, submit } = useApiSubmit<{ link: LinkPreview }>();

  if (result) {
    const done = result.link.purpose === "verify_email" ? t.verify.verified : t.verify.changed;
    return (
      <div className="panel" role="status">
        <p>{done.replace("{email}", result.link.email)}</p>
        <Link href={signedIn ? "/account" : "/login"} className="button">
          {signedIn ? t.verify.toAccount : t.verify.signIn}
        </Link>
      </div>
    );
  }

  const lead = preview.purpose === "verify_email" ? t.verify.verifyLead : t.verify.changeLead;
  return (
    <div className="panel">
      <p>{lead.replace("{email}", preview.email)}</p>
      <AuthFormAlert id="verify-error" error={error} t={t} />
      <button
        type="button"
        className="button"
        disabled={pending}
        aria-busy={pending}
        onClick={() =>
          void submit("/api/auth/verify-email", { method: "POST", body: { token }, whenSignedOut: "throw" })
        }
      >
        {pending ? t.verify.confirming : t.verify.confirm}
      </button>
    </div>
  );
}
