/** The public avatar route; the file id in the query changes the URL when the avatar does. */
export function avatarUrl(slug: string, avatarFileId: string | null): string | null {
  return avatarFileId ? `/api/vtubers/${slug}/avatar?v=${avatarFileId.slice(0, 8)}` : null;
}
