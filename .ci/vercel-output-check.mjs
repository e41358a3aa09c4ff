// Checks that `vercel build` carried vercel.json and next.config.js into the Build
// Output: each function's time limit, and the deployment id skew protection uses.
import fs from "node:fs";
import path from "node:path";

const [outDir, deploymentId] = process.argv.slice(2);
const problems = [];
const config = JSON.parse(fs.readFileSync(path.join(outDir, "config.json"), "utf8"));
if (config.version !== 3) problems.push(`config.json: Build Output API version ${config.version}, expected 3`);

// The pull route sets its own limit next to its reason (route segment config, which
// wins over vercel.json); the others come from vercel.json.
const LIMITS = {
  "api/gachas/[id]/pulls": 30,
  "api/webhooks/stripe": 30,
  "api/auth/login": 15,
  "api/auth/signup": 15,
};
for (const [route, seconds] of Object.entries(LIMITS)) {
  // Functions with the same settings share one bundle through symlinks.
  const dir = fs.realpathSync(path.join(outDir, "functions", `${route}.func`));
  const { maxDuration } = JSON.parse(fs.readFileSync(path.join(dir, ".vc-config.json"), "utf8"));
  if (maxDuration !== seconds) problems.push(`${route}: maxDuration ${maxDuration}, expected ${seconds}`);
  else console.log(`${route}: maxDuration ${maxDuration} s`);
}

const manifest = JSON.parse(fs.readFileSync(".next/routes-manifest.json", "utf8"));
if (manifest.deploymentId !== deploymentId) {
  problems.push(`routes-manifest.json: deploymentId ${manifest.deploymentId}, expected ${deploymentId}`);
} else console.log(`deploymentId ${deploymentId} (skew protection)`);

for (const p of problems) console.error(`PROBLEM ${p}`);
process.exit(problems.length > 0 ? 1 : 0);
