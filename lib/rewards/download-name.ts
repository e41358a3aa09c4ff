import path from "node:path";

// Characters some file system or browser refuses in a file name, and control characters.
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/** The name a downloaded file is saved under: the reward's title plus the stored file's extension. */
export function downloadName(title: string, storagePath: string): string {
  const base = title.replace(UNSAFE, "_").replace(/\s+/g, " ").trim().replace(/^\.+/, "") || "koepon";
  return `${base}${path.posix.extname(storagePath)}`;
}
