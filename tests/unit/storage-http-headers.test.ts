import { describe, expect, it } from "vitest";
import { parseRange } from "@/lib/api/files/byte-range";
import { contentDisposition } from "@/lib/api/files/content-disposition";

describe("Range header", () => {
  it.each([
    ["bytes=0-99", { start: 0, end: 99 }],
    ["bytes=100-", { start: 100, end: 999 }],
    ["bytes=-100", { start: 900, end: 999 }],
    ["bytes=-5000", { start: 0, end: 999 }],
    ["bytes=990-5000", { start: 990, end: 999 }],
    ["bytes=999-999", { start: 999, end: 999 }],
    ["BYTES=1-2", { start: 1, end: 2 }],
  ])("%s of 1000 bytes", (header, range) => {
    expect(parseRange(header, 1000)).toEqual(range);
  });

  it.each(["bytes=1000-", "bytes=1000-1200", "bytes=-0"])("%s of 1000 bytes is unsatisfiable", (header) => {
    expect(parseRange(header, 1000)).toBe("unsatisfiable");
  });

  it.each([null, "bytes=5-1", "bytes=-", "bytes = 1-2", "items=0-1", "bytes=0-1,5-9", "bytes=a-b", "0-99"])(
    "ignores %s (serve the whole file)",
    (header) => {
      expect(parseRange(header, 1000)).toBeNull();
    },
  );
});

describe("Content-Disposition", () => {
  it("plays inline when there is no download name", () => {
    expect(contentDisposition(null)).toBe("inline");
  });

  it("names an attachment in ASCII and, exactly, in RFC 5987 UTF-8", () => {
    const header = contentDisposition(`ボイス "おはよう" (1)'s 100%.wav`);
    expect(header).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    const fallback = /filename="([^"]*)"/.exec(header)![1]!;
    expect(fallback).toBe("___ ______ (1)'s 100_.wav");
    const encoded = /filename\*=UTF-8''(.*)$/.exec(header)![1]!;
    expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(decodeURIComponent(encoded)).toBe(`ボイス "おはよう" (1)'s 100%.wav`);
  });
});
