/**
 * The account mails, in Japanese and English (the language of the page the request came
 * from). Each is plain text plus simple HTML built from the same lines. Every value a
 * user typed (display name, addresses) goes through `escapeHtml` in the HTML part, and
 * links are ours (built from APP_URL and a token), so a display name like
 * `<img onerror=…>` arrives as text.
 */
import type { Mail } from "./types";

export type MailLang = "ja" | "en";

export type AccountMail =
  | { kind: "verify_email"; displayName: string; link: string; expiresHours: number }
  | { kind: "signup_existing"; loginLink: string; resetLink: string }
  | { kind: "password_reset"; link: string; expiresMinutes: number }
  | { kind: "password_changed"; displayName: string; resetLink: string }
  | { kind: "email_change_confirm"; displayName: string; newEmail: string; link: string; expiresHours: number }
  | { kind: "email_change_notice"; displayName: string; newEmail: string };

/** A paragraph of text, or a link to show as a button in HTML and as a bare URL in text. */
type Block = string | { link: string; label: string };

interface Content {
  subject: string;
  blocks: Block[];
}

const SIGNATURE: Record<MailLang, string> = {
  ja: "こえポン！ / Koepon!\nこのメールに心当たりがない場合は、破棄してください。",
  en: "Koepon! (こえポン！)\nIf this mail was not meant for you, you can ignore it.",
};

function content(mail: AccountMail, lang: MailLang): Content {
  const ja = lang === "ja";
  switch (mail.kind) {
    case "verify_email":
      return ja
        ? {
            subject: "【こえポン！】メールアドレスの確認",
            blocks: [
              `${mail.displayName} さん、こえポン！へのご登録ありがとうございます。`,
              `下のリンクを開いてメールアドレスを確認してください（${mail.expiresHours}時間有効）。確認が済むとガチャを引けるようになります。`,
              { link: mail.link, label: "メールアドレスを確認する" },
            ],
          }
        : {
            subject: "[Koepon!] Confirm your email address",
            blocks: [
              `Hello ${mail.displayName}, thank you for signing up to Koepon!`,
              `Open the link below to confirm your email address (valid for ${mail.expiresHours} hours). Once it is confirmed you can pull gachas.`,
              { link: mail.link, label: "Confirm my email address" },
            ],
          };
    case "signup_existing":
      return ja
        ? {
            subject: "【こえポン！】このメールアドレスで新規登録が試みられました",
            blocks: [
              "このメールアドレスで、こえポン！の新規登録が試みられました。このアドレスのアカウントは既にあるため、新しいアカウントは作成していません。",
              "ご本人の場合は、ログインするか、パスワードをお忘れの場合は再設定してください。",
              { link: mail.loginLink, label: "ログインする" },
              { link: mail.resetLink, label: "パスワードを再設定する" },
              "お心当たりがない場合は、このメールを破棄してください。アカウントは変更されていません。",
            ],
          }
        : {
            subject: "[Koepon!] Someone tried to sign up with your address",
            blocks: [
              "Someone tried to sign up to Koepon! with this email address. An account with this address already exists, so no new account was created.",
              "If it was you, sign in, or reset your password if you have forgotten it.",
              { link: mail.loginLink, label: "Sign in" },
              { link: mail.resetLink, label: "Reset my password" },
              "If it was not you, ignore this mail: your account has not changed.",
            ],
          };
    case "password_reset":
      return ja
        ? {
            subject: "【こえポン！】パスワードの再設定",
            blocks: [
              "パスワードの再設定が申請されました。下のリンクから新しいパスワードを設定してください。",
              { link: mail.link, label: "パスワードを再設定する" },
              `リンクは${mail.expiresMinutes}分間、1回だけ有効です。再設定すると、すべての端末でログアウトされます。`,
              "申請していない場合は、このメールを破棄してください。パスワードは変わりません。",
            ],
          }
        : {
            subject: "[Koepon!] Reset your password",
            blocks: [
              "A password reset was requested for your account. Set a new password with the link below.",
              { link: mail.link, label: "Reset my password" },
              `The link works once, for ${mail.expiresMinutes} minutes. Resetting signs you out on every device.`,
              "If you did not ask for this, ignore this mail: your password stays as it is.",
            ],
          };
    case "password_changed":
      return ja
        ? {
            subject: "【こえポン！】パスワードが変更されました",
            blocks: [
              `${mail.displayName} さんのパスワードが変更されました。ほかの端末ではログアウトされています。`,
              "お心当たりがない場合は、すぐにパスワードを再設定してください。",
              { link: mail.resetLink, label: "パスワードを再設定する" },
            ],
          }
        : {
            subject: "[Koepon!] Your password was changed",
            blocks: [
              `Hello ${mail.displayName}, your password was changed and your other devices were signed out.`,
              "If you did not do this, reset your password now.",
              { link: mail.resetLink, label: "Reset my password" },
            ],
          };
    case "email_change_confirm":
      return ja
        ? {
            subject: "【こえポン！】新しいメールアドレスの確認",
            blocks: [
              `${mail.displayName} さんのアカウントのメールアドレスを ${mail.newEmail} に変更する申請がありました。`,
              `下のリンクを開くと変更が完了します（${mail.expiresHours}時間有効）。開くまではこれまでのアドレスのままです。`,
              { link: mail.link, label: "メールアドレスの変更を確定する" },
            ],
          }
        : {
            subject: "[Koepon!] Confirm your new email address",
            blocks: [
              `Hello ${mail.displayName}, a change of your account's email address to ${mail.newEmail} was requested.`,
              `Open the link below to complete it (valid for ${mail.expiresHours} hours). Until then the old address stays.`,
              { link: mail.link, label: "Confirm the new address" },
            ],
          };
    case "email_change_notice":
      return ja
        ? {
            subject: "【こえポン！】メールアドレスの変更が申請されました",
            blocks: [
              `${mail.displayName} さんのアカウントのメールアドレスを ${mail.newEmail} に変更する申請がありました。新しいアドレスで確認されると、このアドレスにはメールが届かなくなります。`,
              "お心当たりがない場合は、ログインしてパスワードを変更してください。確認されるまで変更は行われません。",
            ],
          }
        : {
            subject: "[Koepon!] A change of your email address was requested",
            blocks: [
              `Hello ${mail.displayName}, a change of your account's email address to ${mail.newEmail} was requested. Once the new address is confirmed, mail will no longer come here.`,
              "If this was not you, sign in and change your password. Nothing changes until the new address is confirmed.",
            ],
          };
  }
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

export function renderMail(to: string, mail: AccountMail, lang: MailLang): Mail {
  const { subject, blocks } = content(mail, lang);
  const text = [
    ...blocks.map((b) => (typeof b === "string" ? b : `${b.label}:\n${b.link}`)),
    "--",
    SIGNATURE[lang],
  ].join("\n\n");
  const body = blocks
    .map((b) =>
      typeof b === "string"
        ? `<p>${escapeHtml(b)}</p>`
        : `<p><a href="${escapeHtml(b.link)}" style="display:inline-block;padding:10px 16px;background:#d6336c;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(b.label)}</a></p>`,
    )
    .join("\n");
  const html = `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:sans-serif;line-height:1.6;color:#222">
${body}
<hr><p style="color:#666;font-size:12px">${escapeHtml(SIGNATURE[lang]).replaceAll("\n", "<br>")}</p>
</body></html>`;
  return { to, subject, text, html };
}
