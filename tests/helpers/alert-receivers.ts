/**
 * Local receivers that speak the alerting services' documented protocols, so the
 * notifiers are tested end to end over HTTP:
 *
 * - PagerDuty Events API v2: `POST /v2/enqueue`, JSON; `routing_key` (32 characters),
 *   `event_action` trigger|acknowledge|resolve, `dedup_key` (≤ 255); a trigger needs
 *   `payload.summary` (≤ 1024), `payload.source`, `payload.severity`
 *   critical|error|warning|info, optional ISO `timestamp` and object `custom_details`.
 *   202 `{status: "success", message: "Event processed", dedup_key}`; 400 `invalid
 *   event` with the errors; 429 `throttle exceeded`.
 * - Slack incoming webhook: `POST <path>`, JSON with a non-empty `text` and optional
 *   Block Kit `blocks` (header: plain_text ≤ 150; section: text ≤ 3000; context: ≤ 10
 *   elements); 200 `ok`, 400 `invalid_payload`, 429 `rate_limited` with `Retry-After`.
 *
 * Each can be told to answer the next requests with given statuses first (a 429, a 5xx),
 * and records every attempt and every accepted message.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Receiver<T> {
  url: string;
  /** Every request that arrived, accepted or not. */
  attempts: number;
  /** Bodies accepted (202 / 200), in order. */
  accepted: T[];
  /** Validation problems of refused bodies. */
  refused: string[][];
  /** Answers the next requests with these statuses before accepting again. */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "acknowledge" | "resolve";
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: string;
    timestamp?: string;
    custom_details?: Record<string, unknown>;
  };
}

export interface SlackMessage {
  text: string;
  blocks?: { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function pagerDutyProblems(body: unknown): string[] {
  if (!isObject(body)) return ["body is not a JSON object"];
  const problems: string[] = [];
  if (typeof body.routing_key !== "string" || body.routing_key.length !== 32) problems.push("routing_key");
  if (!["trigger", "acknowledge", "resolve"].includes(body.event_action as string)) problems.push("event_action");
  if (typeof body.dedup_key !== "string" || body.dedup_key.length === 0 || body.dedup_key.length > 255) {
    problems.push("dedup_key");
  }
  if (body.event_action === "trigger") {
    const p = body.payload;
    if (!isObject(p)) return [...problems, "payload"];
    if (typeof p.summary !== "string" || p.summary.length === 0 || p.summary.length > 1024) problems.push("summary");
    if (typeof p.source !== "string" || p.source.length === 0) problems.push("source");
    if (!["critical", "error", "warning", "info"].includes(p.severity as string)) problems.push("severity");
    if (p.timestamp !== undefined && Number.isNaN(Date.parse(p.timestamp as string))) problems.push("timestamp");
    if (p.custom_details !== undefined && !isObject(p.custom_details)) problems.push("custom_details");
  }
  return problems;
}

export function slackProblems(body: unknown): string[] {
  if (!isObject(body)) return ["body is not a JSON object"];
  const problems: string[] = [];
  if (typeof body.text !== "string" || body.text.length === 0) problems.push("text");
  if (body.blocks !== undefined) {
    if (!Array.isArray(body.blocks) || body.blocks.length > 50) return [...problems, "blocks"];
    for (const block of body.blocks as unknown[]) {
      if (!isObject(block)) {
        problems.push("block");
        continue;
      }
      const text = block.text as { type?: string; text?: string } | undefined;
      if (block.type === "header" && (text?.type !== "plain_text" || !text.text || text.text.length > 150)) {
        problems.push("header");
      } else if (block.type === "section" && (!text?.text || text.text.length > 3000)) {
        problems.push("section");
      } else if (
        block.type === "context" &&
        (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10)
      ) {
        problems.push("context");
      } else if (!["header", "section", "context", "divider", "actions"].includes(block.type as string)) {
        problems.push(`block type ${String(block.type)}`);
      }
    }
  }
  return problems;
}

async function startReceiver<T>(options: {
  path: string;
  problems: (body: unknown) => string[];
  accept: (res: http.ServerResponse, body: T) => void;
  refuse: (res: http.ServerResponse, status: number, problems: string[]) => void;
}): Promise<Receiver<T>> {
  const script: number[] = [];
  const receiver: Omit<Receiver<T>, "url" | "close"> = {
    attempts: 0,
    accepted: [],
    refused: [],
    failNext: (...statuses) => script.push(...statuses),
  };
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      receiver.attempts += 1;
      const scripted = script.shift();
      if (scripted !== undefined) return options.refuse(res, scripted, []);
      if (req.method !== "POST" || new URL(req.url ?? "/", "http://r").pathname !== options.path) {
        return options.refuse(res, 404, ["path"]);
      }
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
        return options.refuse(res, 400, ["content-type"]);
      }
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return options.refuse(res, 400, ["json"]);
      }
      const problems = options.problems(body);
      if (problems.length > 0) {
        receiver.refused.push(problems);
        return options.refuse(res, 400, problems);
      }
      receiver.accepted.push(body as T);
      options.accept(res, body as T);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

export function startPagerDutyReceiver(): Promise<Receiver<PagerDutyEvent>> {
  return startReceiver<PagerDutyEvent>({
    path: "/v2/enqueue",
    problems: pagerDutyProblems,
    accept: (res, body) => {
      res.writeHead(202, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "success", message: "Event processed", dedup_key: body.dedup_key }));
    },
    refuse: (res, status, problems) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          status === 429
            ? { status: "throttle exceeded", message: "Requests for this service are arriving too quickly." }
            : { status: "invalid event", message: "Event object is invalid", errors: problems },
        ),
      );
    },
  });
}

export function startSlackReceiver(): Promise<Receiver<SlackMessage>> {
  return startReceiver<SlackMessage>({
    path: "/services/T000/B000/XXXX",
    problems: slackProblems,
    accept: (res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("ok");
    },
    refuse: (res, status) => {
      res.writeHead(status, { "content-type": "text/html", ...(status === 429 ? { "retry-after": "1" } : {}) });
      res.end(status === 429 ? "rate_limited" : status === 400 ? "invalid_payload" : "error");
    },
  });
}
