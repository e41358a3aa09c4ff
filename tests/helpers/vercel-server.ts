/**
 * A local HTTP server speaking the Vercel REST endpoints the vercel release target and
 * the pinned Vercel CLI's `deploy --prebuilt` use (the CLI is pointed at it with
 * `--api`), with Vercel's answer shapes and `{ error: { code, message } }` errors. It
 * keeps one team, one project and its deployments, records every request, and can be
 * told to answer the next matching requests with an error.
 *
 *   GET    /v2/user, /v1/teams, /teams/:id        who the token is (the CLI asks first)
 *   GET    /v9/projects/:id                       the project, targets.production, lastAliasRequest
 *   POST   /v13/deployments                       create (400 missing_files until uploaded)
 *   POST   /v2/files                              upload one file (x-now-digest: its SHA-1, x-now-size)
 *   GET    /v13/deployments/:idOrUrl              one deployment; BUILDING for `buildPolls` reads
 *   DELETE /v13/deployments/:id
 *   GET    /v6/deployments?projectId&target&state&limit
 *   POST   /v10/projects/:id/promote/:deploymentId
 *   GET    /v3/now/deployments/:id/events         build logs (none)
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface VercelRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
}

export interface StubDeployment {
  id: string;
  url: string;
  name: string;
  target: string | null;
  readyState: "QUEUED" | "BUILDING" | "READY" | "ERROR" | "CANCELED";
  createdAt: number;
  meta: Record<string, string>;
  env: Record<string, string>;
  autoAssignCustomDomains: boolean | undefined;
  files: string[];
  reads: number;
  outcome: "READY" | "ERROR";
  errorCode?: string;
  errorMessage?: string;
}

export interface Fault {
  method: string;
  path: RegExp;
  status: number;
  error?: { code: string; message: string };
  headers?: Record<string, string>;
  times?: number;
}

export interface VercelStub {
  url: string;
  token: string;
  teamId: string;
  projectId: string;
  requests: VercelRequest[];
  deployments: Map<string, StubDeployment>;
  uploaded: Set<string>;
  productionId(): string | null;
  /** Reads of a new deployment that still answer BUILDING. */
  buildPolls: number;
  /** How the next created deployment ends. */
  nextOutcome: "READY" | "ERROR";
  /** Answers the next `times` (1) matching requests with `status` instead. */
  fail(fault: Fault): void;
  /** A READY production deployment made before, serving production when `serve`. */
  seed(releaseId: string, colour: string, serve: boolean): StubDeployment;
  close(): Promise<void>;
}

export async function startVercelStub(
  options: { token?: string; teamId?: string; projectId?: string; port?: number } = {},
): Promise<VercelStub> {
  const token = options.token ?? "vercel_test_token";
  const teamId = options.teamId ?? "team_koepontest";
  const projectId = options.projectId ?? "prj_koepontest";
  const requests: VercelRequest[] = [];
  const deployments = new Map<string, StubDeployment>();
  const uploaded = new Set<string>();
  const faults: (Fault & { left: number })[] = [];
  let production: string | null = null;
  let lastAliasRequest: Record<string, unknown> | null = null;
  let clock = Date.UTC(2026, 0, 1);
  let serial = 0;

  const create = (fields: Partial<StubDeployment>): StubDeployment => {
    serial += 1;
    const id = `dpl_${serial.toString().padStart(4, "0")}${createHash("sha1").update(String(serial)).digest("hex").slice(0, 8)}`;
    const d: StubDeployment = {
      id,
      url: `koepon-${id.slice(4).toLowerCase()}-koepon.vercel.app`,
      name: "koepon",
      target: "production",
      readyState: "BUILDING",
      createdAt: (clock += 60_000),
      meta: {},
      env: {},
      autoAssignCustomDomains: undefined,
      files: [],
      reads: 0,
      outcome: "READY",
      ...fields,
    };
    deployments.set(id, d);
    return d;
  };

  const view = (d: StubDeployment) => ({
    id: d.id,
    url: d.url,
    name: d.name,
    target: d.target,
    readyState: d.readyState,
    status: d.readyState,
    createdAt: d.createdAt,
    projectId,
    ownerId: teamId,
    meta: d.meta,
    aliasAssigned: d.readyState === "READY" ? d.createdAt + 1 : null,
    alias: [],
    inspectorUrl: `https://vercel.com/koepon/koepon/${d.id}`,
    ...(d.errorCode ? { errorCode: d.errorCode, errorMessage: d.errorMessage } : {}),
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://stub");
      const method = req.method ?? "GET";
      const isJson = (req.headers["content-type"] ?? "").includes("json");
      requests.push({
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        authorization: (req.headers.authorization as string | undefined) ?? null,
        body: isJson && raw.length ? JSON.parse(raw.toString("utf8")) : null,
      });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      const error = (status: number, code: string, message: string, extra: object = {}) =>
        send(status, { error: { code, message, ...extra } });

      const fault = faults.find((f) => f.method === method && f.path.test(url.pathname) && f.left > 0);
      if (fault) {
        fault.left -= 1;
        return send(
          fault.status,
          { error: fault.error ?? { code: "internal_server_error", message: "An unexpected error occurred" } },
          fault.headers,
        );
      }
      if (req.headers.authorization !== `Bearer ${token}`) {
        return error(403, "forbidden", "Not authorized", { invalidToken: true });
      }
      const team = url.searchParams.get("teamId");
      if (team !== null && team !== teamId) return error(403, "forbidden", "You don't have access to this team");
      if (method === "POST" && url.pathname === "/v2/files") {
        // One file, its raw bytes, named by their SHA-1 and size.
        const digest = String(req.headers["x-now-digest"] ?? "");
        if (
          createHash("sha1").update(raw).digest("hex") !== digest ||
          Number(req.headers["x-now-size"]) !== raw.length
        ) {
          return error(400, "invalid_file", "The file's digest or size does not match its contents");
        }
        uploaded.add(digest);
        return send(200, {});
      }
      route(method, url, raw, send, error);
    });
  });

  function route(
    method: string,
    url: URL,
    raw: Buffer,
    send: (status: number, body: unknown) => void,
    error: (status: number, code: string, message: string, extra?: object) => void,
  ) {
    const p = url.pathname;
    const team = { id: teamId, slug: "koepon", name: "Koepon", createdAt: 0 };
    if (method === "GET" && p === "/v2/user") {
      return send(200, {
        user: {
          id: "user_ci",
          uid: "user_ci",
          username: "koepon-ci",
          email: "ci@koepon.example",
          defaultTeamId: teamId,
        },
      });
    }
    if (method === "GET" && p === "/v1/teams")
      return send(200, { teams: [team], pagination: { count: 1, next: null, prev: null } });
    if (method === "GET" && p === `/teams/${teamId}`) return send(200, team);
    if (method === "GET" && p === `/v9/projects/${projectId}`) {
      return send(200, {
        id: projectId,
        name: "koepon",
        accountId: teamId,
        framework: "nextjs",
        link: null,
        latestDeployments: [],
        targets: { production: production ? view(deployments.get(production)!) : null },
        lastAliasRequest,
      });
    }
    if (method === "GET" && p.startsWith("/v9/projects/")) return error(404, "not_found", "Project not found");
    if (method === "POST" && p === "/v13/deployments") {
      const body = JSON.parse(raw.toString("utf8")) as {
        name: string;
        target?: string;
        meta?: Record<string, string>;
        env?: Record<string, string>;
        files?: { file: string; sha: string }[];
        autoAssignCustomDomains?: boolean;
      };
      const missing = (body.files ?? []).map((f) => f.sha).filter((sha) => !uploaded.has(sha));
      if (missing.length > 0) return error(400, "missing_files", "Missing files", { missing });
      const d = create({
        name: body.name,
        target: body.target ?? null,
        meta: body.meta ?? {},
        env: body.env ?? {},
        autoAssignCustomDomains: body.autoAssignCustomDomains,
        files: (body.files ?? []).map((f) => f.file),
        outcome: stub.nextOutcome,
      });
      stub.nextOutcome = "READY";
      return send(200, view(d));
    }
    const one = p.match(/^\/v13\/deployments\/([^/]+)$/);
    if (one) {
      const key = decodeURIComponent(one[1]!);
      const d = [...deployments.values()].find((x) => x.id === key || x.url === key);
      if (!d) return error(404, "not_found", "Deployment not found");
      if (method === "DELETE") {
        if (production === d.id) return error(400, "bad_request", "Cannot delete the production deployment");
        deployments.delete(d.id);
        return send(200, { uid: d.id, state: "DELETED" });
      }
      if (method === "GET") {
        if (d.readyState === "BUILDING" && d.reads++ >= stub.buildPolls) {
          d.readyState = d.outcome;
          if (d.outcome === "ERROR") {
            d.errorCode = "BUILD_UTILS_SPAWN_1";
            d.errorMessage = 'Command "npm run build" exited with 1';
          }
        }
        return send(200, view(d));
      }
    }
    if (method === "GET" && /^\/v3\/now\/deployments\/[^/]+\/events$/.test(p)) return send(200, []);
    if (method === "GET" && p === "/v6/deployments") {
      const q = url.searchParams;
      const limit = Number(q.get("limit") ?? 20);
      // One project: another project's id lists nothing.
      if (q.get("projectId") && q.get("projectId") !== projectId) {
        return send(200, { deployments: [], pagination: { count: 0, next: null, prev: null } });
      }
      const list = [...deployments.values()]
        .filter((d) => !q.get("target") || d.target === q.get("target"))
        .filter((d) => !q.get("state") || q.get("state")!.split(",").includes(d.readyState))
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit)
        .map((d) => ({
          uid: d.id,
          name: d.name,
          url: d.url,
          created: d.createdAt,
          state: d.readyState,
          readyState: d.readyState,
          target: d.target,
          meta: d.meta,
        }));
      return send(200, { deployments: list, pagination: { count: list.length, next: null, prev: null } });
    }
    const promote = p.match(/^\/v10\/projects\/([^/]+)\/promote\/([^/]+)$/);
    if (method === "POST" && promote) {
      if (decodeURIComponent(promote[1]!) !== projectId) return error(404, "not_found", "Project not found");
      const d = deployments.get(decodeURIComponent(promote[2]!));
      if (!d) return error(404, "not_found", "Deployment not found");
      if (d.target !== "production") return error(400, "bad_request", "Only production deployments can be promoted");
      if (d.readyState !== "READY") return error(409, "deployment_not_ready", "The deployment is not ready");
      production = d.id;
      lastAliasRequest = { toDeploymentId: d.id, jobStatus: "succeeded", type: "promote", requestedAt: Date.now() };
      return send(201, {});
    }
    error(404, "not_found", `The requested API endpoint was not found (${method} ${p})`);
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const stub: VercelStub = {
    url: `http://127.0.0.1:${port}`,
    token,
    teamId,
    projectId,
    requests,
    deployments,
    uploaded,
    productionId: () => production,
    buildPolls: 1,
    nextOutcome: "READY",
    fail: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    seed(releaseId, colour, serve) {
      const d = create({ readyState: "READY", meta: { koeponRelease: releaseId, koeponColour: colour } });
      if (serve) production = d.id;
      return d;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return stub;
}
