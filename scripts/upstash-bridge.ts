/**
 * `npm run bridge`: runs the Upstash-REST bridge alone, in front of REDIS_URL, on
 * 127.0.0.1:RATE_LIMIT_BRIDGE_PORT — for a `next dev` or `next start` you run yourself
 * in services mode (`npm start` runs the bridge for you). Stops on SIGINT / SIGTERM.
 */
import { loadConfig } from "../lib/config";
import { log } from "../lib/log/logger";
import { startBridge } from "../lib/ratelimit/bridge/server";

const { bridge } = loadConfig(process.env).rateLimit;
if (!bridge) {
  console.error(
    "Nothing to bridge: set REDIS_URL (and leave UPSTASH_REDIS_REST_URL unset, or the app talks to Upstash). " +
      "See .env.example.",
  );
  process.exit(1);
}

const running = await startBridge(bridge);
log("info", "ratelimit.bridge.listening", { url: running.url });
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
