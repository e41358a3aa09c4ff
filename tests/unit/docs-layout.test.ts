/**
 * The README's layout table and docs/architecture.md describe the tree a newcomer
 * finds: every path they name exists, every top-level folder and every lib/ folder is
 * named, the scripts named are package scripts, and the route table lists every API
 * route file. A folder added or moved without its line fails here.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GATE_ANSWERED_PATHS } from "@/lib/edge/api-routes";

const ROOT = path.join(import.meta.dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The first cell of each row of the markdown table under `heading`. */
function tableColumn(markdown: string, heading: string): string[] {
  const section = markdown.split(`\n${heading}\n`)[1];
  if (!section) throw new Error(`no section ${heading}`);
  const rows = section
    .split("\n## ")[0]!
    .split("\n")
    .filter((line) => line.startsWith("|"));
  return rows.slice(2).map((row) => row.split("|")[1]!.trim());
}

/** The `code` spans of a string, outside fenced blocks. */
const codeSpans = (text: string) => [...text.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const readme = read("README.md");
const architecture = read("docs/architecture.md");
const layout = tableColumn(readme, "## Layout").map((cell) => codeSpans(cell)[0]!);

describe("README layout table", () => {
  it("names only paths that exist", () => {
    const missing = layout
      .filter((entry) => !entry.includes("<"))
      .filter((entry) => !fs.existsSync(path.join(ROOT, entry)));
    expect(missing).toEqual([]);
  });

  it("names every top-level folder the repository holds", () => {
    const folders = [
      ...new Set(
        execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" })
          .split("\n")
          .filter((file) => file.includes("/"))
          .map((file) => `${file.split("/")[0]}/`),
      ),
    ];
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((folder) => !layout.some((entry) => entry.startsWith(folder)))).toEqual([]);
  });

  it("names in the scripts row only package scripts, and every script file has its name", () => {
    const scriptsRow = readme.split("\n").find((line) => line.startsWith("| `scripts/`"))!;
    const named = codeSpans(scriptsRow).slice(1);
    const packageScripts = Object.keys(JSON.parse(read("package.json")).scripts as Record<string, string>);
    expect(named.filter((name) => !packageScripts.includes(name))).toEqual([]);

    const files = fs
      .readdirSync(path.join(ROOT, "scripts"))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.replace(/\.ts$/, ""));
    const scriptName = (file: string) =>
      ({ "rotate-keys": "keys:rotate", "upstash-bridge": "bridge" })[file] ?? file.replace("-", ":");
    expect(files.map(scriptName).filter((name) => !named.includes(name))).toEqual([]);
  });
});

describe("docs/architecture.md", () => {
  it("places every lib/ folder and module in a layer", () => {
    const layers = architecture.split("\n## Layers\n")[1]!.split("\n## ")[0]!;
    const entries = fs.readdirSync(path.join(ROOT, "lib"), { withFileTypes: true }).map((entry) => `lib/${entry.name}`);
    expect(entries.filter((entry) => !layers.includes(entry))).toEqual([]);
  });

  it("names only files that exist", () => {
    const named = codeSpans(architecture).filter((span) => /^(lib|app|scripts|supabase|tests)\/[\w./-]+$/.test(span));
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((file) => !fs.existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it("lists every API route in its HTTP table, and no route that does not exist", () => {
    const routeFiles = (dir: string): string[] =>
      fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
        const child = `${dir}/${entry.name}`;
        return entry.isDirectory() ? routeFiles(child) : entry.name === "route.ts" ? [child] : [];
      });
    // app/api/gachas/[id]/pulls/route.ts → /api/gachas/{id}/pulls
    const routes = [
      ...[...routeFiles("app/api"), ...routeFiles("app/.well-known")].map((file) =>
        file
          .replace(/^app/, "")
          .replace(/\/route\.ts$/, "")
          .replace(/\[(\w+)\]/g, "{$1}"),
      ),
      // Answered by the Edge gate itself, with no route file behind them.
      ...GATE_ANSWERED_PATHS,
    ];

    // A cell like "GET /api/me/pulls, /api/me/purchases" or "POST /api/auth/signup, /login"
    // names paths in full or as a last segment after the first path's parent.
    const documented = tableColumn(architecture, "## HTTP API").flatMap((cell) => {
      const [first, ...rest] = cell.replace(/^[A-Z, ]+ /, "").split(", ");
      const parent = first!.slice(0, first!.lastIndexOf("/"));
      return [first!, ...rest.map((p) => (p.startsWith("/api") || p.startsWith("/.well-known") ? p : parent + p))];
    });

    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !routes.includes(route))).toEqual([]);
  });
});
