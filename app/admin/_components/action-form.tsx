"use client";

import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { ApiClientError, apiFetch } from "@/lib/client/api";

interface Props {
  /** The `/api/admin/*` route the action posts to. */
  endpoint: string;
  submitLabel: string;
  /** A text field sent as `{[name]: value}`; none sends `{}`. */
  field?: { name: string; label: string; required: boolean };
  /** A choice sent as `{[name]: value}` beside the text field. */
  choice?: { name: string; label: string; options: { value: string; label: string }[]; initial?: string };
  /** Rendered as the secondary (less prominent) button. */
  secondary?: boolean;
  t: { sending: string; done: string };
}

/**
 * One admin action: posts JSON to its API route (CSRF-safe: same origin, the session
 * cookie), then re-renders the server page so lists and figures show the new state.
 * The API's refusal (in the admin's language) is read out in the alert region.
 */
export function ActionForm({ endpoint, submitLabel, field, choice, secondary, t }: Props) {
  const router = useRouter();
  const id = useId();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const value = field ? String(data.get(field.name) ?? "") : null;
    const body = {
      ...(choice ? { [choice.name]: String(data.get(choice.name) ?? "") } : {}),
      ...(field && value ? { [field.name]: value } : {}),
    };
    setPending(true);
    setError(null);
    setDone(false);
    try {
      await apiFetch(endpoint, { method: "POST", body });
      setDone(true);
      form.reset();
      router.refresh();
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="admin-action" onSubmit={onSubmit} noValidate>
      {choice && (
        <div className="admin-action__field">
          <label htmlFor={`${id}-choice`}>{choice.label}</label>
          <select id={`${id}-choice`} name={choice.name} defaultValue={choice.initial}>
            {choice.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      )}
      {field && (
        <div className="admin-action__field">
          <label htmlFor={`${id}-field`}>{field.label}</label>
          <textarea id={`${id}-field`} name={field.name} rows={2} maxLength={2000} required={field.required} />
        </div>
      )}
      <button
        type="submit"
        className={secondary ? "button button--secondary button--small" : "button button--small"}
        disabled={pending}
        aria-busy={pending}
      >
        {pending ? t.sending : submitLabel}
      </button>
      <p role="alert" className={error ? "form-alert" : undefined}>
        {error}
      </p>
      <p role="status" className="form-status">
        {done ? t.done : ""}
      </p>
    </form>
  );
}
