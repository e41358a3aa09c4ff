/**
 * The layering of docs/architecture.md, checked on the sources. ESLint guards each
 * module's own imports; this follows them all the way, which a linter cannot.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.join(import.meta.dirname, "../..");
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s(?:[^;"]*?\sfrom\s)?"([^"]+)"/g;

/** Every specifier of `file`, and the project files they resolve to. */
function importsOf(file: string): { specifiers: string[]; files: string[] } {
  const specifiers = [...fs.readFileSync(file, "utf8").matchAll(SPECIFIER)].map((m) => m[1]!);
  const files = specifiers.flatMap((specifier) => {
    const base = specifier.startsWith("@/")
      ? path.join(ROOT, specifier.slice(2))
      : specifier.startsWith(".")
        ? path.resolve(path.dirname(file), specifier)
        : null;
    if (base === null) return [];
    const found = [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), base].find(
      (candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile(),
    );
    if (!found) throw new Error(`${path.relative(ROOT, file)}: cannot resolve ${specifier}`);
    return [found];
  });
  return { specifiers, files };
}

/** Every project module `entry` reaches, type-only imports included, with every package it names. */
function graph(entry: string): { modules: string[]; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [path.join(ROOT, entry)];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const { specifiers, files } = importsOf(file);
    for (const s of specifiers) if (!s.startsWith(".") && !s.startsWith("@/")) packages.add(s);
    queue.push(...files);
  }
  return { modules: [...seen].map((f) => path.relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe("the Edge gate (middleware.ts and everything it reaches)", () => {
  const { modules, packages } = graph("middleware.ts");

  it("reaches the gate, the token check, the limiter and the config", () => {
    expect(modules).toEqual(
      expect.arrayContaining([
        "lib/edge/gate.ts",
        "lib/auth/caller.ts",
        "lib/auth/access-token.ts",
        "lib/ratelimit/limiter.ts",
        "lib/config/index.ts",
      ]),
    );
  });

  it("reads no database: nothing under lib/db, not even a type", () => {
    expect(modules.filter((m) => m.startsWith("lib/db/"))).toEqual([]);
  });

  it("needs nothing the Edge runtime lacks", () => {
    expect(packages.filter((p) => p.startsWith("node:") || p === "server-only")).toEqual([]);
  });
});

/** Every .ts and .tsx file under `dir`. */
function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => path.join(ROOT, dir, f));
}

describe("the domain", () => {
  const domainModules = sourcesUnder("lib").filter((f) => !/^lib\/(api|edge)\//.test(path.relative(ROOT, f)));

  it("imports nothing from the HTTP layer (lib/api, lib/edge)", () => {
    const offending = domainModules.flatMap((file) =>
      importsOf(file)
        .files.filter((target) => /^lib\/(api|edge)\//.test(path.relative(ROOT, target)))
        .map((target) => `${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`),
    );
    expect(domainModules.length).toBeGreaterThan(50);
    expect(offending).toEqual([]);
  });

  it("keeps its error type free of imports, so every layer and the browser can use it", () => {
    expect(importsOf(path.join(ROOT, "lib/domain-error.ts")).specifiers).toEqual([]);
  });
});

describe("app/ and lib/", () => {
  it("import in one direction only: no module reaches itself again through its imports", () => {
    const edges = new Map([...sourcesUnder("app"), ...sourcesUnder("lib")].map((f) => [f, importsOf(f).files]));
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        circles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(ROOT, f)).join(" → "));
        return;
      }
      state.set(file, "open");
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of edges.keys()) visit(file, []);
    expect(edges.size).toBeGreaterThan(150);
    expect(circles).toEqual([]);
  });
});
