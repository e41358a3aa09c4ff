import { FormField } from "./form-field";

/**
 * An email or password field of the account forms (sign-in, sign-up, reset, security,
 * deletion). Each kind fixes what the browser and password managers need to hear:
 * `autoComplete` so saved passwords fill the right box and new ones are offered, and for
 * a new password the rule as the field's description. No `minLength`/`maxLength`: the
 * server counts code points after NFKC, the browser UTF-16 units, and the server decides.
 */
type Kind = "email" | "current-password" | "new-password";

interface Props {
  kind: Kind;
  id: string;
  name: string;
  label: string;
  /** The required marker's text; the input is required either way. */
  required?: string;
  /** The password rule, shown under a new password. */
  hint?: string;
  invalid?: boolean;
}

export function CredentialField({ kind, id, name, label, required, hint, invalid }: Props) {
  const describedBy = hint ? `${id}-hint` : undefined;
  const common = { id, name, required: true, "aria-invalid": invalid || undefined, "aria-describedby": describedBy };
  return (
    <FormField id={id} label={label} required={required} hint={hint}>
      {kind === "email" ? (
        <input {...common} type="email" autoComplete="email" inputMode="email" />
      ) : (
        <input {...common} type="password" autoComplete={kind} />
      )}
    </FormField>
  );
}
