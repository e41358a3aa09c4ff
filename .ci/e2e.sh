#!/usr/bin/env bash
# Builds the app, serves it as `npm start` does (scripts/serve.ts: Next behind the front
# door that appends the socket peer and refuses TRACE) on a fresh embedded data
# directory and runs the Playwright suite against it. Used by .ci/run; runnable on its own.
set -euo pipefail
cd "$(dirname "$0")/.."
REPORTS="${1:-$(pwd)/.ci/reports}"
mkdir -p "$REPORTS"
PORT="${E2E_PORT:-3100}"
DATA_DIR="$(mktemp -d /tmp/koepon-e2e-XXXXXX)"

# A leftover server on the port would answer in place of the one built here.
if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/health" 2>/dev/null; then
  echo "Port $PORT is already serving: stop that server or set E2E_PORT." >&2
  exit 1
fi

npm run build

KOEPON_COMMIT_SHA="$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
# APP_URL is the origin the browser uses: CSRF checks compare against it.
APP_URL="http://127.0.0.1:$PORT"
# KOEPON_SHARED_PAGES: the suite checks the cache headers of shared public pages too.
# TRUSTED_PROXIES: the front door on loopback is trusted, so each Playwright project can
# come from its own loopback address (E2E_CLIENT_ADDRESSES) with its own rate-limit budget.
export KOEPON_DATA_DIR="$DATA_DIR" KOEPON_ALLOW_EMBEDDED=1 KOEPON_SHARED_PAGES=1 PORT KOEPON_COMMIT_SHA APP_URL NODE_ENV=production
export TRUSTED_PROXIES=127.0.0.1
# Its own process group, so the cleanup stops the server and anything it started.
setsid env -u DATABASE_URL -u REDIS_URL node --import tsx scripts/serve.ts >"$REPORTS/server.log" 2>&1 &
SERVER=$!
trap 'kill -- -"$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$DATA_DIR"' EXIT

for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$REPORTS/server.log"; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/api/health"; echo

E2E_BASE_URL="http://127.0.0.1:$PORT" E2E_CLIENT_ADDRESSES=1 PLAYWRIGHT_JSON_OUTPUT_NAME="$REPORTS/e2e.json" \
  npx playwright test --reporter=list,json || { echo "--- server log ---"; tail -n 80 "$REPORTS/server.log"; exit 1; }
