import Link from "next/link";
import type { ReactNode } from "react";

/** One field of the filter form; its value travels in the page's query string. */
export interface ListFilter {
  name: string;
  label: string;
  type?: "text" | "search" | "date";
  /** A select of these instead of a text field; the first is the "any" choice. */
  options?: { value: string; label: string }[];
  size?: number;
  maxLength?: number;
  placeholder?: string;
}

export interface ListColumn<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
}

interface Props<Row> {
  /** The page itself: the form is a plain GET to it, so filters work without script and can be bookmarked. */
  path: string;
  filters: ListFilter[];
  /** The filters' current values, by name. */
  values: Record<string, string | undefined>;
  submitLabel: string;
  /** A single free-text search is a search landmark; a set of filters is a form. */
  search?: boolean;
  rows: Row[];
  rowKey: (row: Row) => string;
  columns: ListColumn<Row>[];
  empty: string;
  /** The cursor of the next page, sent back as `?before=` with the same filters. */
  nextCursor: string | null;
  moreLabel: string;
}

/**
 * The console's lists (users, payments, audit log): a GET filter form, a table that
 * scrolls sideways on a phone, the empty state and a link to the next page.
 */
export function ListPage<Row>({
  path,
  filters,
  values,
  submitLabel,
  search,
  rows,
  rowKey,
  columns,
  empty,
  nextCursor,
  moreLabel,
}: Props<Row>) {
  const kept = Object.fromEntries(
    filters.flatMap((f) => {
      const value = values[f.name];
      return value ? [[f.name, value]] : [];
    }),
  );
  return (
    <>
      <form className="admin-filter" role={search ? "search" : undefined} action={path}>
        {filters.map((f) => (
          <label key={f.name}>
            {f.label}
            {f.options ? (
              <select name={f.name} defaultValue={values[f.name] ?? ""}>
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                type={f.type ?? "text"}
                name={f.name}
                defaultValue={values[f.name] ?? ""}
                size={f.size}
                maxLength={f.maxLength}
                placeholder={f.placeholder}
              />
            )}
          </label>
        ))}
        <button type="submit" className="button button--small">
          {submitLabel}
        </button>
      </form>
      {rows.length === 0 ? (
        <p>{empty}</p>
      ) : (
        <div className="admin-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.header} scope="col">
                    {c.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={rowKey(row)}>
                  {columns.map((c) => (
                    <td key={c.header}>{c.cell(row)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor !== null && (
        <p>
          <Link
            className="button button--secondary"
            href={`${path}?${new URLSearchParams({ ...kept, before: nextCursor })}`}
          >
            {moreLabel}
          </Link>
        </p>
      )}
    </>
  );
}
