import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSigningKey } from "@/lib/storage/signing-key";

const dirs: string[] = [];
async function tempFile(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-signing-"));
  dirs.push(dir);
  return path.join(dir, "keys", "storage-url-signing.key");
}
afterAll(() => Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true }))));

describe("URL signing key", () => {
  it("uses the configured secret as it is", async () => {
    const secret = "s".repeat(40);
    expect((await loadSigningKey({ kind: "env", secret })).toString("utf8")).toBe(secret);
  });

  it("generates 32 random bytes once, readable by the owner only, and reads them back", async () => {
    const file = await tempFile();
    const [first, second] = await Promise.all([
      loadSigningKey({ kind: "generated", file }),
      loadSigningKey({ kind: "generated", file }),
    ]);
    expect(first.length).toBe(32);
    expect(second.equals(first)).toBe(true);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64").equals(first)).toBe(true);
    expect((await fs.readdir(path.dirname(file))).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("keeps a key another process already wrote", async () => {
    const file = await tempFile();
    const existing = Buffer.alloc(32, 7);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, existing.toString("base64"));
    expect((await loadSigningKey({ kind: "generated", file })).equals(existing)).toBe(true);
  });

  it("refuses a key file too short to be safe", async () => {
    const file = await tempFile();
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, Buffer.alloc(8).toString("base64"));
    await expect(loadSigningKey({ kind: "generated", file })).rejects.toThrow(/too short/);
  });
});
