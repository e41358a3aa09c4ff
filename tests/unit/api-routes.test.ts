import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { API_ROUTES, apiRouteMethods, isWellFormedPath } from "@/lib/edge/api-routes";

const apiDir = path.join(import.meta.dirname, "../../app/api");

/** Every route file under app/api with the HTTP methods it exports. */
function routeFiles(): { path: string; methods: string[] }[] {
  const found: { path: string; methods: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const source = fs.readFileSync(full, "utf8");
        const methods = [
          ...source.matchAll(/export (?:const|async function|function) (GET|HEAD|POST|PUT|PATCH|DELETE)\b/g),
        ].map((m) => m[1]!);
        found.push({ path: `/api/${path.relative(apiDir, dir).split(path.sep).join("/")}`, methods });
      }
    }
  };
  walk(apiDir);
  return found;
}

describe("the gate's table of API routes", () => {
  it("lists exactly the route files under app/api and the methods they export", () => {
    const sort = (rows: { path: string; methods: readonly string[] }[]) =>
      rows.map((r) => ({ path: r.path, methods: [...r.methods].sort() })).sort((a, b) => a.path.localeCompare(b.path));
    expect(sort([...API_ROUTES])).toEqual(sort(routeFiles()));
  });

  it.each([
    ["/api/health", ["GET", "HEAD", "OPTIONS"]],
    ["/api/health/", ["GET", "HEAD", "OPTIONS"]],
    ["/api/gachas/abc/pulls", ["POST", "OPTIONS"]],
    ["/api/me", ["GET", "PATCH", "HEAD", "OPTIONS"]],
    ["/api/gachas//pulls", null],
    ["/api/gachas/a/b", null],
    ["/api/nope", null],
  ] as const)("%s answers %j", (pathname, methods) => {
    expect(apiRouteMethods(pathname)).toEqual(methods);
  });

  it.each([
    ["/gachas/%E3%81%82", true],
    ["/gachas/abc%2Fdef", true],
    ["/gachas/%ZZ", false],
    ["/gachas/%E3%81", false],
    ["/gachas/%", false],
    ["/gachas/%00", false],
    ["/gachas/%0d%0a", false],
    ["/gachas/%7F", false],
  ] as const)("isWellFormedPath(%s) is %s", (pathname, ok) => {
    expect(isWellFormedPath(pathname)).toBe(ok);
  });
});
