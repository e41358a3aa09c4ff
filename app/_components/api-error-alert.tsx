import type { ApiClientError } from "@/lib/client/api";

interface Props {
  id: string;
  error: ApiClientError | null;
  /** Names of the fields the API may name in its details, by field path. */
  fieldNames?: Readonly<Record<string, string>>;
}

/**
 * Where a console form's failure is read out: always in the page (a live region that
 * appears late is announced less reliably), the API's sentence first, then the fields
 * it names.
 */
export function ApiErrorAlert({ id, error, fieldNames = {} }: Props) {
  const fields = [...new Set((error?.details ?? []).map((d) => d.field).filter((f): f is string => !!f))].map(
    (f) => fieldNames[f] ?? fieldNames[f.split(".")[0]!] ?? f,
  );
  return (
    <div id={id} role="alert" className={error ? "form-alert" : undefined}>
      {error && (
        <>
          <p>{error.message}</p>
          {fields.length > 0 && <p>{[...new Set(fields)].join(" / ")}</p>}
        </>
      )}
    </div>
  );
}
