/**
 * Small media files built byte by byte (no encoder needed), each with a known duration,
 * for the upload tests and the console's e2e journey. Each writer follows its format's
 * published layout: RIFF/WAVE, MPEG-1 Layer III frames, ISO BMFF (ftyp + moov/mvhd) and
 * Matroska/WebM (EBML header + Segment/Info/Tracks).
 */
import sharp from "sharp";

/** 16-bit mono PCM silence at 8 kHz. */
export function wav(durationMs: number): Buffer {
  const rate = 8000;
  const samples = Math.round((rate * durationMs) / 1000);
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write("RIFF", 0, "ascii");
  b.writeUInt32LE(36 + data, 4);
  b.write("WAVE", 8, "ascii");
  b.write("fmt ", 12, "ascii");
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36, "ascii");
  b.writeUInt32LE(data, 40);
  return b;
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, silent frames of 1152 samples (26.12 ms each). */
export function mp3(frames: number): Buffer {
  const frameBytes = 417; // 144 × 128000 / 44100, no padding
  const b = Buffer.alloc(frames * frameBytes);
  for (let i = 0; i < frames; i++) b.writeUInt32BE(0xfffb9064, i * frameBytes);
  return b;
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, "ascii");
  return Buffer.concat([head, body]);
}

/** An MP4 whose movie header says `durationMs` (timescale 1000). */
export function mp4(durationMs: number): Buffer {
  const ftyp = box("ftyp", Buffer.from("isom"), Buffer.from([0, 0, 2, 0]), Buffer.from("isomiso2mp41"));
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(durationMs, 16);
  mvhd.writeUInt32BE(0x00010000, 20); // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24); // volume 1.0
  for (const [i, v] of [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].entries()) {
    mvhd.writeUInt32BE(v, 36 + i * 4); // identity matrix
  }
  mvhd.writeUInt32BE(2, 96); // next track id
  return Buffer.concat([ftyp, box("moov", box("mvhd", mvhd))]);
}

function ebml(id: number[], ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  // An 8-byte size field (0x01 marker) fits any length.
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(body.length) | (1n << 56n));
  return Buffer.concat([Buffer.from(id), size, body]);
}

/** A WebM whose segment info says `durationMs`, with one VP8 video track. */
export function webm(durationMs: number): Buffer {
  const duration = Buffer.alloc(8);
  duration.writeDoubleBE(durationMs);
  const header = ebml(
    [0x1a, 0x45, 0xdf, 0xa3],
    ebml([0x42, 0x86], Buffer.from([1])),
    ebml([0x42, 0xf7], Buffer.from([1])),
    ebml([0x42, 0x82], Buffer.from("webm")),
    ebml([0x42, 0x87], Buffer.from([2])),
    ebml([0x42, 0x85], Buffer.from([2])),
  );
  const info = ebml(
    [0x15, 0x49, 0xa9, 0x66],
    ebml([0x2a, 0xd7, 0xb1], Buffer.from([0x0f, 0x42, 0x40])), // 1 ms per tick
    ebml([0x44, 0x89], duration),
  );
  const tracks = ebml(
    [0x16, 0x54, 0xae, 0x6b],
    ebml([0xae], ebml([0xd7], Buffer.from([1])), ebml([0x83], Buffer.from([1])), ebml([0x86], Buffer.from("V_VP8"))),
  );
  return Buffer.concat([header, ebml([0x18, 0x53, 0x80, 0x67], info, tracks)]);
}

export function png(width = 8, height = 8): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#ff66aa" } })
    .png()
    .toBuffer();
}

/** The text written into the GPS block; find it in a file's bytes to see whether the block is there. */
export const GPS_MARK = "KOEPON-GPS-MARK";

/** A JPEG with an EXIF GPS block (position near Tokyo Station) and a camera model. */
export function jpegWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 16, height: 12, channels: 3, background: "#3366ff" } })
    .jpeg()
    .withExif({
      IFD0: { Model: "KoeponCam" },
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: "35/1 40/1 52/1",
        GPSLongitudeRef: "E",
        GPSLongitude: "139/1 46/1 0/1",
        GPSMapDatum: GPS_MARK,
      },
    })
    .toBuffer();
}
