"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiErrorAlert } from "@/app/_components/api-error-alert";
import { FormField } from "@/app/_components/form-field";
import { ApiClientError, apiFetch } from "@/lib/client/api";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import type { Locale } from "@/lib/i18n/locales";
import type { Application, VtuberLink } from "@/lib/vtuber/application";

interface Props {
  /** A rejected application, to start the new one from. */
  initial: Application | null;
  locale: Locale;
}

const MAX_LINKS = 5;

export function ApplicationForm({ initial, locale }: Props) {
  // Read here, not passed in: the sentences are functions, which cannot cross to the client.
  const t = vtuberMessagesFor(locale).apply;
  const router = useRouter();
  const [links, setLinks] = useState<VtuberLink[]>(initial?.links.length ? initial.links : [{ label: "", url: "" }]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/me/vtuber-application", {
        method: "POST",
        body: {
          name: String(form.get("name") ?? "").trim(),
          slug: String(form.get("slug") ?? "").trim(),
          bio: String(form.get("bio") ?? "").trim(),
          links: links
            .filter((l) => l.label.trim() || l.url.trim())
            .map((l) => ({ label: l.label.trim(), url: l.url.trim() })),
          adultConfirmed: form.get("adult") === "on",
        },
      });
      router.refresh();
    } catch (err) {
      if (!(err instanceof ApiClientError)) throw err;
      setError(err);
    } finally {
      setPending(false);
    }
  }

  const setLink = (i: number, change: Partial<VtuberLink>) =>
    setLinks((current) => current.map((link, k) => (k === i ? { ...link, ...change } : link)));

  return (
    <form onSubmit={onSubmit} noValidate aria-describedby="apply-error" data-testid="application-form">
      <FormField id="apply-name" label={t.name} required={t.required}>
        <input id="apply-name" name="name" required maxLength={50} defaultValue={initial?.name ?? ""} />
      </FormField>
      <FormField id="apply-slug" label={t.slug} required={t.required} hint={t.slugHint}>
        <input
          id="apply-slug"
          name="slug"
          required
          pattern="[a-z0-9][a-z0-9\-]{1,38}[a-z0-9]"
          autoCapitalize="off"
          defaultValue={initial?.slug ?? ""}
          aria-describedby="apply-slug-hint"
        />
      </FormField>
      <FormField id="apply-bio" label={t.bio} hint={t.bioHint}>
        <textarea
          id="apply-bio"
          name="bio"
          rows={5}
          maxLength={2000}
          defaultValue={initial?.bio ?? ""}
          aria-describedby="apply-bio-hint"
        />
      </FormField>
      <fieldset className="console-fieldset">
        <legend>{t.links}</legend>
        {links.map((link, i) => (
          <div className="console-row" key={i}>
            <FormField id={`apply-link-label-${i}`} label={t.linkLabel(i + 1)}>
              <input
                id={`apply-link-label-${i}`}
                value={link.label}
                maxLength={40}
                onChange={(e) => setLink(i, { label: e.target.value })}
              />
            </FormField>
            <FormField id={`apply-link-url-${i}`} label={t.linkUrl(i + 1)}>
              <input
                id={`apply-link-url-${i}`}
                type="url"
                inputMode="url"
                value={link.url}
                onChange={(e) => setLink(i, { url: e.target.value })}
              />
            </FormField>
          </div>
        ))}
        {links.length < MAX_LINKS && (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => setLinks([...links, { label: "", url: "" }])}
          >
            +<span className="visually-hidden">{t.linkLabel(links.length + 1)}</span>
          </button>
        )}
      </fieldset>
      <div className="console-check">
        <input id="apply-adult" name="adult" type="checkbox" required />
        <label htmlFor="apply-adult">{t.adult}</label>
      </div>
      <p className="note">{t.payoutNote}</p>
      <ApiErrorAlert
        id="apply-error"
        error={error}
        fieldNames={{ name: t.name, slug: t.slug, bio: t.bio, links: t.links, adultConfirmed: t.adult }}
      />
      <div className="button-row">
        <button type="submit" className="button" disabled={pending}>
          {pending ? t.submitting : t.submit}
        </button>
      </div>
    </form>
  );
}
