/**
 * HAProxy in front of the scale drill's instances, as the platform's load balancer is
 * in front of serverless instances: round robin, each instance health-checked on
 * `/api/health`, a dead one out of rotation within a second. Every answer names the
 * instance that gave it (`X-Koepon-Instance`), so the drill can tell where a request
 * landed. The runtime API (a stats socket) reports each instance's state.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { listening } from "../pgbouncer/pgbouncer";

export const INSTANCE_HEADER = "x-koepon-instance";

export interface Balancer {
  url: string;
  /** Each instance's state as HAProxy sees it: "UP", "DOWN", "MAINT", … */
  states(): Promise<Record<string, string>>;
  /** Takes an instance out of rotation (maint) or puts it back (ready). */
  setState(name: string, state: "ready" | "maint"): Promise<void>;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The balancer's own answers, in the app's error shape so a client reads them as it reads
 * any other: 502 when the instance died while answering, 503 when none is up, 504 when
 * one did not answer in time.
 */
const OWN_ANSWERS: [status: number, reason: string, code: string, en: string][] = [
  [502, "Bad Gateway", "bad_gateway", "The server handling the request stopped. Try again with the same request."],
  [503, "Service Unavailable", "service_unavailable", "No server can take the request now. Try again shortly."],
  [504, "Gateway Timeout", "gateway_timeout", "The server did not answer in time."],
];

function ownAnswer([status, reason, code, en]: (typeof OWN_ANSWERS)[number]): string {
  const body = JSON.stringify({ error: { code, message: en, details: [] } });
  return [
    `HTTP/1.1 ${status} ${reason}`,
    "content-type: application/json",
    `content-length: ${Buffer.byteLength(body)}`,
    "cache-control: no-store",
    ...(status === 503 ? ["retry-after: 1"] : []),
    "",
    body,
  ].join("\r\n");
}

export function balancerConfig(options: {
  port: number;
  socket: string;
  dir: string;
  instances: { name: string; port: number }[];
}) {
  return `global
  stats socket ${options.socket} mode 600 level admin
  maxconn 4000

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 10s
  timeout queue 10s
  option forwardfor
  option http-server-close
  # A request whose connection to an instance failed never reached it: it goes to
  # another one. Anything further (an empty answer) is retried only for reads, since
  # retrying a write that had begun could run it twice.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout
${OWN_ANSWERS.map(([status]) => `  errorfile ${status} ${path.join(options.dir, `${status}.http`)}`).join("\n")}

frontend scale
  bind 127.0.0.1:${options.port}
  http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS
  http-response set-header X-Koepon-Instance %s
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /api/health
  http-check expect status 200
  timeout check 5s
  default-server inter 1s fastinter 250ms fall 2 rise 2
${options.instances.map((i) => `  server ${i.name} 127.0.0.1:${i.port} check`).join("\n")}
`;
}

export async function startBalancer(options: {
  dir: string;
  port: number;
  instances: { name: string; port: number }[];
}): Promise<Balancer> {
  const socket = path.join(options.dir, "haproxy.sock");
  const cfg = path.join(options.dir, "haproxy.cfg");
  for (const answer of OWN_ANSWERS) await fs.writeFile(path.join(options.dir, `${answer[0]}.http`), ownAnswer(answer));
  await fs.writeFile(cfg, balancerConfig({ ...options, socket }));
  const child: ChildProcess = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; i < 50 && !(await listening(options.port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await listening(options.port))) throw new Error(`HAProxy is not listening on ${options.port}`);
  return {
    url: `http://127.0.0.1:${options.port}`,
    pid: child.pid!,
    async setState(name, state) {
      await runtimeCommand(socket, `set server instances/${name} state ${state}`);
    },
    async states() {
      const out = await runtimeCommand(socket, "show servers state instances");
      const states: Record<string, string> = {};
      // Columns: be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state …
      for (const line of out.split("\n")) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 7 || !/^\d+$/.test(cols[0]!)) continue;
        const op = Number(cols[5]);
        const admin = Number(cols[6]);
        states[cols[3]!] = admin !== 0 ? "MAINT" : op === 2 ? "UP" : op === 0 ? "DOWN" : "STARTING";
      }
      return states;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

function runtimeCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    let out = "";
    conn.on("data", (d) => (out += d.toString()));
    conn.on("end", () => resolve(out));
    conn.on("error", reject);
    conn.write(`${command}\n`);
  });
}
