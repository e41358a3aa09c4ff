/**
 * `inline` for playback, or `attachment` with the name twice: an ASCII `filename` for
 * old clients and an RFC 5987 `filename*` that carries the real (usually Japanese) name.
 */
export function contentDisposition(downloadName: string | null): string {
  if (downloadName === null) return "inline";
  const ascii = downloadName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeExtValue(downloadName)}`;
}

/** encodeURIComponent leaves `'()*` alone, but RFC 5987's attr-char does not allow them. */
function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
