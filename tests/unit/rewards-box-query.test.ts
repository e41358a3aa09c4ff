import { describe, expect, it } from "vitest";
import { formatFileSize } from "@/lib/rewards/file-size";
import { parseRewardBoxQuery, rewardBoxHref } from "@/lib/rewards/reward-box-query";

const ID = "3f2b8c1e-9d4a-4b7e-8a1c-2e5f6a7b8c9d";

describe("parseRewardBoxQuery", () => {
  it("reads a kind, a VTuber slug and a cursor", () => {
    expect(parseRewardBoxQuery({ kind: "video", vtuber: "hoshino-mio", before: ID.toUpperCase() })).toEqual({
      kind: "video",
      vtuber: "hoshino-mio",
      before: ID,
    });
  });

  it("drops what cannot be a kind, a slug or a reward id, and repeated parameters", () => {
    expect(parseRewardBoxQuery({ kind: "audio", vtuber: "../admin", before: "1 or 1=1", extra: "x" })).toEqual({
      kind: null,
      vtuber: null,
      before: null,
    });
    expect(parseRewardBoxQuery({ kind: ["voice", "image"], vtuber: undefined })).toEqual({
      kind: null,
      vtuber: null,
      before: null,
    });
  });
});

describe("rewardBoxHref", () => {
  it("links to the bare page when nothing is set, and keeps only what is set", () => {
    expect(rewardBoxHref({})).toBe("/me/rewards");
    expect(rewardBoxHref({ kind: null, vtuber: "tsukishiro-ren", before: null })).toBe(
      "/me/rewards?vtuber=tsukishiro-ren",
    );
    expect(rewardBoxHref({ kind: "image", vtuber: "hanasaki-yui", before: ID })).toBe(
      `/me/rewards?kind=image&vtuber=hanasaki-yui&before=${ID}`,
    );
  });

  it("round-trips through the parser", () => {
    const query = { kind: "voice", vtuber: "hoshino-mio", before: ID } as const;
    const params = Object.fromEntries(new URL(rewardBoxHref(query), "http://x").searchParams);
    expect(parseRewardBoxQuery(params)).toEqual(query);
  });
});

describe("formatFileSize", () => {
  it("counts in 1,024 steps with one decimal above bytes", () => {
    expect(formatFileSize(512, "ja")).toBe("512 B");
    expect(formatFileSize(38_444, "ja")).toBe("37.5 KB");
    expect(formatFileSize(23_827, "en")).toBe("23.3 KB");
    expect(formatFileSize(3 * 1024 * 1024, "en")).toBe("3 MB");
    expect(formatFileSize(1536 * 1024 * 1024, "ja")).toBe("1.5 GB");
  });
});
