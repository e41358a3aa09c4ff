"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { AuthFormAlert, invalidFields } from "@/app/_components/auth-form-alert";
import { CredentialField } from "@/app/_components/credential-field";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import type { ApiClientError } from "@/lib/client/api";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";

type T = Pick<AccountMessages, "account" | "fields" | "form" | "passwordReasons" | "signup">;

/** The end of each form: the API's refusal, the success line (both live regions), the submit button. */
function FormOutcome(props: {
  alertId: string;
  error: ApiClientError | null;
  done: string;
  submit: string;
  pending: boolean;
  t: T;
}) {
  return (
    <>
      <AuthFormAlert id={props.alertId} error={props.error} t={props.t} />
      <p role="status" className="form-status">
        {props.done}
      </p>
      <div className="button-row">
        <button type="submit" className="button" disabled={props.pending} aria-busy={props.pending}>
          {props.submit}
        </button>
      </div>
    </>
  );
}

/** Mails a fresh verification link; the API says when the address was verified meanwhile. */
export function ResendVerification({ t }: { t: T }) {
  const router = useRouter();
  const { pending, error, result, submit } = useApiSubmit<{ status: "sent" | "already_verified" }>();
  async function resend() {
    const answer = await submit("/api/me/email/verification", { method: "POST" });
    if (answer?.status === "already_verified") router.refresh();
  }
  return (
    <div>
      <AuthFormAlert id="resend-error" error={error} t={t} />
      <p role="status" className="form-status">
        {result?.status === "sent" ? t.account.resent : ""}
      </p>
      <button
        type="button"
        className="button button--secondary"
        disabled={pending}
        aria-busy={pending}
        onClick={resend}
      >
        {pending ? t.account.resending : t.account.resend}
      </button>
    </div>
  );
}

export function PasswordChangeForm({ t }: { t: T }) {
  const { pending, error, result, submit } = useApiSubmit<{ revokedSessions: number }>();
  const invalid = invalidFields(error);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const answer = await submit("/api/me/password", {
      method: "POST",
      body: {
        currentPassword: String(data.get("currentPassword") ?? ""),
        newPassword: String(data.get("newPassword") ?? ""),
      },
    });
    if (answer) form.reset();
  }

  return (
    <form className="limit-form" onSubmit={onSubmit} noValidate aria-describedby="password-change-error">
      <CredentialField
        kind="current-password"
        id="current-password"
        name="currentPassword"
        label={t.fields.currentPassword}
        required={t.fields.required}
        invalid={invalid.includes("currentPassword")}
      />
      <CredentialField
        kind="new-password"
        id="new-password"
        name="newPassword"
        label={t.fields.newPassword}
        required={t.fields.required}
        hint={t.signup.passwordRule}
        invalid={invalid.includes("newPassword")}
      />
      <FormOutcome
        alertId="password-change-error"
        error={error}
        done={result ? t.account.passwordChanged : ""}
        submit={pending ? t.account.changingPassword : t.account.changePassword}
        pending={pending}
        t={t}
      />
    </form>
  );
}

export function EmailChangeForm({ t }: { t: T }) {
  const router = useRouter();
  const { pending, error, result, submit } = useApiSubmit();
  const invalid = invalidFields(error);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const answer = await submit("/api/me/email", {
      method: "POST",
      body: {
        newEmail: String(data.get("newEmail") ?? ""),
        currentPassword: String(data.get("currentPassword") ?? ""),
      },
    });
    if (answer) {
      form.reset();
      // The pending address above is server-rendered.
      router.refresh();
    }
  }

  return (
    <form className="limit-form" onSubmit={onSubmit} noValidate aria-describedby="email-change-error">
      <CredentialField
        kind="email"
        id="new-email"
        name="newEmail"
        label={t.fields.newEmail}
        required={t.fields.required}
        invalid={invalid.includes("newEmail")}
      />
      <CredentialField
        kind="current-password"
        id="email-change-password"
        name="currentPassword"
        label={t.fields.currentPassword}
        required={t.fields.required}
        invalid={invalid.includes("currentPassword")}
      />
      <FormOutcome
        alertId="email-change-error"
        error={error}
        done={result ? t.account.emailChangeSent : ""}
        submit={pending ? t.account.changingEmail : t.account.changeEmail}
        pending={pending}
        t={t}
      />
    </form>
  );
}
