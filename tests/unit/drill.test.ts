/** `npm run drill`: the verdict rules, the table, and the webhook fault proxy. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { acceptableFailure, formatTable, rowPassed, verdict, type DrillRow } from "../../scripts/drill/report";
import { releaseOrder, startWebhookFaultProxy, type WebhookFaultProxy } from "../../scripts/drill/webhook-faults";

const row = (over: Partial<DrillRow> = {}): DrillRow => ({
  fault: "app-kill9",
  requests: 600,
  failed: { "503 database_unavailable": 4, refused: 7, "429 rate_limited": 1 },
  recoveredAfterSeconds: 2.5,
  booksBalanced: true,
  problems: [],
  ...over,
});

describe("drill verdict", () => {
  it("accepts 4xx and 503 with a code and refused connections, nothing else", () => {
    expect(acceptableFailure("503 database_unavailable")).toBe(true);
    expect(acceptableFailure("409 idempotency_conflict")).toBe(true);
    expect(acceptableFailure("refused")).toBe(true);
    expect(acceptableFailure("500 internal_error")).toBe(false);
    expect(acceptableFailure("502 bad_gateway")).toBe(false);
    expect(acceptableFailure("503 (no-code)")).toBe(false);
    expect(acceptableFailure("hang")).toBe(false);
    expect(acceptableFailure("network TypeError")).toBe(false);
  });

  it("fails a row that is unbalanced, saw a 500 or a hang, sent nothing or never recovered", () => {
    expect(rowPassed(row())).toBe(true);
    expect(rowPassed(row({ booksBalanced: false, problems: ["charged_unfulfilled: 1"] }))).toBe(false);
    expect(rowPassed(row({ failed: { "500 internal_error": 1 } }))).toBe(false);
    expect(rowPassed(row({ failed: { hang: 1 } }))).toBe(false);
    expect(rowPassed(row({ requests: 0 }))).toBe(false);
    expect(rowPassed(row({ recoveredAfterSeconds: null }))).toBe(false);
  });

  it("fails a row whose fault had nothing to act on, saying so", () => {
    const idle = row({ fault: "webhook-faults", failed: {}, notExercised: "no webhook arrived while held" });
    expect(rowPassed(idle)).toBe(false);
    expect(verdict([idle])).toEqual(["webhook-faults: fault not exercised: no webhook arrived while held"]);
  });

  it("names each failing row and why", () => {
    expect(verdict([row()])).toEqual([]);
    expect(
      verdict([row({ fault: "redis-restart", booksBalanced: false, problems: ["x: 2"], failed: { hang: 3 } })]),
    ).toEqual(["redis-restart: books unbalanced (x: 2); unacceptable answers: hang"]);
  });

  it("prints one line per fault with failures by code", () => {
    const table = formatTable([row(), row({ fault: "webhook-faults", failed: {}, booksBalanced: false })]).split("\n");
    expect(table[0]).toMatch(/^fault\s+│ requests │ failed \(by code\)\s+│ recovered after \(s\) │ books balanced$/);
    expect(table[2]).toContain("7× refused, 4× 503 database_unavailable, 1× 429 rate_limited");
    expect(table[2]).toMatch(/2\.5\s+│ yes$/);
    expect(table[3]).toMatch(/^webhook-faults\s+│ 600\s+│ 0\s+.*│ NO$/);
  });
});

describe("webhook fault proxy", () => {
  let receiver: http.Server | undefined;
  let proxy: WebhookFaultProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    const r = receiver;
    if (r) await new Promise((resolve) => r.close(resolve));
    proxy = receiver = undefined;
  });

  it("orders a held batch newest first and sends each delivery twice", () => {
    expect(releaseOrder([{ seq: 1 }, { seq: 2 }, { seq: 3 }]).map((d) => d.seq)).toEqual([3, 2, 1, 3, 2, 1]);
  });

  async function setUp() {
    const got: string[] = [];
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { "content-type": "text/plain" }).end(`echo ${body}`);
      });
    });
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    proxy = await startWebhookFaultProxy({ port: 0, target, holdMs: 60_000 });
    return got;
  }

  it("passes webhooks and other requests through untouched while faults are off", async () => {
    const got = await setUp();
    const res = await fetch(`${proxy!.url}/api/health`);
    expect(await res.text()).toBe("echo ");
    await fetch(`${proxy!.url}/api/webhooks/stripe`, { method: "POST", body: "evt_a" });
    expect(got).toEqual(["GET /api/health ", "POST /api/webhooks/stripe evt_a"]);
  });

  it("holds webhooks while faulty, then delivers them reordered and duplicated", async () => {
    const got = await setUp();
    proxy!.setFaulty(true);
    const sent = ["evt_1", "evt_2", "evt_3"].map((body) =>
      fetch(`${proxy!.url}/api/webhooks/stripe`, { method: "POST", body }),
    );
    await expect.poll(() => proxy!.stats().held).toBe(3);
    expect(got).toEqual([]);
    proxy!.setFaulty(false);
    const answers = await Promise.all(sent);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    await expect.poll(() => got.length).toBe(6);
    const bodies = got.map((line) => line.split(" ")[2]);
    // Arrival order is not guaranteed across three sockets: check against the order held.
    expect(bodies.slice(3)).toEqual(bodies.slice(0, 3));
    expect(new Set(bodies.slice(0, 3))).toEqual(new Set(["evt_1", "evt_2", "evt_3"]));
    expect(proxy!.stats()).toMatchObject({ held: 3, sent: 6, answers: { "200": 6 } });
  });
});
