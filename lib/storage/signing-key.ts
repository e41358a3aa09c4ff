import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { UrlSigningKeyConfig } from "../config";

const loaded = new Map<string, Promise<Buffer>>();

/**
 * The HMAC key for local file URLs. From the environment when set; otherwise 32 random
 * bytes generated once under the data folder, so URLs stay valid across restarts
 * without anyone having to invent a secret for a local run.
 */
export function loadSigningKey(config: UrlSigningKeyConfig): Promise<Buffer> {
  if (config.kind === "env") return Promise.resolve(Buffer.from(config.secret, "utf8"));
  let key = loaded.get(config.file);
  if (!key) {
    key = readOrCreate(config.file);
    loaded.set(config.file, key);
    key.catch(() => loaded.delete(config.file));
  }
  return key;
}

async function readOrCreate(file: string): Promise<Buffer> {
  try {
    return await readKey(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, randomBytes(32).toString("base64"), { mode: 0o600 });
  try {
    // A link appears whole and never replaces a file: when two processes start at
    // once, one key wins and both read it.
    await fs.link(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await fs.rm(temp, { force: true });
  }
  return readKey(file);
}

async function readKey(file: string): Promise<Buffer> {
  const key = Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64");
  if (key.length < 32) throw new Error(`The key in ${file} is too short; delete it to generate a new one.`);
  return key;
}
