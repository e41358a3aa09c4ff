import type { Claims } from "../db/session";
import { asService, asUser } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { isUniqueViolation } from "../db/unique-violation";

export type ApplicationStatus = "applied" | "approved" | "rejected" | "suspended";

export interface VtuberLink {
  label: string;
  url: string;
}

export interface Application {
  id: string;
  slug: string;
  name: string;
  bio: string;
  links: VtuberLink[];
  status: ApplicationStatus;
  appliedAt: string;
  reviewedAt: string | null;
  /** The reviewer's reason, shown to the applicant after a rejection. */
  reviewNote: string | null;
}

export interface ApplicationInput {
  slug: string;
  name: string;
  bio: string;
  links: VtuberLink[];
  /** The applicant confirms being an adult; checked by the route's schema (must be true). */
  adultConfirmed: true;
}

interface Row {
  id: string;
  slug: string;
  name: string;
  bio: string;
  links: VtuberLink[];
  status: ApplicationStatus;
  applied_at: Date;
  reviewed_at: Date | null;
  review_note: string | null;
}

const COLUMNS = "id, slug, name, bio, links, status, applied_at, reviewed_at, review_note";

function toApplication(row: Row): Application {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    bio: row.bio,
    links: row.links,
    status: row.status,
    appliedAt: row.applied_at.toISOString(),
    reviewedAt: row.reviewed_at?.toISOString() ?? null,
    reviewNote: row.review_note,
  };
}

async function ownRowIn(tx: Queryable, userId: string): Promise<Row | undefined> {
  const [row] = await tx.query<Row>(`select ${COLUMNS} from public.vtubers where user_id = $1`, [userId]);
  return row;
}

/** The caller's application (the VTuber row itself), or null when they never applied. */
export async function getApplication(db: Database, claims: Claims): Promise<Application | null> {
  const row = await asUser(db, claims, (tx) => ownRowIn(tx, claims.sub));
  return row ? toApplication(row) : null;
}

/**
 * Applies to become a VTuber. The application is the `vtubers` row in status `applied`;
 * an admin's review approves it (and gives the account the `vtuber` role) or rejects it
 * with a reason. After a rejection the same row is sent again with the new details:
 * one account is one VTuber, so the row and its id survive every round of review.
 * @throws DomainError `application_exists` while one is in review or after approval,
 *   `slug_taken` when another VTuber has the slug.
 */
export async function submitApplication(
  db: Database,
  claims: Claims,
  input: ApplicationInput,
  now: Date,
): Promise<Application> {
  const existing = await asUser(db, claims, (tx) => ownRowIn(tx, claims.sub));
  if (existing && existing.status !== "rejected") throw new DomainError("application_exists");
  const values = [claims.sub, input.slug, input.name, input.bio, JSON.stringify(input.links), now];
  try {
    const row = existing
      ? // Status and review columns are not the applicant's to write (no grant), so the
        // re-application runs on the service path, narrowed to their own rejected row.
        await asService(db, "vtuber re-application", async (tx) => {
          const [updated] = await tx.query<Row>(
            `update public.vtubers
                set slug = $2, name = $3, bio = $4, links = $5::jsonb, adult_confirmed_at = $6,
                    status = 'applied', applied_at = $6, reviewed_at = null, reviewed_by = null, review_note = null
              where user_id = $1 and status = 'rejected'
              returning ${COLUMNS}`,
            values,
          );
          return updated;
        })
      : await asUser(db, claims, async (tx) => {
          const [inserted] = await tx.query<Row>(
            `insert into public.vtubers (user_id, slug, name, bio, links, adult_confirmed_at)
             values ($1, $2, $3, $4, $5::jsonb, $6)
             returning ${COLUMNS}`,
            values,
          );
          return inserted;
        });
    // Someone else's review landed between the read and the write.
    if (!row) throw new DomainError("application_exists");
    return toApplication(row);
  } catch (err) {
    if (isUniqueViolation(err, "vtubers_slug_key"))
      throw new DomainError("slug_taken", [{ field: "slug", reason: "taken" }]);
    if (isUniqueViolation(err, "vtubers_user_id_key")) throw new DomainError("application_exists");
    throw err;
  }
}
