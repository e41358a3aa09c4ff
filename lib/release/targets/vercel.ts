/**
 * The Vercel release target: one Vercel project, where a "colour" is a deployment.
 *
 * - deploy: the pinned CLI uploads the prebuilt output (`vercel build --prod` made it)
 *   as a *staged* production deployment: `deploy --prebuilt --prod --skip-domain`. It is
 *   built for production with production settings, but no production domain points at
 *   it, so it takes no traffic. (A preview deployment, without `--prod`, cannot be
 *   promoted as it is: Vercel builds a new deployment from it, which is not the one the
 *   smoke checks passed.) `--no-wait` makes the CLI print the deployment's address as
 *   soon as it exists; the target then polls its `readyState` over REST until READY.
 * - switchTo: `POST /v10/projects/{id}/promote/{deploymentId}` points the production
 *   domains at that exact deployment, without a rebuild, and waits until the project
 *   names it as production. Rolling back is the same call with the previous production
 *   deployment, which Vercel keeps.
 * - state: the project's current production deployment and, as the standby, the newest
 *   production deployment created before it.
 * - discard: deletes a deployment that never took traffic (and refuses the one serving).
 *
 * Every call sends `Authorization: Bearer` and `?teamId=`; 429 and 5xx answers and
 * network failures are retried with backoff (honouring `Retry-After`), each request has
 * a timeout, and any other error answer is surfaced with Vercel's `error.code` and
 * `error.message`.
 */
import { execFile } from "node:child_process";
import type { VercelReleaseConfig } from "../../config";
import { otherColour, type Colour, type Deployment, type ReleaseTarget } from "./types";

/** The CLI every deploy runs: the same pinned version as CI's `vercel build`. */
export const VERCEL_CLI = ["npx", "--yes", "vercel@58.10.0"];

export interface VercelTargetOptions {
  config: VercelReleaseConfig;
  /** The address fans use (production domain). */
  productionUrl: string;
  /** The project folder holding `.vercel/output`. @default process.cwd() */
  cwd?: string;
  /** The CLI command. @default VERCEL_CLI */
  cli?: string[];
  /** The CLI's environment (PATH, HOME, npm's cache…). */
  env?: Record<string, string | undefined>;
  /** From the CLI's start until the deployment is READY. @default 900000 (15 min) */
  deployTimeoutMs?: number;
  /** From the promote request until the project serves the deployment. @default 180000 */
  promoteTimeoutMs?: number;
  /** Between status polls. @default 3000 */
  pollIntervalMs?: number;
  /** Per REST request. @default 30000 */
  requestTimeoutMs?: number;
  /** Attempts per REST request when Vercel answers 429/5xx or not at all. @default 5 */
  attempts?: number;
  /** First backoff; doubled per attempt, capped at 30 s. @default 1000 */
  backoffMs?: number;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** An error answer of the Vercel API, with its status and Vercel's error code. */
export class VercelApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "VercelApiError";
  }
}

interface ApiDeployment {
  id?: string;
  uid?: string;
  url: string;
  readyState?: string;
  state?: string;
  target?: string | null;
  createdAt?: number;
  created?: number;
  meta?: Record<string, string>;
  errorCode?: string;
  errorMessage?: string;
}

interface ApiProject {
  id: string;
  targets?: { production?: { id: string } | null };
  lastAliasRequest?: { toDeploymentId?: string; jobStatus?: string; type?: string } | null;
}

interface Known {
  id: string;
  deployment: Deployment;
}

const TERMINAL_FAILURES = new Set(["ERROR", "CANCELED"]);
const isColour = (value: unknown): value is Colour => value === "blue" || value === "green";

export class VercelTarget implements ReleaseTarget {
  readonly name = "vercel";
  readonly productionUrl: string;
  readonly bypassHeaders: Record<string, string>;
  /** The deployment each colour names in this release (from state() and deploy()). */
  private readonly colours = new Map<Colour, Known>();
  private readonly log: (line: string) => void;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: VercelTargetOptions) {
    this.productionUrl = options.productionUrl;
    this.bypassHeaders = options.config.bypassSecret
      ? { "x-vercel-protection-bypass": options.config.bypassSecret }
      : {};
    this.log = options.log ?? (() => {});
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async state(): Promise<{ serving: Deployment | null; standby: Deployment | null }> {
    const project = await this.project();
    const currentId = project.targets?.production?.id;
    this.colours.clear();
    if (!currentId) return { serving: null, standby: null };
    const current = await this.api<ApiDeployment>("GET", `/v13/deployments/${encodeURIComponent(currentId)}`);
    const servingColour: Colour = isColour(current.meta?.koeponColour) ? current.meta.koeponColour : "blue";
    const serving = this.remember(servingColour, current);

    const createdAt = current.createdAt ?? current.created ?? Number.POSITIVE_INFINITY;
    const { deployments } = await this.api<{ deployments: ApiDeployment[] }>(
      "GET",
      `/v6/deployments?${new URLSearchParams({
        projectId: this.options.config.projectId,
        target: "production",
        state: "READY",
        limit: "20",
      })}`,
    );
    // Newer production deployments than the one serving never served (staged, or
    // rolled back from): the standby is what served before it.
    const previous = deployments
      .filter((d) => (d.uid ?? d.id) !== currentId && (d.created ?? d.createdAt ?? 0) < createdAt)
      .sort((a, b) => (b.created ?? b.createdAt ?? 0) - (a.created ?? a.createdAt ?? 0))[0];
    const standby = previous ? this.remember(otherColour(servingColour), previous) : null;
    return { serving, standby };
  }

  async deploy(colour: Colour, releaseId: string): Promise<Deployment> {
    // The colour's previous deployment stays on Vercel (it may be the rollback), but
    // this release's `colour` is now the new one.
    this.colours.delete(colour);
    const { config } = this.options;
    const started = Date.now();
    const timeoutMs = this.options.deployTimeoutMs ?? 900_000;
    const args = [
      "deploy",
      "--prebuilt",
      "--prod",
      "--skip-domain",
      "--no-wait",
      "--yes",
      "--token",
      config.token,
      "--api",
      config.apiUrl,
      ...(config.teamId ? ["--scope", config.teamId] : []),
      "--meta",
      `koeponRelease=${releaseId}`,
      "--meta",
      `koeponColour=${colour}`,
      // What /api/health reports, so smoke and watch know they reach this release.
      "--env",
      `KOEPON_COMMIT_SHA=${releaseId}`,
    ];
    const stdout = await this.runCli(args, timeoutMs);
    const address = stdout
      .split(/\s+/)
      .filter((word) => /^https?:\/\//.test(word))
      .pop();
    if (!address) throw new Error(`vercel deploy printed no deployment address: ${stdout.trim().slice(-500)}`);
    const host = new URL(address).host;

    let deployment = await this.api<ApiDeployment>("GET", `/v13/deployments/${encodeURIComponent(host)}`);
    const id = deployment.id ?? deployment.uid!;
    this.remember(colour, { ...deployment, meta: { ...deployment.meta, koeponRelease: releaseId } });
    this.log(`vercel: ${colour} is ${id} (https://${host}), ${deployment.readyState}`);
    while (deployment.readyState !== "READY") {
      if (TERMINAL_FAILURES.has(deployment.readyState ?? "")) {
        const why = [deployment.errorCode, deployment.errorMessage].filter(Boolean).join(": ");
        throw new Error(`deployment ${id} is ${deployment.readyState}${why ? ` (${why})` : ""}`);
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(`deployment ${id} still ${deployment.readyState} after ${Math.round(timeoutMs / 1000)} s`);
      }
      await this.sleep(this.options.pollIntervalMs ?? 3_000);
      deployment = await this.api<ApiDeployment>("GET", `/v13/deployments/${encodeURIComponent(id)}`);
    }
    return this.colours.get(colour)!.deployment;
  }

  async switchTo(colour: Colour): Promise<void> {
    const known = this.colours.get(colour);
    if (!known) throw new Error(`no ${colour} deployment to switch to`);
    const { projectId } = this.options.config;
    await this.api("POST", `/v10/projects/${encodeURIComponent(projectId)}/promote/${encodeURIComponent(known.id)}`, {
      body: {},
      expect: [201, 202],
    });
    // 201: the aliases are being moved; 202: queued behind a rolling release. Either
    // way production serves the deployment only once the project names it.
    const deadline = Date.now() + (this.options.promoteTimeoutMs ?? 180_000);
    for (;;) {
      const project = await this.project();
      if (project.targets?.production?.id === known.id) break;
      const request = project.lastAliasRequest;
      if (request?.toDeploymentId === known.id && request.jobStatus === "failed") {
        throw new Error(`promote of ${known.id} failed: Vercel could not move every production domain`);
      }
      if (Date.now() > deadline) throw new Error(`promote of ${known.id} not done after the timeout`);
      await this.sleep(this.options.pollIntervalMs ?? 3_000);
    }
    this.log(`vercel: production is ${colour} (${known.id}, ${known.deployment.releaseId})`);
  }

  async discard(colour: Colour): Promise<void> {
    const known = this.colours.get(colour);
    if (!known) return;
    const project = await this.project();
    if (project.targets?.production?.id === known.id) {
      throw new Error(`refusing to delete ${known.id}: it serves production`);
    }
    try {
      await this.api("DELETE", `/v13/deployments/${encodeURIComponent(known.id)}`);
    } catch (err) {
      if (!(err instanceof VercelApiError && err.status === 404)) throw err;
    }
    this.colours.delete(colour);
    this.log(`vercel: deleted ${colour} deployment ${known.id}`);
  }

  /** Vercel keeps no per-deployment request counts we can read here: the watch relies on its probes. */
  async traffic(): Promise<null> {
    return null;
  }

  private project(): Promise<ApiProject> {
    return this.api<ApiProject>("GET", `/v9/projects/${encodeURIComponent(this.options.config.projectId)}`);
  }

  private remember(colour: Colour, d: ApiDeployment): Deployment {
    const id = d.id ?? d.uid!;
    const deployment: Deployment = {
      colour,
      releaseId: d.meta?.koeponRelease ?? d.meta?.githubCommitSha ?? id,
      url: `https://${d.url}`,
    };
    this.colours.set(colour, { id, deployment });
    return deployment;
  }

  /** One REST call, with the team, the token, a timeout and retries on 429/5xx. */
  private async api<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; expect?: number[] } = {},
  ): Promise<T> {
    const { config } = this.options;
    const url = new URL(config.apiUrl + path);
    if (config.teamId) url.searchParams.set("teamId", config.teamId);
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${config.token}`,
            ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000),
        });
      } catch (err) {
        if (attempt >= attempts) throw new Error(`Vercel API ${method} ${path}: ${(err as Error).message}`);
        await this.sleep(this.backoff(attempt, null));
        continue;
      }
      const text = await res.text();
      const ok = options.expect ? options.expect.includes(res.status) : res.ok;
      if (ok) return (text ? JSON.parse(text) : {}) as T;
      if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
        this.log(`vercel: ${method} ${path} answered ${res.status}, retrying (${attempt}/${attempts - 1})`);
        await this.sleep(this.backoff(attempt, res.headers.get("retry-after")));
        continue;
      }
      let error: { code?: string; message?: string } = {};
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
      } catch {
        // Not JSON (a proxy's page): the status says enough.
      }
      const code = error.code ?? `http_${res.status}`;
      throw new VercelApiError(
        res.status,
        code,
        `Vercel API ${method} ${path}: ${res.status} ${code}${error.message ? `: ${error.message}` : ""}`,
      );
    }
  }

  private backoff(attempt: number, retryAfter: string | null): number {
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 60_000);
    return Math.min((this.options.backoffMs ?? 1_000) * 2 ** (attempt - 1), 30_000);
  }

  private runCli(args: string[], timeoutMs: number): Promise<string> {
    const [command, ...prefix] = this.options.cli ?? VERCEL_CLI;
    const { config } = this.options;
    return new Promise((resolve, reject) => {
      execFile(
        command!,
        [...prefix, ...args],
        {
          cwd: this.options.cwd ?? process.cwd(),
          timeout: timeoutMs,
          maxBuffer: 16 * 1024 * 1024,
          env: {
            ...(this.options.env as NodeJS.ProcessEnv),
            // The CLI links the project from these, whatever .vercel/project.json says.
            VERCEL_PROJECT_ID: config.projectId,
            ...(config.orgId ? { VERCEL_ORG_ID: config.orgId } : {}),
            VERCEL_TELEMETRY_DISABLED: "1",
          },
        },
        (err, stdout, stderr) => {
          if (err) {
            const tail = stderr.trim().split("\n").slice(-5).join("\n");
            reject(new Error(`vercel deploy failed (${err.code ?? err.signal}): ${tail}`));
          } else resolve(stdout);
        },
      );
    });
  }
}
