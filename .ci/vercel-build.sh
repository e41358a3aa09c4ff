#!/usr/bin/env bash
# `vercel build` with the pinned CLI, as a deploy would run it before `vercel deploy
# --prebuilt`: it reads vercel.json, runs its install and build commands and writes
# .vercel/output. Offline it needs only a project link, which a local file provides
# (no account or token: nothing is uploaded). Then checks what vercel.json promised
# reached the output: the function limits and the deployment id.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .vercel
if [ ! -f .vercel/project.json ]; then
  echo '{"projectId":"prj_koepon_ci_build","orgId":"team_koepon_ci_build","settings":{"framework":"nextjs"}}' >.vercel/project.json
fi
rm -rf .vercel/output
DEPLOYMENT_ID="ci-$(git rev-parse --short=12 HEAD)"
VERCEL_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 KOEPON_DEPLOYMENT_ID="$DEPLOYMENT_ID" \
  npx --yes vercel@58.10.0 build --yes
node .ci/vercel-output-check.mjs .vercel/output "$DEPLOYMENT_ID"
