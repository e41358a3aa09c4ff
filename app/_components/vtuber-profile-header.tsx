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
  /** The name's heading level: the page's own title, or inside a preview section. @default 1 */
  level?: 1 | 3;
}

/**
 * A VTuber's profile as fans see it: avatar, name, profile text (sanitised rich text) and
 * links. The public page and the console's preview both render this, so the preview is
 * the page.
 */
export function VtuberProfileHeader({ name, bio, links, avatarUrl, headingId, linksLabel, level = 1 }: Props) {
  const Heading = level === 1 ? "h1" : "h3";
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
        <Heading id={headingId}>{name}</Heading>
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
