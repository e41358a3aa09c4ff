import type { Metadata } from "next";
import Link from "next/link";
import { VtuberProfileHeader } from "@/app/_components/vtuber-profile-header";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { vtuberMessagesFor } from "@/lib/i18n/dictionaries/vtuber";
import { getLocale } from "@/lib/i18n/server";
import { loadConsole } from "@/lib/vtuber/console";
import { getProfile } from "@/lib/vtuber/profile";
import { UploadPanel } from "../upload-panel";
import { ProfileForm } from "./profile-form";
import "../vtuber.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: vtuberMessagesFor(await getLocale()).profile.title, robots: { index: false } };
}

/** The VTuber's public profile: the form, and the saved profile as fans see it. */
export default async function ProfilePage() {
  const { profile, library, locale } = await loadConsole("/vtuber/profile", (c) => ({
    profile: getProfile(c.db, c.claims),
    library: c.library(),
  }));
  const t = vtuberMessagesFor(locale).profile;
  const images = library.files.filter((f) => f.kind === "image").map((f) => ({ id: f.id, title: f.title }));

  return (
    <div className="console-page">
      <p>
        <Link href="/vtuber">{t.back}</Link>
      </p>
      <h1>{t.title}</h1>
      <p className="note">{t.lead}</p>
      <ProfileForm profile={profile} images={images} locale={locale} />
      <section className="panel">
        <UploadPanel locale={locale} kinds={["image"]} />
      </section>
      <section className="panel" aria-labelledby="profile-preview" data-testid="profile-preview">
        <h2 id="profile-preview">{t.previewHeading}</h2>
        <VtuberProfileHeader
          name={profile.name}
          bio={profile.bio}
          links={profile.links}
          avatarUrl={profile.avatarUrl}
          headingId="profile-preview-name"
          level={3}
          linksLabel={gachaMessagesFor(locale).vtuber.links}
        />
        <p>
          <Link href={`/vtubers/${profile.slug}`}>{t.publicLink}</Link>
        </p>
      </section>
    </div>
  );
}
