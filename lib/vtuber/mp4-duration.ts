/**
 * The duration an ISO BMFF file (MP4, M4A) declares in its movie header: `moov/mvhd`,
 * duration ÷ timescale (ISO/IEC 14496-12 §8.2.2). music-metadata reads MP4 durations
 * only from audio tracks, so a silent video would have none; the movie header is where
 * every MP4 writer puts the length of the whole presentation.
 * @returns milliseconds, or null when there is no readable movie header.
 */
export function mp4DurationMs(bytes: Buffer): number | null {
  const moov = findBox(bytes, 0, bytes.length, "moov");
  const mvhd = moov && findBox(bytes, moov.start, moov.end, "mvhd");
  if (!mvhd || mvhd.end - mvhd.start < 32) return null;
  const version = bytes[mvhd.start];
  const [timescale, duration] =
    version === 1
      ? [bytes.readUInt32BE(mvhd.start + 20), Number(bytes.readBigUInt64BE(mvhd.start + 24))]
      : [bytes.readUInt32BE(mvhd.start + 12), bytes.readUInt32BE(mvhd.start + 16)];
  if (timescale === 0 || !Number.isSafeInteger(duration) || duration === 0xffffffff) return null;
  return Math.round((duration * 1000) / timescale);
}

/** The payload range of the first box of `type` among the boxes in [from, to). */
function findBox(bytes: Buffer, from: number, to: number, type: string): { start: number; end: number } | null {
  let at = from;
  while (at + 8 <= to) {
    let size = bytes.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return null;
      size = Number(bytes.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) return null;
    if (bytes.toString("latin1", at + 4, at + 8) === type) return { start: at + header, end: at + size };
    at += size;
  }
  return null;
}
