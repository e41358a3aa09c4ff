/**
 * The release sequence's decisions: traffic moves only to a colour that passed smoke,
 * a failed watch moves it back, a refused preflight deploys nothing; and the watch's
 * rules (health twice, error rate above its volume guard, P95). The colours are small
 * HTTP servers answering /api/health as a release would; the target records what the
 * release asked of it. HAProxy and `next start` are exercised by `npm run release:drill`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { release, rollback } from "@/lib/release/release";
import { smoke } from "@/lib/release/smoke";
import { StepFailure } from "@/lib/release/steps";
import type { Colour, Deployment, ReleaseTarget } from "@/lib/release/targets/types";
import { watch } from "@/lib/release/watch";

type Behaviour = { releaseId: string; status?: number; catalogStatus?: number };

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server answering the smoke checks as `behaviour` says, changeable while it runs. */
async function fakeApp(behaviour: Behaviour): Promise<{ url: string; behaviour: Behaviour }> {
  const server = http.createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/api/health")
      return json(behaviour.status ?? 200, { status: "pass", releaseId: behaviour.releaseId });
    if (req.url === "/.well-known/jwks.json") return json(200, { keys: [{ kid: "k" }] });
    if (req.url === "/api/gachas") return json(behaviour.catalogStatus ?? 200, { gachas: [] });
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<html><body>ok</body></html>");
    }
    json(404, {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, behaviour };
}

/**
 * A target whose "production" address is a server that answers as whichever colour is
 * live, and which records every call.
 */
async function fakeTarget(colours: Partial<Record<Colour, Behaviour>>, live: Colour | null) {
  const apps: Partial<Record<Colour, { url: string; behaviour: Behaviour }>> = {};
  for (const [colour, behaviour] of Object.entries(colours)) apps[colour as Colour] = await fakeApp(behaviour);
  const calls: string[] = [];
  const production = http.createServer((req, res) => {
    const app = live ? apps[live] : undefined;
    if (!app) return void res.writeHead(503).end();
    fetch(app.url + req.url)
      .then(async (answer) => {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(await answer.text());
      })
      .catch(() => res.writeHead(502).end());
  });
  servers.push(production);
  await new Promise<void>((r) => production.listen(0, "127.0.0.1", r));
  const productionUrl = `http://127.0.0.1:${(production.address() as AddressInfo).port}`;
  const deployment = (colour: Colour): Deployment => ({
    colour,
    releaseId: apps[colour]!.behaviour.releaseId,
    url: apps[colour]!.url,
  });

  const target: ReleaseTarget = {
    name: "fake",
    productionUrl,
    bypassHeaders: {},
    async state() {
      return {
        serving: live ? deployment(live) : null,
        standby:
          live && apps[live === "blue" ? "green" : "blue"] ? deployment(live === "blue" ? "green" : "blue") : null,
      };
    },
    async deploy(colour, releaseId) {
      calls.push(`deploy ${colour} ${releaseId}`);
      apps[colour]!.behaviour.releaseId = releaseId;
      return deployment(colour);
    },
    async switchTo(colour) {
      calls.push(`switch ${colour}`);
      live = colour;
    },
    async discard(colour) {
      calls.push(`discard ${colour}`);
    },
    async traffic() {
      return { requests: 0, errors5xx: 0 };
    },
  };
  return { target, calls, apps, live: () => live };
}

const quickWatch = { durationMs: 300, intervalMs: 20, minProbes: 1_000 };
const silent = () => {};

describe("release", () => {
  it("released: deploy the idle colour, smoke it, switch, watch", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" }, green: { releaseId: "old" } }, "blue");
    const report = await release({ target: t.target, releaseId: "r2", watch: quickWatch, log: silent });
    expect(report).toMatchObject({ outcome: "released", to: "green", from: { colour: "blue", releaseId: "r1" } });
    expect(t.calls).toEqual(["deploy green r2", "switch green"]);
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
      ["deploy", true],
      ["smoke", true],
      ["switch", true],
      ["watch", true],
    ]);
  });

  it("refused: a green that fails smoke never takes traffic and is discarded", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" }, green: { releaseId: "x", catalogStatus: 500 } }, "blue");
    const report = await release({ target: t.target, releaseId: "r2", watch: quickWatch, log: silent });
    expect(report.outcome).toBe("refused");
    expect(report.reason).toContain("catalog (HTTP 500)");
    expect(t.calls).toEqual(["deploy green r2", "discard green"]);
    expect(t.live()).toBe("blue");
    const smokeStep = report.steps.find((s) => s.step === "smoke")!;
    expect(smokeStep.ok).toBe(false);
    expect((smokeStep.detail as { name: string; ok: boolean }[]).filter((c) => !c.ok).map((c) => c.name)).toEqual([
      "catalog",
    ]);
  });

  it("rolled back: a green that starts failing during the watch gives production back to blue", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" }, green: { releaseId: "x" } }, "blue");
    const report = await release({
      target: t.target,
      releaseId: "r2",
      watch: { ...quickWatch, durationMs: 5_000 },
      duringWatch: () => setTimeout(() => (t.apps.green!.behaviour.status = 503), 60),
      log: silent,
    });
    expect(report.outcome).toBe("rolled_back");
    expect(report.reason).toMatch(/health: HTTP 503/);
    expect(t.calls).toEqual(["deploy green r2", "switch green", "switch blue", "discard green"]);
    expect(t.live()).toBe("blue");
    expect(report.rollbackMs).toBeGreaterThanOrEqual(0);
  });

  it("refused by preflight: nothing is deployed", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" }, green: { releaseId: "x" } }, "blue");
    const report = await release({
      target: t.target,
      releaseId: "r2",
      preflight: async () => {
        throw new StepFailure("preflight", "migrations are not expand-only");
      },
      log: silent,
    });
    expect(report).toMatchObject({ outcome: "refused", reason: "preflight: migrations are not expand-only" });
    expect(t.calls).toEqual([]);
  });

  it("audits every step, failed ones included", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" }, green: { releaseId: "x", catalogStatus: 500 } }, "blue");
    const audited: string[] = [];
    await release({
      target: t.target,
      releaseId: "r2",
      log: silent,
      audit: async (r) => void audited.push(`${r.releaseId} ${r.step} ${r.ok}`),
    });
    expect(audited).toEqual(["r2 deploy true", "r2 smoke false", "r2 discard true"]);
  });

  it("manual rollback switches to the colour kept from the previous release, and refuses without one", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" }, green: { releaseId: "r2" } }, "green");
    const back = await rollback({ target: t.target });
    expect([back.from.releaseId, back.to.releaseId, t.live()]).toEqual(["r2", "r1", "blue"]);

    const lone = await fakeTarget({ blue: { releaseId: "r1" } }, "blue");
    await expect(rollback({ target: lone.target })).rejects.toThrow(/Nothing to roll back to/);
  });
});

describe("watch", () => {
  const green = (url: string): Deployment => ({ colour: "green", releaseId: "r2", url });

  it("tolerates one failed probe, ends on the second in a row", async () => {
    const t = await fakeTarget({ green: { releaseId: "r2" } }, "green");
    let probes = 0;
    const flaky: typeof fetch = async (input, init) => {
      probes++;
      if (probes === 2) throw new Error("connection reset");
      if (probes >= 4) return new Response("{}", { status: 502 });
      return fetch(input, init);
    };
    const result = await watch({ ...quickWatch, durationMs: 5_000, target: t.target, green: green(""), fetch: flaky });
    expect(result).toMatchObject({ ok: false, reason: "health: HTTP 502", probes: 5 });
  });

  it("ends when production answers as another release (traffic fell back to the old colour)", async () => {
    const t = await fakeTarget({ blue: { releaseId: "r1" } }, "blue");
    const result = await watch({ ...quickWatch, target: t.target, green: green("") });
    expect(result.reason).toBe("health: production answers as r1, not r2");
  });

  it("counts the error rate only above its volume guard", async () => {
    const t = await fakeTarget({ green: { releaseId: "r2" } }, "green");
    /** The target's figures: none when the watch starts, `after` from then on. */
    const counting = (after: { requests: number; errors5xx: number }): ReleaseTarget => {
      let calls = 0;
      return { ...t.target, traffic: async () => (calls++ === 0 ? { requests: 0, errors5xx: 0 } : after) };
    };
    // 10 of 40 answers are 5xx: 25 %, but below 50 requests it is no verdict.
    expect(
      await watch({ ...quickWatch, target: counting({ requests: 40, errors5xx: 10 }), green: green("") }),
    ).toMatchObject({ ok: true, requests: 40, errors5xx: 10 });
    // 6 of 100: above 5 % and above the guard. 5 of 100 is not above 5 %.
    expect(
      await watch({ ...quickWatch, target: counting({ requests: 100, errors5xx: 6 }), green: green("") }),
    ).toMatchObject({ ok: false, reason: "error rate 6.0 % of 100 requests" });
    expect(
      (await watch({ ...quickWatch, target: counting({ requests: 100, errors5xx: 5 }), green: green("") })).ok,
    ).toBe(true);
  });

  it("ends when P95 of its probes passes the limit", async () => {
    const t = await fakeTarget({ green: { releaseId: "r2" } }, "green");
    const slow: typeof fetch = async (input, init) => {
      await new Promise((r) => setTimeout(r, 30));
      return fetch(input, init);
    };
    const result = await watch({
      target: t.target,
      green: green(""),
      durationMs: 5_000,
      intervalMs: 1,
      minProbes: 5,
      maxP95Ms: 20,
      fetch: slow,
    });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/^P95 \d+ ms over the last 5 probes$/);
  });
});

describe("smoke", () => {
  it("makes the synthetic fan's sandbox pull: signs in, pulls once with pm_card_visa, and fails on a refusal", async () => {
    const seen: string[] = [];
    let pullStatus = 201;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ""} ${body}`);
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(value));
        };
        if (req.url === "/api/health") return json(200, { status: "pass", releaseId: "r2" });
        if (req.url === "/.well-known/jwks.json") return json(200, { keys: [{}] });
        if (req.url === "/api/gachas") return json(200, { gachas: [{ id: "g1" }] });
        if (req.url === "/") return res.end("<html></html>");
        if (req.url === "/api/auth/login") return json(200, { accessToken: "t0k" });
        if (req.url === "/api/gachas/g1/pulls") return json(pullStatus, { pull: { results: [{ rarity: "N" }] } });
        json(404, {});
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fan = { email: "smoke@example.test", password: "pw", origin: "https://koepon.example" };

    const passed = await smoke({ url, releaseId: "r2", syntheticFan: fan });
    expect(passed.ok).toBe(true);
    expect(passed.checks.at(-1)).toMatchObject({ name: "sandbox pull", ok: true });
    expect(seen.filter((line) => line.startsWith("POST"))).toEqual([
      'POST /api/auth/login  {"email":"smoke@example.test","password":"pw"}',
      'POST /api/gachas/g1/pulls Bearer t0k {"count":1,"paymentMethodId":"pm_card_visa"}',
    ]);

    pullStatus = 402;
    const refused = await smoke({ url, releaseId: "r2", syntheticFan: fan });
    expect(refused.ok).toBe(false);
    expect(refused.checks.at(-1)).toMatchObject({ name: "sandbox pull", ok: false });
    expect(refused.checks.at(-1)!.error).toMatch(/^pull: HTTP 402/);
  });

  it("runs every check and names each failure", async () => {
    const app = await fakeApp({ releaseId: "r9", catalogStatus: 503 });
    const result = await smoke({ url: app.url, releaseId: "r2" });
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.name, c.ok, c.error ?? null])).toEqual([
      ["health", false, "serves r9, not r2"],
      ["jwks", true, null],
      ["catalog", false, "HTTP 503"],
      ["home page", true, null],
    ]);
  });
});
