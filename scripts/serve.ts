/**
 * The HTTP server `npm start` runs: Next's production server behind our front door
 * (lib/api/front-door.ts), which appends the socket peer to X-Forwarded-For and refuses
 * methods Next cannot represent. Listens on HOST (127.0.0.1 unless set) and PORT.
 */
import http from "node:http";
import path from "node:path";
import next from "next";
import { frontDoor } from "../lib/api/front-door";
import { loadConfig } from "../lib/config";

const root = path.resolve(import.meta.dirname, "..");
const { host, port } = loadConfig(process.env);

const app = next({ dev: false, dir: root, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();
const server = http.createServer(frontDoor((request, response) => handle(request, response)));
server.listen(port, host, () => console.log(`Listening on http://${host.includes(":") ? `[${host}]` : host}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
