/**
 * The one logger: a JSON line per event on stdout (debug, info) or stderr (warn, error,
 * alert), so a log drain (Vercel → Datadog) or `journalctl` parses it without rules.
 * Every line carries `level`, `time` (ISO 8601) and `timestamp` (epoch ms, the first
 * date attribute Datadog looks for), `service`, the `event` name (also as `message`,
 * which Datadog shows) and the request id when there is one; an error goes under
 * Datadog's standard `error.kind`, `error.message` and `error.stack`. `alert` is for
 * what should page someone (Datadog reads it as the Alert status).
 *
 * Edge-safe (the gate logs too): no Node modules.
 */

export type LogLevel = "debug" | "info" | "warn" | "error" | "alert";

export interface LogFields {
  requestId?: string;
  /** An Error (kind, message and stack are kept) or a description of one. */
  error?: unknown;
  [field: string]: unknown;
}

const STREAM: Record<LogLevel, "log" | "warn" | "error"> = {
  debug: "log",
  info: "log",
  warn: "warn",
  error: "error",
  alert: "error",
};

export const SERVICE = "koepon";

/** The line `log` writes, for tests and for callers that hand lines on. */
export function logLine(level: LogLevel, event: string, fields: LogFields = {}, now = new Date()): string {
  const { error, requestId, ...rest } = fields;
  const entry: Record<string, unknown> = {
    level,
    time: now.toISOString(),
    timestamp: now.getTime(),
    service: SERVICE,
    event,
    message: event,
    ...(requestId === undefined ? {} : { requestId }),
    ...rest,
    ...(error === undefined ? {} : { error: errorAttributes(error) }),
  };
  try {
    return JSON.stringify(entry);
  } catch {
    // A field that cannot be serialised (a cycle, a BigInt) must not lose the event.
    return JSON.stringify({
      level,
      time: entry.time,
      timestamp: entry.timestamp,
      service: SERVICE,
      event,
      message: event,
    });
  }
}

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  console[STREAM[level]](logLine(level, event, fields));
}

function errorAttributes(error: unknown): { kind: string; message: string; stack?: string } {
  if (error instanceof Error) {
    return { kind: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { kind: "Error", message: String(error) };
}
