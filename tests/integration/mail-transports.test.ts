/**
 * The mailer's transports against servers speaking their protocols: a real SMTP server
 * (smtp-server, with AUTH) receives what nodemailer sends, and a local HTTP server checks
 * the documented shape of Resend's `POST /emails`. The outbox is read back from disk.
 */
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { SMTPServer } from "smtp-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config";
import { mailerFor, sendAccountMail, type AccountMail } from "@/lib/mail";
import { listOutbox, readOutboxMail } from "@/lib/mail/outbox";
import { MailProviderError, resendTransport } from "@/lib/mail/resend";
import { renderMail } from "@/lib/mail/templates";
import { linkToken } from "../helpers/mail";

const FROM = "Koepon! <no-reply@test.koepon.invalid>";
const VERIFY: AccountMail = {
  kind: "verify_email",
  displayName: "<img src=x onerror=alert(1)>",
  link: "https://koepon.example/verify-email?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  expiresHours: 48,
};

/** The decoded bodies of a MIME message's parts (quoted-printable or base64). */
function decodedBodies(raw: string): string[] {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  return parts.map((part) => {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) return "";
    const headers = part.slice(0, split).toLowerCase();
    const body = part.slice(split).trim();
    if (headers.includes("content-transfer-encoding: base64")) return Buffer.from(body, "base64").toString("utf8");
    if (headers.includes("content-transfer-encoding: quoted-printable")) {
      const bytes = body
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    }
    return body;
  });
}

function encodedWords(header: string): string {
  return header.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_, kind: string, text: string) =>
    kind.toUpperCase() === "B"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/g, (__, h: string) => String.fromCharCode(parseInt(h, 16))),
          "latin1",
        ).toString("utf8"),
  );
}

describe("SMTP through nodemailer", () => {
  const received: { from: string; to: string[]; user: string | undefined; raw: string }[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      secure: false,
      disabledCommands: ["STARTTLS"],
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === "mailer" && auth.password === "s3cret") callback(null, { user: auth.username });
        else callback(new Error("Invalid username or password"));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("delivers a Japanese mail with text and HTML, authenticated, to the recipient only", async () => {
    const config = loadConfig({ MAIL_SMTP_URL: `smtp://mailer:s3cret@127.0.0.1:${port}`, MAIL_FROM: FROM });
    expect(config.mail.transport.kind).toBe("smtp");
    const mailer = mailerFor(config.mail);
    expect(await sendAccountMail(mailer, "fan@example.com", VERIFY, "ja")).toBe(true);

    const mail = received.at(-1)!;
    expect(mail).toMatchObject({ from: "no-reply@test.koepon.invalid", to: ["fan@example.com"], user: "mailer" });
    const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(mail.raw)![1]!.replace(/\r?\n[ \t]/g, " ");
    expect(encodedWords(subject)).toBe("【こえポン！】メールアドレスの確認");
    expect(mail.raw).toMatch(/^Content-Type: multipart\/alternative/im);
    const bodies = decodedBodies(mail.raw);
    const text = bodies.find((b) => b.includes("さん、こえポン！へのご登録"))!;
    const html = bodies.find((b) => b.startsWith("<!doctype html>"))!;
    expect(linkToken(text, "/verify-email")).toBe("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG");
    // The display name arrives as text in the HTML part, never as markup.
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; さん");
    expect(html).not.toContain("<img src=x");
  });

  it("reports a refused login as a failed send, without throwing", async () => {
    const mailer = mailerFor(loadConfig({ MAIL_SMTP_URL: `smtp://mailer:wrong@127.0.0.1:${port}` }).mail);
    const before = received.length;
    expect(await sendAccountMail(mailer, "fan@example.com", VERIFY, "en")).toBe(false);
    expect(received.length).toBe(before);
  });
});

describe("Resend over HTTP", () => {
  let server: http.Server;
  let base: string;
  const requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: unknown }[] = [];
  let answers: { status: number; body: unknown; headers?: Record<string, string> }[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        requests.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown,
        });
        const answer = answers.shift() ?? { status: 200, body: { id: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794" } };
        response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        response.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => {
    requests.length = 0;
    answers = [];
  });

  it("posts the documented JSON to /emails with the bearer key and an idempotency key", async () => {
    const config = loadConfig({
      MAIL_RESEND_API_KEY: "re_test_123",
      MAIL_RESEND_API_BASE: `${base}/`,
      MAIL_FROM: FROM,
    });
    expect(await sendAccountMail(mailerFor(config.mail), "fan@example.com", VERIFY, "en")).toBe(true);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({
      method: "POST",
      url: "/emails",
      headers: { authorization: "Bearer re_test_123", "content-type": "application/json" },
      body: {
        from: FROM,
        to: ["fan@example.com"],
        subject: "[Koepon!] Confirm your email address",
        text: expect.stringContaining(VERIFY.kind === "verify_email" ? VERIFY.link : ""),
        html: expect.stringContaining("&lt;img src=x onerror=alert(1)&gt;"),
      },
    });
    expect(request!.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(request!.body as object).sort()).toEqual(["from", "html", "subject", "text", "to"]);
  });

  it("retries once after a 429, with the same idempotency key", async () => {
    answers = [
      {
        status: 429,
        body: { statusCode: 429, name: "rate_limit_exceeded", message: "slow down" },
        headers: { "retry-after": "0" },
      },
    ];
    const transport = resendTransport({ apiKey: "re_test_123", apiBase: base });
    await transport.send({
      ...renderMail("fan@example.com", VERIFY, "ja"),
      from: FROM,
      id: "4a7a0a40-5a53-4b53-9a36-0d1b8e2f3a11",
    });
    expect(requests.map((r) => r.headers["idempotency-key"])).toEqual([
      "4a7a0a40-5a53-4b53-9a36-0d1b8e2f3a11",
      "4a7a0a40-5a53-4b53-9a36-0d1b8e2f3a11",
    ]);
  });

  it("throws Resend's error name and message on a refusal, and does not retry it", async () => {
    answers = [{ status: 422, body: { statusCode: 422, name: "validation_error", message: "Invalid `to` field." } }];
    const transport = resendTransport({ apiKey: "re_test_123", apiBase: base });
    const sent = transport.send({
      ...renderMail("bad", VERIFY, "ja"),
      from: FROM,
      id: "5b7a0a40-5a53-4b53-9a36-0d1b8e2f3a11",
    });
    await expect(sent).rejects.toBeInstanceOf(MailProviderError);
    await expect(sent).rejects.toMatchObject({ status: 422, providerCode: "validation_error" });
    expect(requests).toHaveLength(1);
  });
});

describe("the local outbox", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-outbox-test-"));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it("is the transport outside production when none is configured, under the data folder", () => {
    expect(loadConfig({ KOEPON_DATA_DIR: "/srv/koepon" }).mail.transport).toEqual({
      kind: "outbox",
      dir: "/srv/koepon/outbox",
    });
  });

  it("keeps every mail as a file, lists them newest first and by recipient, and reads one back", async () => {
    const mailer = mailerFor({ transport: { kind: "outbox", dir }, from: FROM });
    await sendAccountMail(mailer, "a@example.com", VERIFY, "ja");
    await new Promise((r) => setTimeout(r, 5));
    await sendAccountMail(
      mailer,
      "b@example.com",
      { kind: "password_reset", link: "https://k.example/reset-password?token=x", expiresMinutes: 30 },
      "en",
    );
    const all = await listOutbox(dir);
    expect(all.map((m) => m.to)).toEqual(["b@example.com", "a@example.com"]);
    expect((await listOutbox(dir, { to: "A@example.com" })).map((m) => m.subject)).toEqual([
      "【こえポン！】メールアドレスの確認",
    ]);
    expect(await readOutboxMail(dir, all[1]!.id)).toMatchObject({ to: "a@example.com", from: FROM });
    expect(await readOutboxMail(dir, "../../etc/passwd")).toBeNull();
  });

  it("answers nothing for a folder that does not exist yet", async () => {
    expect(await listOutbox(path.join(dir, "never"))).toEqual([]);
  });
});

describe("production without a transport", () => {
  it("refuses to send and says so at alert level, instead of writing mail to a disk", async () => {
    const mailer = mailerFor({ transport: { kind: "unconfigured" }, from: FROM });
    expect(await sendAccountMail(mailer, "fan@example.com", VERIFY, "ja")).toBe(false);
  });

  it("refuses both transports at once", () => {
    expect(() => loadConfig({ MAIL_SMTP_URL: "smtp://127.0.0.1:25", MAIL_RESEND_API_KEY: "re_x" })).toThrow(/not both/);
  });
});
