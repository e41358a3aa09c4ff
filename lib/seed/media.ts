/**
 * Demo media of our own making, so the demo catalog ships no third-party files:
 * short sine-tone WAVs for voice clips and small gradient PNGs for images, made by
 * code, and one short WebM for videos, made once from synthetic sources and committed.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { deflateSync, crc32 } from "node:zlib";

/** A mono 16-bit PCM WAV of a soft tone (with fade in/out so it does not click). */
export function toneWav(frequencyHz: number, durationMs = 1200, sampleRate = 16000): Buffer {
  const samples = Math.round((sampleRate * durationMs) / 1000);
  const data = Buffer.alloc(samples * 2);
  const fade = Math.round(sampleRate * 0.05);
  for (let i = 0; i < samples; i++) {
    const envelope = Math.min(1, i / fade, (samples - 1 - i) / fade);
    // A touch of the octave makes it sound less like a test signal.
    const t = i / sampleRate;
    const value = Math.sin(2 * Math.PI * frequencyHz * t) * 0.8 + Math.sin(4 * Math.PI * frequencyHz * t) * 0.2;
    data.writeInt16LE(Math.round(value * envelope * 0.5 * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export type Rgb = readonly [number, number, number];

/** A square RGB PNG: a diagonal gradient between two colours with a centred disc. */
export function gradientPng(from: Rgb, to: Rgb, size = 128): Buffer {
  const row = size * 3 + 1;
  const raw = Buffer.alloc(row * size);
  const centre = (size - 1) / 2;
  const radius = size * 0.28;
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const mix = (x + y) / (2 * (size - 1));
      const inDisc = Math.hypot(x - centre, y - centre) <= radius;
      for (let c = 0; c < 3; c++) {
        const base = from[c]! + (to[c]! - from[c]!) * mix;
        raw[y * row + 1 + x * 3 + c] = Math.round(inDisc ? 255 - (255 - base) * 0.25 : base);
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typeAndBody = Buffer.concat([Buffer.from(type, "ascii"), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndBody) >>> 0);
  return Buffer.concat([length, typeAndBody, crc]);
}

/**
 * The demo video: 3 s of drifting gradients with a soft 660 Hz tone, 480×270, VP9 and
 * Opus in WebM, which every current browser plays. Encoding video needs a codec library,
 * so it was encoded once and committed; neither the seed nor CI needs ffmpeg. Made with:
 *
 *     ffmpeg -f lavfi -i "gradients=s=480x270:r=24:d=3:c0=0xad1457:c1=0xf8bbd0:c2=0x7e57c2:c3=0xffd54f:nb_colors=4:speed=0.04:type=radial:seed=7" \
 *       -f lavfi -i "sine=frequency=660:sample_rate=48000:duration=3,volume=0.3,afade=t=in:d=0.1,afade=t=out:st=2.8:d=0.2" \
 *       -map 0:v -map 1:a -c:v libvpx-vp9 -b:v 0 -crf 36 -row-mt 1 -deadline good -pix_fmt yuv420p -g 72 \
 *       -c:a libopus -b:a 32k -ac 1 -shortest -map_metadata -1 -fflags +bitexact demo-video.webm
 */
export const DEMO_VIDEO = { mimeType: "video/webm", durationMs: 3008, width: 480, height: 270 } as const;

/** The demo video's bytes. Read from the source tree: only local seeding ever needs them. */
export function demoVideoWebm(): Promise<Buffer> {
  return fs.readFile(path.join(/*turbopackIgnore: true*/ process.cwd(), "lib", "seed", "assets", "demo-video.webm"));
}
