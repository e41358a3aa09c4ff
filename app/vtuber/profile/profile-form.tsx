"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ApiErrorAlert } from "@/app/_components/api-error-alert";
import { bindFields } from "@/app/_components/bind-fields";
import { FormField } from "@/app/_components/form-field";
import { useApiSubmit } from "@/app/_components/use-api-submit";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import type { Locale } from "@/lib/i18n/locales";
import type { VtuberProfile } from "@/lib/vtuber/profile";

interface Props {
  profile: VtuberProfile;
  /** The library's images, the avatar's choices. */
  images: { id: string; title: string }[];
  locale: Locale;
}

const MAX_LINKS = 5;

/** Edits the profile; the page's preview shows the saved result as fans see it. */
export function ProfileForm({ profile, images, locale }: Props) {
  const t = vtuberMessagesFor(locale).profile;
  const router = useRouter();
  const [fields, setFields] = useState({
    name: profile.name,
    bio: profile.bio,
    avatarFileId: profile.avatarFileId ?? "",
  });
  const field = bindFields(fields, setFields);
  const [links, setLinks] = useState(profile.links.map((link, i) => ({ ...link, key: i })));
  const { pending, error, result, submit } = useApiSubmit<{ profile: VtuberProfile }>();

  async function save(event: FormEvent) {
    event.preventDefault();
    const saved = await submit("/api/vtuber/profile", {
      method: "PUT",
      body: {
        name: fields.name.trim(),
        bio: fields.bio,
        links: links.map(({ label, url }) => ({ label: label.trim(), url: url.trim() })),
        avatarFileId: fields.avatarFileId || null,
      },
    });
    if (saved) router.refresh();
  }

  const setLink = (key: number, change: Partial<{ label: string; url: string }>) =>
    setLinks((current) => current.map((link) => (link.key === key ? { ...link, ...change } : link)));

  return (
    <form className="panel" onSubmit={(e) => void save(e)} aria-describedby="profile-error" data-testid="profile-form">
      <FormField id="profile-name" label={t.name}>
        <input id="profile-name" maxLength={50} required {...field("name")} />
      </FormField>
      <FormField id="profile-bio" label={t.bio} hint={t.bioHint}>
        <textarea id="profile-bio" rows={6} maxLength={2000} aria-describedby="profile-bio-hint" {...field("bio")} />
      </FormField>
      <FormField id="profile-avatar" label={t.avatar} hint={t.avatarHint}>
        <select id="profile-avatar" aria-describedby="profile-avatar-hint" {...field("avatarFileId")}>
          <option value="">{t.avatarNone}</option>
          {images.map((image) => (
            <option key={image.id} value={image.id}>
              {image.title}
            </option>
          ))}
        </select>
      </FormField>
      <fieldset className="console-fieldset">
        <legend>{t.linksHeading}</legend>
        {links.map((link, i) => (
          <div className="console-row" key={link.key}>
            <FormField id={`profile-link-label-${link.key}`} label={t.linkLabel(i + 1)}>
              <input
                id={`profile-link-label-${link.key}`}
                maxLength={40}
                required
                value={link.label}
                onChange={(e) => setLink(link.key, { label: e.target.value })}
              />
            </FormField>
            <FormField id={`profile-link-url-${link.key}`} label={t.linkUrl(i + 1)}>
              <input
                id={`profile-link-url-${link.key}`}
                type="url"
                inputMode="url"
                maxLength={300}
                pattern="https://.*"
                required
                value={link.url}
                onChange={(e) => setLink(link.key, { url: e.target.value })}
              />
            </FormField>
            <button
              type="button"
              className="button button--secondary button--small"
              onClick={() => setLinks(links.filter((other) => other.key !== link.key))}
            >
              {t.removeLink(i + 1)}
            </button>
          </div>
        ))}
        {links.length < MAX_LINKS && (
          <button
            type="button"
            className="button button--secondary"
            onClick={() =>
              setLinks([...links, { label: "", url: "https://", key: Math.max(-1, ...links.map((l) => l.key)) + 1 }])
            }
          >
            {t.addLink}
          </button>
        )}
      </fieldset>
      <div aria-live="polite" data-testid="profile-notice">
        {result && !pending ? t.saved : ""}
      </div>
      <ApiErrorAlert
        id="profile-error"
        error={error}
        fieldNames={{ name: t.name, bio: t.bio, avatarFileId: t.avatar, links: t.linksHeading }}
      />
      <div className="button-row">
        <button type="submit" className="button" disabled={pending}>
          {pending ? t.saving : t.save}
        </button>
      </div>
    </form>
  );
}
