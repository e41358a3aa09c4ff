/**
 * The login lock over a real socket, from the attacker's side: a client that invents a
 * new X-Forwarded-For for every attempt still has one address, the connection's, because
 * the server in front of Next (lib/api/front-door.ts, what `npm start` runs) appends it
 * and the address is read from the right.
 */
import { randomBytes } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { frontDoor } from "@/lib/api/front-door";
import { signup } from "@/lib/auth/signup";
import { testDeps } from "../helpers/auth";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();
const PASSWORD = "correct horse battery staple";

/** Hands a Node request to a route handler as Next would, and writes its answer back. */
function toRoute(handler: typeof loginRoute) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const answer = await handler(
      new Request(`http://127.0.0.1${request.url}`, {
        method: request.method,
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      }),
      { params: Promise.resolve({}) },
    );
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  };
}

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer(frontDoor(toRoute(loginRoute)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function login(email: string, password: string, forwardedFor: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ email, password }),
  });
  if (response.ok) return "ok";
  const body = (await response.json()) as { error: { code: string } };
  return body.error.code;
}

describe("X-Forwarded-For from a client", () => {
  it("cannot open a fresh login-lock bucket per forged value", async () => {
    const email = `xff-${randomBytes(4).toString("hex")}@test.koepon.invalid`;
    await signup(await testDeps(app.db, app.keys), {
      email,
      password: PASSWORD,
      displayName: "フォワード",
      birthdate: "1990-01-01",
      acceptTerms: true,
    });
    const outcomes: string[] = [];
    for (let i = 1; i <= 5; i++) outcomes.push(await login(email, "wrong password", `203.0.113.${i}`));
    expect(outcomes).toEqual(Array(5).fill("invalid_credentials"));
    // A sixth invented address, and a chain of them: the lock on this connection's address holds.
    expect(await login(email, PASSWORD, "203.0.113.200")).toBe("login_throttled");
    expect(await login(email, PASSWORD, "198.51.100.7, 203.0.113.201")).toBe("login_throttled");
  });

  it("answers TRACE with our JSON error before the framework sees it", async () => {
    const answer = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const request = http.request(`${base}/api/health`, { method: "TRACE" }, (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, type: String(response.headers["content-type"]), body }),
        );
      });
      request.on("error", reject);
      request.end();
    });
    expect(answer.status).toBe(405);
    expect(answer.type).toMatch(/^application\/json/);
    expect((JSON.parse(answer.body) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  });
});
