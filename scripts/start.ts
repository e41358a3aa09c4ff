/**
 * `npm start`: build when the sources changed since the last build, then serve with
 * scripts/serve.ts (Next's production server behind our front door, on HOST:PORT). The server itself migrates and seeds on start (instrumentation.ts),
 * because in embedded mode only the server process may open the PGlite directory.
 * In services mode (REDIS_URL without Upstash) it also runs the Upstash-REST bridge the
 * rate limiter talks to, in this process, for as long as the server runs.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { loadConfig, type RateLimitConfig } from "../lib/config";
import { startEnvironment } from "../lib/config/start";
import { startBridge } from "../lib/ratelimit/bridge/server";

const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const stampFile = path.join(root, ".next", "koepon-source-hash");
const SOURCES = [
  "app",
  "lib",
  "public",
  "middleware.ts",
  "instrumentation.ts",
  "next.config.js",
  "package-lock.json",
  "tsconfig.json",
];

const env = startEnvironment(process.env, () => randomBytes(32).toString("base64url")) as NodeJS.ProcessEnv;
env.KOEPON_COMMIT_SHA ||= gitCommit();
const config = loadConfig(env);

function gitCommit(): string {
  const result = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: root, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

function sourceHash(): string {
  const hash = createHash("sha256");
  const visit = (entry: string) => {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isDirectory()) {
      for (const child of fs.readdirSync(full).sort()) visit(path.join(entry, child));
    } else {
      hash.update(entry).update(fs.readFileSync(full));
    }
  };
  SOURCES.forEach(visit);
  return hash.digest("hex");
}

const hash = sourceHash();
const built =
  fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
  fs.existsSync(stampFile) &&
  fs.readFileSync(stampFile, "utf8") === hash;
if (!built) {
  console.log("Building the app (first start or sources changed)… / アプリをビルドしています…");
  const build = spawnSync(process.execPath, [nextBin, "build", "--turbopack"], { cwd: root, env, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
  fs.writeFileSync(stampFile, hash);
}

// Up before the server, so its first requests already count in Redis.
const bridge = config.rateLimit.bridge ? await startBridgeOrExit(config.rateLimit.bridge) : null;

console.log(`Starting Koepon! in ${config.mode} mode on ${config.appUrl}`);
const server = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "serve.ts")], {
  cwd: root,
  env,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => {
  void (bridge?.close() ?? Promise.resolve()).finally(() => process.exit(code ?? (signal ? 1 : 0)));
});

async function startBridgeOrExit(options: NonNullable<RateLimitConfig["bridge"]>) {
  try {
    const running = await startBridge(options);
    console.log(`Rate-limit bridge on ${running.url} → ${redactedUrl(options.redisUrl)}`);
    return running;
  } catch (err) {
    console.error(
      `Could not start the rate-limit bridge on port ${options.port}: ${(err as Error).message}. ` +
        "Stop whatever holds it or set RATE_LIMIT_BRIDGE_PORT.",
    );
    process.exit(1);
  }
}

function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
