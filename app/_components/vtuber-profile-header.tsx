import { RichText } from "./rich-text";

interface Props {
  name: string;
  bio: string;
  links: readonly { label: string; url: string }[];
  avatarUrl: string | null;
  /** The heading's id, for the page's aria-labelledby. */
  headingId: string;
  /** The links list's accessible name ("リンク"). */
  linksLabel: string;
}

/**
 * A VTuber's profile as fans see it: avatar, name, profile text (sanitised rich text) and
 * links. The public page and the console's preview both render this, so the preview is
 * the page.
 */
export function VtuberProfileHeader({ name, bio, links, avatarUrl, headingId, linksLabel }: Props) {
  return (
    <header className="vtuber-profile" data-testid="vtuber-profile">
      {avatarUrl ? (
        // The avatar route redirects to a short-lived signed URL: next/image cannot optimise it.
        // eslint-disable-next-line @next/next/no-img-element
        <img className="avatar avatar--large avatar--image" src={avatarUrl} alt="" width={72} height={72} />
      ) : (
        <span className="avatar avatar--large" aria-hidden="true">
          {Array.from(name)[0]}
        </span>
      )}
      <div>
        <h1 id={headingId}>{name}</h1>
        {bio && <RichText html={bio} className="vtuber-profile__bio" />}
        {links.length > 0 && (
          <ul className="vtuber-profile__links" aria-label={linksLabel}>
            {links.map((link) => (
              <li key={link.url}>
                <a href={link.url} target="_blank" rel="noopener noreferrer nofollow ugc">
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </header>
  );
}
