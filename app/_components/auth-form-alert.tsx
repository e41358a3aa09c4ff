import type { ApiClientError } from "@/lib/client/api";
import type { AccountMessages } from "@/lib/i18n/dictionaries/account";

interface Props {
  id: string;
  error: ApiClientError | null;
  t: Pick<AccountMessages, "fields" | "form" | "passwordReasons">;
}

/**
 * Where a form's failure is read out. The region is always in the page, empty until an
 * error arrives, because screen readers announce changes to a live region more reliably
 * than a region that appears. The API's sentence comes first; the fields it names and
 * why a password was refused follow, so "some fields are invalid" is never the whole story.
 */
export function AuthFormAlert({ id, error, t }: Props) {
  const fields = error ? invalidFields(error) : [];
  // Sign-up names the field `password`; changing and resetting name it `newPassword`.
  const passwordReason = error?.details.find((d) => d.field === "password" || d.field === "newPassword")?.reason;
  const passwordHint =
    passwordReason && passwordReason in t.passwordReasons
      ? t.passwordReasons[passwordReason as keyof AccountMessages["passwordReasons"]]
      : null;
  const fieldNames = fields.filter((f): f is keyof AccountMessages["fields"] => f in t.fields).map((f) => t.fields[f]);

  return (
    <div id={id} role="alert" className={error ? "form-alert" : undefined}>
      {error && (
        <>
          <p>{error.message}</p>
          {passwordHint && <p>{passwordHint}</p>}
          {fieldNames.length > 0 && !passwordHint && (
            <p>
              {t.form.fixFields}
              {fieldNames.join("、")}
            </p>
          )}
        </>
      )}
    </div>
  );
}

/** Names of the fields an error points at, for aria-invalid and the list above. */
export function invalidFields(error: ApiClientError | null): string[] {
  if (!error) return [];
  return [...new Set(error.details.flatMap((d) => (d.field ? [d.field] : [])))];
}
