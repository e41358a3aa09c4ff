import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "@/lib/config";
import { opsSettings } from "@/lib/config/ops";
import { startEnvironment } from "@/lib/config/start";

const PG = "postgres://postgres@127.0.0.1:5432/koepon";

describe("loadConfig", () => {
  it("defaults to embedded mode with PGlite under .data/", () => {
    const config = loadConfig({});
    expect(config.mode).toBe("embedded");
    expect(config.database).toEqual({ kind: "pglite", dir: ".data/pglite", queueMax: 100, waitMs: 2_000 });
    expect(config.storage).toEqual({
      kind: "local",
      dir: ".data/storage",
      signingKey: { kind: "generated", file: ".data/keys/storage-url-signing.key" },
      signedUrlTtlSeconds: 300,
      vtuberQuotaBytes: 2048 * 1024 * 1024,
    });
    expect(config.rateLimit.store).toEqual({ kind: "memory" });
    expect(config.auth.keys).toEqual({ kind: "generated", dir: ".data/keys" });
    expect(config.appUrl).toBe("http://localhost:3000");
    expect(config.autoMigrate).toBe(true);
    expect(config.bcryptCost).toBe(12);
  });

  it("reads the client address from the socket peer unless proxies are named, and from Vercel's header on Vercel", () => {
    expect(loadConfig({}).rateLimit.clientAddress).toEqual({ source: "forwarded", trustedProxies: [] });
    expect(loadConfig({ TRUSTED_PROXIES: " 10.0.0.0/8, 2001:db8::1 " }).rateLimit.clientAddress).toEqual({
      source: "forwarded",
      trustedProxies: ["10.0.0.0/8", "2001:db8::1"],
    });
    expect(loadConfig({ VERCEL: "1", TRUSTED_PROXIES: "10.0.0.0/8" }).rateLimit.clientAddress).toEqual({
      source: "vercel",
    });
    expect(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8,proxy.internal" })).toThrow(ConfigError);
  });

  it("listens on loopback unless HOST says otherwise", () => {
    expect(loadConfig({}).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
  });

  it("switches to PostgreSQL when DATABASE_URL is set", () => {
    const config = loadConfig({ DATABASE_URL: PG, DATABASE_POOL_MAX: "7" });
    expect(config.mode).toBe("services");
    expect(config.database).toEqual({
      kind: "postgres",
      url: PG,
      poolMax: 7,
      queueMax: 100,
      waitMs: 2_000,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 15_000,
      preparedStatements: true,
    });
    expect(loadConfig({ DATABASE_URL: PG }).database).toMatchObject({ poolMax: 20 });
  });

  it("prepares statements on a direct connection, never behind a transaction-mode pooler's port unless told", () => {
    const prepared = (env: Record<string, string>) =>
      (loadConfig(env).database as { preparedStatements: boolean }).preparedStatements;
    const supabasePooler = "postgres://postgres.ref:pw@aws-0-ap-northeast-1.pooler.supabase.com:6543/postgres";
    const pgbouncer = "postgres://app@10.0.0.5:6432/koepon";
    expect(prepared({ DATABASE_URL: PG })).toBe(true);
    expect(prepared({ DATABASE_URL: "postgres://postgres@db.example.supabase.co:5432/postgres" })).toBe(true);
    expect(prepared({ DATABASE_URL: supabasePooler })).toBe(false);
    expect(prepared({ DATABASE_URL: pgbouncer })).toBe(false);
    expect(prepared({ DATABASE_URL: pgbouncer, DATABASE_PREPARED_STATEMENTS: "on" })).toBe(true);
    expect(prepared({ DATABASE_URL: PG, DATABASE_PREPARED_STATEMENTS: "off" })).toBe(false);
    expect(prepared({ DATABASE_URL: PG, DATABASE_PREPARED_STATEMENTS: "" })).toBe(true);
  });

  it("bounds connecting and statements, and names the direct connection for work a pooler cannot carry", () => {
    const direct = "postgres://postgres@db.example.supabase.co:5432/postgres";
    const config = loadConfig({
      DATABASE_URL: PG,
      DATABASE_DIRECT_URL: direct,
      DATABASE_CONNECT_TIMEOUT_MS: "800",
      DATABASE_STATEMENT_TIMEOUT_MS: "0",
    });
    expect(config.database).toMatchObject({ directUrl: direct, connectTimeoutMs: 800, statementTimeoutMs: 0 });
  });

  it("sizes the queue in front of the database, refusing what would wait without bound", () => {
    expect(loadConfig({ DATABASE_QUEUE_MAX: "0", DATABASE_QUEUE_WAIT_MS: "250" }).database).toMatchObject({
      queueMax: 0,
      waitMs: 250,
    });
    expect(() => loadConfig({ DATABASE_QUEUE_MAX: "-1" })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_QUEUE_WAIT_MS: "0" })).toThrow(ConfigError);
  });

  it("follows PORT for the default app URL", () => {
    expect(loadConfig({ PORT: "3100" }).appUrl).toBe("http://localhost:3100");
    expect(loadConfig({ PORT: "3100", APP_URL: "https://koepon.example" }).appUrl).toBe("https://koepon.example");
  });

  it("refuses local stores under NODE_ENV=production unless explicitly allowed", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/PGlite database.*KOEPON_ALLOW_EMBEDDED/);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: PG })).toThrow(/local file storage/);
    expect(loadConfig({ NODE_ENV: "production", KOEPON_ALLOW_EMBEDDED: "1" }).mode).toBe("embedded");
  });

  it("lets `next build` load the config without stores", () => {
    const config = loadConfig({ NODE_ENV: "production", NEXT_PHASE: "phase-production-build" });
    expect(config.isBuildPhase).toBe(true);
  });

  it.each([
    [{ DATABASE_URL: "mysql://localhost/x" }, /DATABASE_URL/],
    [{ DATABASE_POOL_MAX: "0" }, /DATABASE_POOL_MAX/],
    [{ DATABASE_DIRECT_URL: "mysql://localhost/x" }, /DATABASE_DIRECT_URL/],
    [{ DATABASE_CONNECT_TIMEOUT_MS: "0" }, /DATABASE_CONNECT_TIMEOUT_MS/],
    [{ DATABASE_STATEMENT_TIMEOUT_MS: "-1" }, /DATABASE_STATEMENT_TIMEOUT_MS/],
    [{ DATABASE_PREPARED_STATEMENTS: "yes" }, /DATABASE_PREPARED_STATEMENTS/],
    [{ BCRYPT_COST: "3" }, /BCRYPT_COST/],
    [{ NODE_ENV: "staging" }, /NODE_ENV/],
    [{ APP_URL: "ftp://x" }, /APP_URL/],
    [{ KOEPON_ALLOW_EMBEDDED: "maybe" }, /KOEPON_ALLOW_EMBEDDED/],
  ])("rejects %o with a message naming the setting", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("names every bad setting in one message, whichever sections they belong to", () => {
    const env = { PORT: "http", DATABASE_URL: "mysql://localhost/x", SIGNED_URL_TTL_SECONDS: "5", BCRYPT_COST: "3" };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      /PORT.*BCRYPT_COST.*DATABASE_URL.*SIGNED_URL_TTL_SECONDS.*See \.env\.example/,
    );
  });

  it("treats an empty variable as unset", () => {
    const config = loadConfig({
      DATABASE_URL: "",
      STRIPE_SECRET_KEY: "",
      STRIPE_WEBHOOK_SECRET: "",
      KOEPON_COMMIT_SHA: "",
    });
    expect(config.database.kind).toBe("pglite");
    expect(config.payments.provider).toBe("sandbox");
    expect(config.commit).toBe("unknown");
  });

  it("reads the commit from Vercel first, then from KOEPON_COMMIT_SHA", () => {
    expect(loadConfig({}).commit).toBe("unknown");
    expect(loadConfig({ KOEPON_COMMIT_SHA: "abc123" }).commit).toBe("abc123");
    expect(loadConfig({ KOEPON_COMMIT_SHA: "abc123", VERCEL_GIT_COMMIT_SHA: "def456" }).commit).toBe("def456");
  });
});

describe("seller details and analytics", () => {
  it("marks the legal pages as a demo while the seller is not configured", () => {
    const config = loadConfig({});
    expect(config.operator.placeholder).toBe(true);
    expect(config.operator.name).toBeNull();
  });

  it("uses the configured seller and accepts a missing phone", () => {
    const config = loadConfig({
      KOEPON_OPERATOR_NAME: "株式会社こえポン",
      KOEPON_OPERATOR_REPRESENTATIVE: "山田太郎",
      KOEPON_OPERATOR_ADDRESS: "東京都渋谷区1-2-3",
      KOEPON_OPERATOR_EMAIL: "support@koepon.example",
    });
    expect(config.operator).toEqual({
      name: "株式会社こえポン",
      representative: "山田太郎",
      address: "東京都渋谷区1-2-3",
      email: "support@koepon.example",
      phone: null,
      placeholder: false,
    });
  });

  it("rejects a malformed seller email", () => {
    expect(() => loadConfig({ KOEPON_OPERATOR_EMAIL: "not-an-email" })).toThrow(/KOEPON_OPERATOR_EMAIL/);
  });

  it("loads analytics on Vercel only, unless told otherwise", () => {
    expect(loadConfig({}).webAnalytics).toBe(false);
    expect(loadConfig({ VERCEL: "1" }).webAnalytics).toBe(true);
    expect(loadConfig({ VERCEL: "1", KOEPON_WEB_ANALYTICS: "0" }).webAnalytics).toBe(false);
  });

  it("shares public pages only when told to (a second render that pays off only behind a Vary-honouring cache)", () => {
    expect(loadConfig({}).sharedPages).toBe(false);
    expect(loadConfig({ VERCEL: "1" }).sharedPages).toBe(false);
    expect(loadConfig({ KOEPON_SHARED_PAGES: "1" }).sharedPages).toBe(true);
    expect(loadConfig({ VERCEL: "1", KOEPON_SHARED_PAGES: "1" }).sharedPages).toBe(true);
    expect(loadConfig({ KOEPON_SHARED_PAGES: "0" }).sharedPages).toBe(false);
  });
});

describe("auth and rate-limit settings", () => {
  const privateJwk = JSON.stringify({ kty: "RSA", kid: "k2", n: "x", e: "AQAB", d: "y" });
  const publicJwk = { kty: "RSA", kid: "k1", n: "x", e: "AQAB" };

  it("derives issuer, JWKS location and cookie security from the app URL", () => {
    const local = loadConfig({ PORT: "3100" });
    expect(local.auth).toMatchObject({
      issuer: "http://localhost:3100",
      audience: "koepon-api",
      accessTokenTtlSeconds: 900,
      refreshTokenTtlDays: 30,
      clockToleranceSeconds: 30,
      jwksUrl: "http://127.0.0.1:3100/.well-known/jwks.json",
      cookieSecure: false,
    });
    expect(loadConfig({ APP_URL: "https://koepon.example" }).auth.cookieSecure).toBe(true);
  });

  it("asks for a sign-in at most RECENT_SIGN_IN_MINUTES old before a data export, 15 by default", () => {
    expect(loadConfig({}).auth.recentSignInMinutes).toBe(15);
    expect(loadConfig({ RECENT_SIGN_IN_MINUTES: "5" }).auth.recentSignInMinutes).toBe(5);
    expect(() => loadConfig({ RECENT_SIGN_IN_MINUTES: "0" })).toThrow(/RECENT_SIGN_IN_MINUTES/);
    expect(() => loadConfig({ RECENT_SIGN_IN_MINUTES: "241" })).toThrow(/RECENT_SIGN_IN_MINUTES/);
  });

  it("takes signing and rotation keys from the environment", () => {
    const config = loadConfig({ JWT_SIGNING_KEY: privateJwk, JWT_VERIFY_KEYS: JSON.stringify([publicJwk]) });
    expect(config.auth.keys).toEqual({ kind: "env", signingKey: privateJwk, verifyKeys: [JSON.stringify(publicJwk)] });
  });

  it.each([
    [{ JWT_SIGNING_KEY: "not json" }, /JWT_SIGNING_KEY/],
    [{ JWT_SIGNING_KEY: JSON.stringify(publicJwk) }, /JWT_SIGNING_KEY/],
    [{ JWT_VERIFY_KEYS: JSON.stringify([{ ...publicJwk, d: "secret" }]) }, /JWT_VERIFY_KEYS/],
    [{ UPSTASH_REDIS_REST_URL: "https://x.upstash.io" }, /together/],
    [{ REDIS_URL: "http://127.0.0.1:6379" }, /REDIS_URL/],
  ])("rejects %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("puts the bundled bridge in front of REDIS_URL, and prefers Upstash when both are set", () => {
    const token = "bridge-token-0123456789";
    const services = loadConfig({
      REDIS_URL: "redis://127.0.0.1:6379",
      RATE_LIMIT_BRIDGE_PORT: "8090",
      RATE_LIMIT_BRIDGE_TOKEN: token,
    });
    expect(services.rateLimit.bridge).toEqual({ redisUrl: "redis://127.0.0.1:6379", port: 8090, token });
    expect(services.rateLimit.store).toEqual({ kind: "upstash", url: "http://127.0.0.1:8090", token });

    const upstash = loadConfig({
      REDIS_URL: "redis://127.0.0.1:6379",
      UPSTASH_REDIS_REST_URL: "https://eu1.upstash.io",
      UPSTASH_REDIS_REST_TOKEN: "t0ken",
    });
    expect(upstash.rateLimit.bridge).toBeNull();
    expect(upstash.rateLimit.store).toEqual({ kind: "upstash", url: "https://eu1.upstash.io", token: "t0ken" });
  });

  it("counts the in-memory limiter and generated keys as local stores", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: PG })).toThrow(/in-memory rate limiter/);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: PG })).toThrow(/JWT keys generated/);
  });
});

describe("payment settings", () => {
  const stripe = { STRIPE_SECRET_KEY: "sk_test_abc123", STRIPE_WEBHOOK_SECRET: "whsec_def456" };

  it("uses the sandbox with a webhook secret generated in the data folder", () => {
    expect(loadConfig({ PORT: "3100" }).payments).toEqual({
      provider: "sandbox",
      webhookSecret: null,
      secretFile: ".data/keys/sandbox-webhook.key",
      webhookUrl: null,
    });
    const own = "whsec_0123456789abcdef01234567";
    expect(loadConfig({ SANDBOX_WEBHOOK_SECRET: own }).payments).toMatchObject({ webhookSecret: own });
    expect(() => loadConfig({ SANDBOX_WEBHOOK_SECRET: "whsec_koepon_local_sandbox" })).toThrow(ConfigError);
    // Posted over HTTP only when told where (the fault drill's proxy).
    expect(loadConfig({ SANDBOX_WEBHOOK_URL: "http://127.0.0.1:5003/api/webhooks/stripe" }).payments).toMatchObject({
      webhookUrl: "http://127.0.0.1:5003/api/webhooks/stripe",
    });
    expect(() => loadConfig({ SANDBOX_WEBHOOK_URL: "not a url" })).toThrow(ConfigError);
  });

  it("switches to Stripe when its keys are set, optionally against a local API server", () => {
    expect(loadConfig(stripe).payments).toEqual({
      provider: "stripe",
      secretKey: "sk_test_abc123",
      webhookSecret: "whsec_def456",
      apiBase: null,
    });
    expect(loadConfig({ ...stripe, STRIPE_API_BASE: "http://127.0.0.1:12111" }).payments).toMatchObject({
      apiBase: { host: "127.0.0.1", port: 12111, protocol: "http" },
    });
  });

  it("counts the sandbox as a local store that production refuses", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: PG })).toThrow(/sandbox payments/);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: PG, ...stripe })).not.toThrow(/sandbox payments/);
  });

  it.each([
    [{ STRIPE_SECRET_KEY: "sk_test_abc123" }, /STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET together/],
    [{ STRIPE_WEBHOOK_SECRET: "whsec_def456" }, /together/],
    [{ STRIPE_SECRET_KEY: "pk_test_publishable", STRIPE_WEBHOOK_SECRET: "whsec_def456" }, /STRIPE_SECRET_KEY/],
    [{ ...stripe, STRIPE_WEBHOOK_SECRET: "not-a-secret" }, /STRIPE_WEBHOOK_SECRET/],
    [{ SANDBOX_WEBHOOK_SECRET: "plain" }, /SANDBOX_WEBHOOK_SECRET/],
    [{ ...stripe, STRIPE_API_BASE: "ftp://x" }, /STRIPE_API_BASE/],
  ])("rejects %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("storage settings", () => {
  const supabase = { SUPABASE_URL: "https://abc.supabase.co/", SUPABASE_SERVICE_ROLE_KEY: "service-role-key" };

  it("signs local URLs with STORAGE_SIGNING_SECRET when set", () => {
    const secret = "x".repeat(32);
    const config = loadConfig({ STORAGE_SIGNING_SECRET: secret, SIGNED_URL_TTL_SECONDS: "120" });
    expect(config.storage).toMatchObject({
      kind: "local",
      signingKey: { kind: "env", secret },
      signedUrlTtlSeconds: 120,
      vtuberQuotaBytes: 2048 * 1024 * 1024,
    });
  });

  it("switches to Supabase Storage when its URL and key are set, in the default bucket", () => {
    expect(loadConfig(supabase).storage).toEqual({
      kind: "supabase",
      url: "https://abc.supabase.co",
      serviceRoleKey: "service-role-key",
      bucket: "content",
      signedUrlTtlSeconds: 300,
      vtuberQuotaBytes: 2048 * 1024 * 1024,
    });
    expect(loadConfig({ ...supabase, SUPABASE_STORAGE_BUCKET: "koepon-media" }).storage).toMatchObject({
      bucket: "koepon-media",
    });
  });

  it("no longer counts storage as a local store once Supabase Storage is configured", () => {
    const env = { NODE_ENV: "production", DATABASE_URL: PG, ...supabase };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).not.toThrow(/local file storage/);
  });

  it.each([
    [{ SUPABASE_URL: "https://abc.supabase.co" }, /together/],
    [{ SUPABASE_SERVICE_ROLE_KEY: "k" }, /together/],
    [{ SUPABASE_URL: "ftp://abc", SUPABASE_SERVICE_ROLE_KEY: "k" }, /SUPABASE_URL/],
    [{ SUPABASE_STORAGE_BUCKET: "Bad Bucket" }, /SUPABASE_STORAGE_BUCKET/],
    [{ STORAGE_SIGNING_SECRET: "short" }, /STORAGE_SIGNING_SECRET/],
    [{ SIGNED_URL_TTL_SECONDS: "5" }, /SIGNED_URL_TTL_SECONDS/],
    [{ SIGNED_URL_TTL_SECONDS: "86400" }, /SIGNED_URL_TTL_SECONDS/],
  ])("rejects %o", (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe("fairness settings", () => {
  it("generates the seed key under the data folder unless FAIRNESS_SEED_KEY is set", () => {
    expect(loadConfig({}).fairness.seedKey).toEqual({ kind: "generated", file: ".data/keys/fairness-seed.key" });
    const secret = "k".repeat(32);
    expect(loadConfig({ FAIRNESS_SEED_KEY: secret }).fairness.seedKey).toEqual({ kind: "env", secret });
    expect(() => loadConfig({ FAIRNESS_SEED_KEY: "short" })).toThrow(/FAIRNESS_SEED_KEY/);
  });

  it("requires FAIRNESS_SEED_KEY in production, but not to build", async () => {
    const { fairnessSettings } = await import("@/lib/config/fairness");
    const server = { dataDir: ".data", isBuildPhase: false };
    expect(() => fairnessSettings({}, server, { mode: "production" })).toThrow(/Set FAIRNESS_SEED_KEY/);
    expect(fairnessSettings({}, { ...server, isBuildPhase: true }, { mode: "production" }).seedKey.kind).toBe(
      "generated",
    );
    expect(fairnessSettings({ FAIRNESS_SEED_KEY: "x".repeat(40) }, server, { mode: "production" }).seedKey.kind).toBe(
      "env",
    );
  });
});

describe("backup settings", () => {
  it("writes plaintext backups under the data folder unless told otherwise", () => {
    expect(loadConfig({ KOEPON_DATA_DIR: "/srv/koepon" }).backup).toEqual({
      dir: "/srv/koepon/backups",
      encryptionKey: null,
      postgresBinDir: null,
    });
  });

  it("takes a 32-byte base64 key, a folder and the PostgreSQL programs' folder", () => {
    const key = Buffer.alloc(32, 7).toString("base64");
    const backup = loadConfig({
      BACKUP_ENCRYPTION_KEY: key,
      BACKUP_DIR: "/var/backups/koepon",
      POSTGRES_BIN_DIR: "/usr/lib/postgresql/15/bin",
    }).backup;
    expect(backup).toEqual({
      dir: "/var/backups/koepon",
      encryptionKey: key,
      postgresBinDir: "/usr/lib/postgresql/15/bin",
    });
  });

  it("refuses a key of another length", () => {
    for (const bad of [Buffer.alloc(16).toString("base64"), Buffer.alloc(32).toString("hex"), "not a key"]) {
      expect(() => loadConfig({ BACKUP_ENCRYPTION_KEY: bad })).toThrow(/BACKUP_ENCRYPTION_KEY must be 32 bytes/);
    }
  });
});

describe("operations settings", () => {
  it("has no metrics token or cron secret by default and runs the scheduler in-process outside production", () => {
    expect(loadConfig({}).ops).toEqual({
      metricsToken: null,
      cronSecret: null,
      scheduler: true,
      requestMetrics: true,
      serverTiming: false,
      datadog: null,
    });
    expect(loadConfig({ DATABASE_URL: PG }).ops.scheduler).toBe(true);
    expect(loadConfig({ KOEPON_SCHEDULER: "0" }).ops.scheduler).toBe(false);
    // Production mode leaves the jobs to Vercel Cron unless told otherwise.
    expect(opsSettings({}, { mode: "production" }).scheduler).toBe(false);
    expect(opsSettings({ KOEPON_SCHEDULER: "1" }, { mode: "production" }).scheduler).toBe(true);
  });

  it("switches request metrics off and Server-Timing on only when told", () => {
    expect(loadConfig({ KOEPON_REQUEST_METRICS: "0", KOEPON_SERVER_TIMING: "1" }).ops).toMatchObject({
      requestMetrics: false,
      serverTiming: true,
    });
    expect(() => loadConfig({ KOEPON_SERVER_TIMING: "maybe" })).toThrow();
  });

  it("takes the metrics token and cron secret, and refuses short or spaced ones", () => {
    const token = "0123456789abcdef0123";
    expect(loadConfig({ METRICS_TOKEN: token, CRON_SECRET: `${token}x` }).ops).toMatchObject({
      metricsToken: token,
      cronSecret: `${token}x`,
    });
    expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ CRON_SECRET: "has a space in it, too long" })).toThrow(/CRON_SECRET/);
  });
});

describe("Datadog settings", () => {
  const key = "0123456789abcdef0123456789abcdef";

  it("sends nowhere without DD_API_KEY, and to the API of DD_SITE (US1 by default) with it", () => {
    expect(loadConfig({ DD_SITE: "ap1.datadoghq.com" }).ops.datadog).toBeNull();
    expect(loadConfig({ DD_API_KEY: key }).ops.datadog).toEqual({
      apiKey: key,
      site: "datadoghq.com",
      apiUrl: "https://api.datadoghq.com",
      hostname: null,
    });
    expect(loadConfig({ DD_API_KEY: key, DD_SITE: "ap1.datadoghq.com" }).ops.datadog?.apiUrl).toBe(
      "https://api.ap1.datadoghq.com",
    );
    expect(loadConfig({ DD_API_KEY: key, DD_SITE: "datadoghq.eu" }).ops.datadog?.apiUrl).toBe(
      "https://api.datadoghq.eu",
    );
  });

  it("takes a base URL of its own (a local intake, a proxy) and a host name", () => {
    expect(
      loadConfig({ DD_API_KEY: key, DD_API_URL: "http://127.0.0.1:4400/", DD_HOSTNAME: "web-1" }).ops.datadog,
    ).toMatchObject({ apiUrl: "http://127.0.0.1:4400", hostname: "web-1" });
  });

  it("refuses an unknown site, a malformed key or URL", () => {
    expect(() => loadConfig({ DD_API_KEY: key, DD_SITE: "datadoghq.jp" })).toThrow(/DD_SITE/);
    expect(() => loadConfig({ DD_API_KEY: "not a key" })).toThrow(/DD_API_KEY/);
    expect(() => loadConfig({ DD_API_KEY: key, DD_API_URL: "ftp://x" })).toThrow(/DD_API_URL/);
  });
});

describe("the rate-limit bridge's token", () => {
  const services = { REDIS_URL: "redis://127.0.0.1:6379", NODE_ENV: "development" } as const;

  it("is required with REDIS_URL outside tests, and the published example is refused", () => {
    expect(() => loadConfig(services)).toThrow(/RATE_LIMIT_BRIDGE_TOKEN is required/);
    expect(() => loadConfig({ ...services, RATE_LIMIT_BRIDGE_TOKEN: "koepon-local-bridge" })).toThrow(ConfigError);
    const token = "a-token-of-our-own-0123456789";
    expect(loadConfig({ ...services, RATE_LIMIT_BRIDGE_TOKEN: token }).rateLimit.store).toEqual({
      kind: "upstash",
      url: "http://127.0.0.1:8079",
      token,
    });
  });

  it("is random in a test run that sets none", () => {
    const a = loadConfig({ ...services, NODE_ENV: "test" }).rateLimit.bridge?.token;
    const b = loadConfig({ ...services, NODE_ENV: "test" }).rateLimit.bridge?.token;
    expect(a).toMatch(/^test-/);
    expect(a).not.toBe(b);
  });
});

describe("npm start's environment", () => {
  const token = () => "generated-token-0123456789";

  it("runs the production build on local stores when the operator asked for nothing", () => {
    const env = startEnvironment({}, token);
    expect(env).toMatchObject({ NODE_ENV: "production", KOEPON_ALLOW_EMBEDDED: "1" });
    const config = loadConfig(env);
    expect(config.mode).toBe("embedded");
    expect(config.host).toBe("127.0.0.1");
  });

  it("never turns the guard off for an operator who set NODE_ENV=production", () => {
    const env = startEnvironment({ NODE_ENV: "production" }, token);
    expect(env.KOEPON_ALLOW_EMBEDDED).toBeUndefined();
    expect(() => loadConfig(env)).toThrow(/Refusing to start with NODE_ENV=production on local stores/);
    // Allowed only when they say so themselves.
    expect(loadConfig(startEnvironment({ NODE_ENV: "production", KOEPON_ALLOW_EMBEDDED: "1" }, token)).mode).toBe(
      "embedded",
    );
  });

  it("makes the bridge token unless one is set", () => {
    expect(startEnvironment({}, token).RATE_LIMIT_BRIDGE_TOKEN).toBe("generated-token-0123456789");
    expect(startEnvironment({ RATE_LIMIT_BRIDGE_TOKEN: "mine-mine-mine-mine" }, token).RATE_LIMIT_BRIDGE_TOKEN).toBe(
      "mine-mine-mine-mine",
    );
  });
});

describe("alert settings", () => {
  it("without settings: no receivers, Datadog's US site, links from APP_URL", () => {
    const { alerts } = loadConfig({ APP_URL: "https://koepon.example" });
    expect(alerts).toMatchObject({
      pagerduty: null,
      slack: null,
      source: "koepon.example",
      consoleUrl: "https://koepon.example/admin",
      datadogAppKey: null,
    });
  });

  it("PagerDuty defaults to its US events endpoint; monitors use the emitter's site (ap1 for Japan)", () => {
    const { alerts, ops } = loadConfig({
      PAGERDUTY_ROUTING_KEY: "R0UT1NGKEY0123456789abcdefABCDEF",
      SLACK_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/x",
      DD_SITE: "ap1.datadoghq.com",
      DD_API_KEY: "0123456789abcdef0123456789abcdef",
      DD_APP_KEY: "fedcba9876543210fedcba9876543210",
    });
    expect(alerts.pagerduty).toEqual({
      routingKey: "R0UT1NGKEY0123456789abcdefABCDEF",
      eventsUrl: "https://events.pagerduty.com",
    });
    expect(alerts.slack).toEqual({ webhookUrl: "https://hooks.slack.com/services/T0/B0/x" });
    expect(alerts.datadogAppKey).toBe("fedcba9876543210fedcba9876543210");
    expect(ops.datadog?.apiUrl).toBe("https://api.ap1.datadoghq.com");
  });

  it("refuses a malformed routing key, webhook URL or site", () => {
    expect(() => loadConfig({ PAGERDUTY_ROUTING_KEY: "short key!" })).toThrow(ConfigError);
    expect(() => loadConfig({ SLACK_WEBHOOK_URL: "hooks.slack.com/services" })).toThrow(ConfigError);
    expect(() => loadConfig({ DD_SITE: "datadog.evil.example" })).toThrow(ConfigError);
  });
});
