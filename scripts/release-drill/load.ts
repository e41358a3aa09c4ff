/**
 * Continuous load for the release drill: `concurrency` clients, each requesting, pausing
 * and requesting again, pages and APIs, signed-out and signed in. Each request leaves
 * from its own loopback address (127.0.1.1–254), so the per-address rate limit of
 * signed-out traffic sees 254 visitors rather than one, and each signed-in request
 * carries one of several fans' tokens.
 * Every answer is recorded with the colour that served it (HAProxy's X-Koepon-Colour).
 */
import http from "node:http";

export interface LoadSample {
  at: number;
  path: string;
  status: number;
  ms: number;
  colour: string | null;
  error?: string;
}

export interface Load {
  stop(): Promise<LoadSample[]>;
  samples: LoadSample[];
}

export function startLoad(options: {
  url: string;
  concurrency: number;
  anonymousPaths: string[];
  signedInPaths: string[];
  tokens: string[];
  /** Share of requests sent signed in. @default 0.08 */
  signedInShare?: number;
  /** Each client's pause between its requests, as a visitor reads a page. @default 1000 */
  thinkMs?: number;
}): Load {
  const samples: LoadSample[] = [];
  const target = new URL(options.url);
  let running = true;
  let n = 0;

  const one = (): Promise<void> => {
    const i = n++;
    const signedIn = options.tokens.length > 0 && (i % 100) / 100 < (options.signedInShare ?? 0.08);
    const paths = signedIn ? options.signedInPaths : options.anonymousPaths;
    const path = paths[i % paths.length]!;
    const headers: Record<string, string> = { accept: path.startsWith("/api") ? "application/json" : "text/html" };
    if (signedIn) headers.authorization = `Bearer ${options.tokens[i % options.tokens.length]}`;
    const started = performance.now();
    return new Promise((resolve) => {
      // No answer, or one cut short: the request failed.
      const failed = (err: Error) => {
        samples.push({
          at: Date.now(),
          path,
          status: 0,
          ms: performance.now() - started,
          colour: null,
          error: err.message,
        });
        resolve();
      };
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path,
          headers,
          agent: false,
          localAddress: `127.0.1.${(i % 254) + 1}`,
          timeout: 30_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            samples.push({
              at: Date.now(),
              path,
              status: res.statusCode ?? 0,
              ms: performance.now() - started,
              colour: (res.headers["x-koepon-colour"] as string | undefined) ?? null,
            });
            resolve();
          });
          res.on("error", failed);
        },
      );
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", failed);
      req.end();
    });
  };

  const think = options.thinkMs ?? 1_000;
  const workers = Array.from({ length: options.concurrency }, async (_, i) => {
    // Spread the clients' starts over one pause, so they do not arrive in step.
    await sleep((think * i) / options.concurrency);
    while (running) {
      await one();
      if (running) await sleep(think);
    }
  });

  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(workers);
      return samples;
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failed request: no answer at all, or the server's fault. A 429 is the limiter doing its job. */
export const isFailure = (s: LoadSample) => s.status === 0 || s.status >= 500;
