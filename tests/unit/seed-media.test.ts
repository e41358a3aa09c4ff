import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEMO_RATES, DEMO_VTUBERS, splitWeights } from "@/lib/seed/catalog";
import { gradientPng, toneWav } from "@/lib/seed/media";

describe("toneWav", () => {
  it("writes a playable 16-bit mono PCM WAV of the asked length", () => {
    const wav = toneWav(440, 1000, 16000);
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.toString("ascii", 8, 12)).toBe("WAVE");
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    expect(wav.readUInt16LE(20)).toBe(1); // PCM
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.readUInt32LE(40)).toBe(16000 * 2);
    // Fades in from silence and actually makes sound in the middle.
    expect(wav.readInt16LE(44)).toBe(0);
    const middle = Array.from({ length: 100 }, (_, i) => Math.abs(wav.readInt16LE(44 + (8000 + i) * 2)));
    expect(Math.max(...middle)).toBeGreaterThan(5000);
  });
});

describe("gradientPng", () => {
  it("writes a valid PNG whose pixels decode to the asked size", () => {
    const png = gradientPng([0, 0, 0], [255, 255, 255], 16);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.toString("ascii", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(16);
    expect(png.readUInt32BE(20)).toBe(16);
    const idatLength = png.readUInt32BE(33);
    expect(png.toString("ascii", 37, 41)).toBe("IDAT");
    const pixels = inflateSync(png.subarray(41, 41 + idatLength));
    expect(pixels.length).toBe(16 * (16 * 3 + 1));
    // Top-left corner is the start colour; bottom-right the end colour.
    expect([...pixels.subarray(1, 4)]).toEqual([0, 0, 0]);
    expect([...pixels.subarray(pixels.length - 3)]).toEqual([255, 255, 255]);
  });
});

describe("demo rates", () => {
  it("split into integer weights that sum exactly", () => {
    expect(splitWeights(700_000, 3)).toEqual([233_334, 233_333, 233_333]);
    expect(splitWeights(10, 4).reduce((a, b) => a + b)).toBe(10);
  });

  it("sum to 1,000,000 ppm per table and keep the SSR rate in the guaranteed slot", () => {
    const sum = (t: Partial<Record<string, number>>) => Object.values(t).reduce((a, b) => a! + b!, 0);
    expect(sum(DEMO_RATES.regular)).toBe(1_000_000);
    expect(sum(DEMO_RATES.guaranteed)).toBe(1_000_000);
    expect(DEMO_RATES.guaranteed.SSR).toBe(DEMO_RATES.regular.SSR);
    expect(Object.keys(DEMO_RATES.guaranteed).sort()).toEqual(["SR", "SSR"]);
    for (const vtuber of DEMO_VTUBERS) {
      for (const rarity of ["N", "R", "SR", "SSR"]) {
        expect(vtuber.items.some((i) => i.rarity === rarity)).toBe(true);
      }
    }
  });
});
