import "server-only";
/**
 * Sending one incident transition to where its rule pages:
 * - PagerDuty Events API v2: `POST {eventsUrl}/v2/enqueue` with the integration's
 *   `routing_key`; a trigger carries `payload.summary/source/severity/timestamp/
 *   custom_details`, the resolve only the same `dedup_key`. PagerDuty answers 202.
 * - Slack incoming webhook: `text` (the notification and fallback line) and Block Kit
 *   `blocks`; Slack answers 200 `ok`. Text from figures and rule titles is escaped
 *   (`&`, `<`, `>`), so nothing in it can become a link or a mention.
 * - `log`: no receiver configured; the transition is one `level: alert` log line.
 * 429 and 5xx are retried (./http.ts); anything else not accepted throws, and the
 * incident stays unsent for the next evaluation to retry.
 */
import type { AlertsConfig } from "../config";
import { log } from "../log/logger";
import { sendWithRetry, type RetryOptions } from "./http";
import type { Severity } from "./rules";

export type IncidentDestination = "pagerduty" | "slack" | "log";

export interface IncidentNotice {
  action: "trigger" | "resolve";
  id: string;
  ruleId: string;
  title: string;
  dedupKey: string;
  severity: Severity;
  destination: IncidentDestination;
  summary: string;
  details: Record<string, unknown>;
  openedAt: Date;
  resolvedAt: Date | null;
}

export class NotifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotifyError";
  }
}

/** Where a rule's incidents go with the receivers configured: PagerDuty falls back to Slack, then the log. */
export function destinationFor(wanted: "pagerduty" | "slack", config: AlertsConfig): IncidentDestination {
  if (wanted === "pagerduty" && config.pagerduty) return "pagerduty";
  if (config.slack) return "slack";
  return "log";
}

/**
 * Where a recorded incident's next transition goes: where its trigger went while that
 * receiver is still configured (PagerDuty resolves only the incident it opened), else
 * where the rule's incidents go now. A receiver removed while an incident was open would
 * otherwise fail that resolve on every evaluation until the give-up window passed.
 */
export function deliverableDestination(
  recorded: IncidentDestination,
  wanted: "pagerduty" | "slack",
  config: AlertsConfig,
): IncidentDestination {
  if (recorded === "log" || (recorded === "pagerduty" ? config.pagerduty : config.slack)) return recorded;
  return destinationFor(wanted, config);
}

export async function notify(notice: IncidentNotice, config: AlertsConfig, retry: RetryOptions = {}): Promise<void> {
  switch (notice.destination) {
    case "pagerduty":
      if (!config.pagerduty) throw new NotifyError("PagerDuty is not configured (PAGERDUTY_ROUTING_KEY)");
      return sendToPagerDuty(notice, config.pagerduty, config, retry);
    case "slack":
      if (!config.slack) throw new NotifyError("Slack is not configured (SLACK_WEBHOOK_URL)");
      return sendToSlack(notice, config.slack.webhookUrl, config, retry);
    case "log":
      log("alert", notice.action === "trigger" ? "alert.triggered" : "alert.resolved", {
        rule: notice.ruleId,
        dedupKey: notice.dedupKey,
        severity: notice.severity,
        summary: notice.summary,
      });
  }
}

/** The PagerDuty Events API v2 body of a transition. */
export function pagerDutyEvent(
  notice: IncidentNotice,
  routingKey: string,
  config: Pick<AlertsConfig, "source" | "consoleUrl">,
): Record<string, unknown> {
  if (notice.action === "resolve") {
    return { routing_key: routingKey, event_action: "resolve", dedup_key: notice.dedupKey };
  }
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: notice.dedupKey,
    payload: {
      // PagerDuty cuts summaries at 1024 characters; cut here so the end is ours.
      summary: `${notice.title}: ${notice.summary}`.slice(0, 1024),
      source: config.source,
      severity: notice.severity,
      timestamp: notice.openedAt.toISOString(),
      component: "koepon",
      group: notice.ruleId,
      class: notice.ruleId,
      custom_details: { rule: notice.ruleId, incident: notice.id, ...notice.details },
    },
    links: [{ href: config.consoleUrl, text: "Koepon! admin console" }],
    client: "Koepon!",
    client_url: config.consoleUrl,
  };
}

async function sendToPagerDuty(
  notice: IncidentNotice,
  pd: NonNullable<AlertsConfig["pagerduty"]>,
  config: AlertsConfig,
  retry: RetryOptions,
): Promise<void> {
  const answer = await sendWithRetry(
    `${pd.eventsUrl}/v2/enqueue`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(pagerDutyEvent(notice, pd.routingKey, config)),
    },
    retry,
  );
  if (answer.status !== 202)
    throw new NotifyError(`PagerDuty refused the event: ${answer.status} ${answer.text.slice(0, 300)}`);
}

/** Slack's mrkdwn treats these three as control characters; everything else is literal. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The Slack incoming-webhook body of a transition: a fallback line and Block Kit blocks. */
export function slackMessage(notice: IncidentNotice, config: Pick<AlertsConfig, "source" | "consoleUrl">) {
  const firing = notice.action === "trigger";
  const headline = `${firing ? "🔴 FIRING" : "✅ RESOLVED"} [${notice.severity}] ${notice.title}`;
  const text = escapeSlack(`${headline}: ${notice.summary}`);
  const when = firing
    ? `opened ${notice.openedAt.toISOString()}`
    : `opened ${notice.openedAt.toISOString()}, resolved ${notice.resolvedAt?.toISOString() ?? "now"}`;
  return {
    text,
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline.slice(0, 150), emoji: true } },
      {
        type: "section",
        text: { type: "mrkdwn", text: `*${escapeSlack(notice.title)}*\n${escapeSlack(notice.summary)}`.slice(0, 3000) },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: escapeSlack(`${config.source} · rule ${notice.ruleId} · ${notice.dedupKey} · ${when}`),
          },
          { type: "mrkdwn", text: `<${config.consoleUrl}|管理画面 / admin console>` },
        ],
      },
    ],
  };
}

async function sendToSlack(
  notice: IncidentNotice,
  webhookUrl: string,
  config: AlertsConfig,
  retry: RetryOptions,
): Promise<void> {
  const answer = await sendWithRetry(
    webhookUrl,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(slackMessage(notice, config)),
    },
    retry,
  );
  if (answer.status !== 200)
    throw new NotifyError(`Slack refused the message: ${answer.status} ${answer.text.slice(0, 300)}`);
}
