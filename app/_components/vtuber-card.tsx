import Link from "next/link";
import type { VtuberSummary } from "@/lib/catalog/list-vtubers";
import { RichText } from "./rich-text";

export function VtuberCard({ vtuber }: { vtuber: VtuberSummary }) {
  return (
    <article className="card vtuber">
      {/* Initial as a stand-in until VTubers upload avatars. */}
      <span className="avatar" aria-hidden="true">
        {Array.from(vtuber.name)[0]}
      </span>
      <div>
        <h3>
          <Link href={`/vtubers/${vtuber.slug}`}>{vtuber.name}</Link>
        </h3>
        {vtuber.bio && <RichText html={vtuber.bio} className="card__body" preview />}
      </div>
    </article>
  );
}
